"""Building blocks shared by the EU Financial Sanctions Files parsers (XML and CSV).

The XML v1.1 and the CSV v1.0/v1.1 carry the same content: a subject, its
regulations, name aliases, citizenships, birth dates, identifications and
addresses. These helpers turn one such part into entity properties the same
way whichever file it came from.
"""

from __future__ import annotations

import re

from sanctions.countries import to_country_code
from sanctions.model import Entity, FuzzyDate, NameKind, parse_date

__all__ = [
    "DEFAULT_DATASET",
    "IDENTIFICATION_PROPS",
    "schema_for",
    "country",
    "add_identification",
    "add_address",
    "birth_date",
    "add_programme",
]

DEFAULT_DATASET = "eu_fsf"

# identificationTypeCode -> FtM property. Codes as the FSF publishes them.
IDENTIFICATION_PROPS: dict[str, str] = {
    "passport": "passportNumber",
    "id": "idNumber",
    "regnumber": "registrationNumber",
    "swiftbic": "swiftBic",
    "imo": "imoNumber",
    "tax": "taxNumber",
    "fiscalcode": "taxNumber",
    "ssn": "idNumber",
    "birthcert": "idNumber",
    "drivinglicence": "idNumber",
    "travel": "passportNumber",
    "other": "idNumber",
}

_SELF_EXPLAINING = {"passport", "id", "regnumber", "swiftbic", "imo", "tax"}
_SCHEMATA = {"person": "Person", "p": "Person", "enterprise": "Organization", "e": "Organization"}
_ISO2 = re.compile(r"^[A-Za-z]{2}$")


def schema_for(subject_type: str | None) -> str:
    """FtM schema of an FSF subject type (``person``/``P``, ``enterprise``/``E``)."""
    return _SCHEMATA.get((subject_type or "").strip().lower(), "LegalEntity")


def country(code: str | None, description: str | None = None) -> str | None:
    """ISO-2 lowercase for the FSF's ISO codes or names; the text itself when unknown.

    ``00`` and ``UNKNOWN`` (the FSF's "no country") give None.
    """
    for text in (code, description):
        text = (text or "").strip()
        if not text or text.upper() in ("00", "UNKNOWN", "N/A"):
            continue
        if _ISO2.match(text):
            return text.lower()
        found = to_country_code(text)
        if found:
            return found
    return (code or "").strip() or (description or "").strip() or None


def add_identification(
    entity: Entity,
    number: str | None,
    type_code: str | None,
    description: str | None = None,
    country_code: str | None = None,
) -> None:
    """One identification document: the number goes to the property of its type."""
    if not number or not number.strip():
        return
    code = (type_code or "").strip().lower()
    entity.add(IDENTIFICATION_PROPS.get(code, "idNumber"), number)
    if code not in _SELF_EXPLAINING and (description or country_code):
        details = [d for d in (description, country(country_code)) if d]
        entity.add("notes", f"{number.strip()}: {', '.join(details)}")


def add_address(entity: Entity, parts: list[str | None], country_code: str | None) -> None:
    """An address from its parts (empties skipped) plus its country."""
    code = country(country_code)
    text = ", ".join(p.strip() for p in parts if p and p.strip())
    if text:
        entity.add("address", text)
    entity.add("country", code)


def _int(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def birth_date(
    full: str | None = None,
    day: str | None = None,
    month: str | None = None,
    year: str | None = None,
    circa: str | bool | None = None,
    range_from: str | None = None,
    range_to: str | None = None,
) -> FuzzyDate | None:
    """A birth date from the FSF's fields, as precise as they are and no more."""
    is_circa = circa is True or str(circa or "").strip().lower() == "true"
    start, end = _int(range_from), _int(range_to)
    if start and end and start <= end:
        return FuzzyDate(f"{start:04d}", circa=is_circa, end=f"{end:04d}")
    parsed = parse_date(full) if full else None
    if parsed is None and _int(year):
        parts = [f"{_int(year):04d}"]
        if _int(month):
            parts.append(f"{_int(month):02d}")
            if _int(day):
                parts.append(f"{_int(day):02d}")
        parsed = parse_date("-".join(parts))
    if parsed is None:
        return None
    return FuzzyDate(parsed.value, circa=is_circa or parsed.circa, end=parsed.end)


def add_programme(entity: Entity, programme: str | None, published: str | None) -> None:
    """A regulation's programme, and its publication date as the earliest listing date."""
    programme = (programme or "").strip()
    if programme and programme not in entity.listing.programs:
        entity.listing.programs.append(programme)
    date = parse_date(published[:10]) if published else None
    if date is not None and (
        entity.listing.listed_on is None or date.value < entity.listing.listed_on
    ):
        entity.listing.listed_on = date.value


def name_kind(strong: str | bool | None, has_primary: bool) -> NameKind:
    """Primary for the first strong name, alias for later strong ones, weak when not strong."""
    is_strong = strong is None or strong is True or str(strong).strip().lower() != "false"
    if not is_strong:
        return NameKind.WEAK
    return NameKind.ALIAS if has_primary else NameKind.PRIMARY
