"""Strong keys: the identifiers that say two listings are the same subject.

A key is ``(kind, value)`` with the value normalised so that two authorities'
spellings of one number meet:

============ ==================================================================
kind         from
============ ==================================================================
unsc         ``unscId``: the UN reference number (``QDi.244``; the UK's old
             ``QI.S.244.08`` form of the Al-Qaida and Taliban lists is read as
             ``QDi.244``)
imo          ``imoNumber`` (check digit verified), or ``IMO 1234567`` in notes
bic          ``swiftBic``, or ``SWIFT/BIC VTBRRUMM`` in notes (compared in 8-letter form)
lei          ``leiCode`` (checksum verified)
document     ``passportNumber``, ``idNumber``, ``nationalId``: letters and digits
registration ``taxNumber``, ``innCode``, ``ogrnCode``, ``registrationNumber``, ``vatCode``
============ ==================================================================

Document and registration numbers have no universal format, so they are only
used when at least 6 characters long, and a link through them is refused when
both listings name countries and none is in common (the country of a passport
is only known as the holder's nationality in most lists).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sanctions.countries import countries_of
from sanctions.matching import IDENTIFIERS
from sanctions.model import Entity

from .dates import listing_date
from .programmes import regime_codes

__all__ = [
    "KEY_LABELS",
    "STRONG_KINDS",
    "ListingFacts",
    "listing_facts",
    "normalise_un_ref",
    "extract_keys",
    "passport_numbers",
]

KEY_LABELS = {
    "unsc": "UN reference number",
    "imo": "IMO number",
    "bic": "SWIFT/BIC code",
    "lei": "LEI code",
    "document": "passport / national id number",
    "registration": "tax / registration number",
}
# Strength order: links are applied in this order (strongest first).
STRONG_KINDS = ("unsc", "imo", "lei", "bic", "document", "registration")
GENERIC_KINDS = frozenset({"document", "registration"})
MIN_GENERIC_LENGTH = 6

_PROPERTY_KEYS: dict[str, tuple[str, str]] = {
    "imoNumber": ("imo", "imo"),
    "swiftBic": ("bic", "bic"),
    "bicCode": ("bic", "bic"),
    "leiCode": ("lei", "lei"),
    "passportNumber": ("document", "passport"),
    "idNumber": ("document", "national_id"),
    "nationalId": ("document", "national_id"),
    "taxNumber": ("registration", "tax"),
    "innCode": ("registration", "tax"),
    "vatCode": ("registration", "tax"),
    "ogrnCode": ("registration", "registration"),
    "registrationNumber": ("registration", "registration"),
}

_UN_NEW = re.compile(r"^([A-Z]{2})([IE])\.(\d{1,4})$", re.I)
_UN_OLD = re.compile(r"^(Q|T)\.?([IE])\.[A-Z]\.(\d{1,4})\.\d{2}$", re.I)
_OLD_PREFIX = {"Q": "QD", "T": "TA"}
_NOTE_BIC = re.compile(
    r"\b(?:SWIFT|BIC)(?:\s*/\s*BIC)?(?:\s+code)?\s*[:#]?\s*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b"
)
_NOTE_PASSPORT = re.compile(
    r"\bPassport(?:\s+(?:number|no\.?))?\s*[:#]?\s*([A-Z]{0,3}\d[A-Z0-9]{5,})\b", re.I
)
_NOTE_IMO = re.compile(r"\bIMO(?:\s+(?:number|no\.?))?\s*[:#]?\s*(\d{7})\b", re.I)


def normalise_un_ref(value: str) -> str | None:
    """``QDi.244``-style reference in one case (``QDI.244``); None if not a UN reference."""
    text = value.strip().rstrip(".").replace(" ", "")
    m = _UN_NEW.match(text)
    if m:
        return f"{m[1].upper()}{m[2].upper()}.{int(m[3]):03d}"
    m = _UN_OLD.match(text)
    if m:
        return f"{_OLD_PREFIX[m[1].upper()]}{m[2].upper()}.{int(m[3]):03d}"
    return text.upper() or None


@dataclass
class ListingFacts:
    """What resolution and the reports need to know about one listing."""

    id: str
    dataset: str
    schema: str
    caption: str
    names: list[str]
    birth_dates: list[str]
    countries: frozenset[str]
    programmes: list[str]
    listed_on: str | None
    gender: str | None = None
    keys: set[tuple[str, str]] = field(default_factory=set)
    regimes: frozenset[str] = frozenset()
    # passport numbers, also those only written in notes ("Passport number: ..."): two
    # listings naming passports with none in common conflict (see structure.py)
    documents: frozenset[str] = frozenset()


def extract_keys(entity: Entity, hidden: Iterable[str] = ()) -> set[tuple[str, str]]:
    """The strong keys of an entity (kinds in ``hidden`` left out)."""
    hide = set(hidden)
    keys: set[tuple[str, str]] = set()
    if "unsc" not in hide:
        for value in entity.get("unscId"):
            ref = normalise_un_ref(value)
            if ref:
                keys.add(("unsc", ref))
    for prop, (kind, id_type) in _PROPERTY_KEYS.items():
        if kind in hide:
            continue
        for value in entity.get(prop):
            norm = IDENTIFIERS[id_type].normalize(str(value))
            if norm is None or (kind in GENERIC_KINDS and len(norm) < MIN_GENERIC_LENGTH):
                continue
            keys.add((kind, norm))
    notes = " ".join(entity.get("notes"))
    if notes and "bic" not in hide:
        for value in _NOTE_BIC.findall(notes):
            norm = IDENTIFIERS["bic"].normalize(value)
            if norm:
                keys.add(("bic", norm))
    if notes and "imo" not in hide:
        for value in _NOTE_IMO.findall(notes):
            norm = IDENTIFIERS["imo"].normalize(value)
            if norm:
                keys.add(("imo", norm))
    return keys


def passport_numbers(entity: Entity) -> frozenset[str]:
    """Passport numbers of a listing, from ``passportNumber`` and from its notes."""
    values = list(entity.get("passportNumber"))
    for note in entity.get("notes"):
        values.extend(_NOTE_PASSPORT.findall(note))
    out = (IDENTIFIERS["passport"].normalize(str(v)) for v in values)
    return frozenset(v for v in out if v and len(v) >= MIN_GENERIC_LENGTH)


def _gender(entity: Entity) -> str | None:
    for value in entity.get("gender"):
        text = value.strip().lower()
        if text in ("male", "m"):
            return "male"
        if text in ("female", "f"):
            return "female"
    return None


def listing_facts(entity: Entity, hidden: Iterable[str] = ()) -> ListingFacts:
    """The facts of one listing, with its strong keys."""
    programmes = list(entity.listing.programs) or list(entity.get("program"))
    births = [
        d.value + (f"/{d.end}" if d.end else "") for d in entity.dates if d.prop == "birthDate"
    ]
    return ListingFacts(
        id=entity.id,
        dataset=entity.listing.dataset,
        schema=entity.schema,
        caption=entity.caption,
        names=[n.name for n in entity.names] or entity.get("name"),
        birth_dates=births or list(entity.get("birthDate")),
        countries=countries_of(entity.properties),
        programmes=programmes,
        listed_on=listing_date(entity)[0],
        gender=_gender(entity),
        keys=extract_keys(entity, hidden),
        regimes=regime_codes(programmes, entity.listing.dataset),
        documents=passport_numbers(entity),
    )
