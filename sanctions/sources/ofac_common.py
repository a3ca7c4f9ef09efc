"""Helpers shared by the three OFAC XML format modules (classic, advanced, enhanced).

OFAC publishes the SDN list and the Consolidated (non-SDN) list in three XML
schemas that share one vocabulary: the same entity numbers (the ``uid`` of the
classic schema, ``FixedRef`` of the advanced one, ``entity id`` of the enhanced
one, and the ``ent_num`` of the legacy CSV), and the same names of identifier
and feature types ("Passport", "SWIFT/BIC", "Vessel Flag"...). This module maps
that vocabulary to FtM properties once, and turns OFAC's date periods into
:class:`~sanctions.model.FuzzyDate` values that keep their precision.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from typing import Any

from sanctions.countries import COUNTRY_PROPERTIES, to_country_code
from sanctions.model import Entity, FuzzyDate, clean_text, parse_date

from .base import NO_COUNTRY, decode_head

__all__ = [
    "SDN",
    "CONS",
    "SCHEMA_BY_TYPE",
    "TYPED_PROPS",
    "DATE_PROPS",
    "to_country",
    "add_typed_value",
    "period_date",
    "dataset_from_lists",
    "text_of",
    "clear_element",
    "iso_tuple",
    "root_element",
    "line_of",
]

SDN = "us_ofac_sdn"
CONS = "us_ofac_cons"

# OFAC's party / entry type -> FtM schema.
SCHEMA_BY_TYPE: dict[str, str] = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}

# OFAC identifier / feature type (lower case) -> FtM property. The same names are
# used by the classic idList, the advanced FeatureType / IDRegDocType and the
# enhanced feature / identityDocument types.
TYPED_PROPS: dict[str, str] = {
    "passport": "passportNumber",
    "diplomatic passport": "passportNumber",
    "national id no.": "idNumber",
    "identification number": "idNumber",
    "cedula no.": "idNumber",
    "driver's license no.": "idNumber",
    "ssn": "idNumber",
    "tax id no.": "taxNumber",
    "v.a.t. number": "vatCode",
    "registration id": "registrationNumber",
    "registration number": "registrationNumber",
    "business registration number": "registrationNumber",
    "public registration number": "registrationNumber",
    "company number": "registrationNumber",
    "commercial registry number": "registrationNumber",
    "c.r. no.": "registrationNumber",
    "government gazette number": "registrationNumber",
    "unified social credit code (uscc)": "registrationNumber",
    "license": "registrationNumber",
    "legal entity number": "leiCode",
    "swift/bic": "swiftBic",
    "bik (ru)": "bikCode",
    "website": "website",
    "email address": "email",
    "phone number": "phone",
    "gender": "gender",
    "title": "position",
    "vessel registration identification": "imoNumber",
    "imo": "imoNumber",
    "mmsi": "mmsi",
    "vessel call sign": "callSign",
    "other vessel call sign": "callSign",
    "vessel flag": "flag",
    "other vessel flag": "pastFlags",
    "vessel type": "type",
    "vessel owner": "owner",
    "vessel tonnage": "tonnage",
    "vessel gross registered tonnage": "grossRegisteredTonnage",
    "vessel year of build": "buildDate",
    "aircraft construction number (also called l/n or s/n or f/n)": "serialNumber",
    "aircraft manufacturer's serial number (msn)": "serialNumber",
    "aircraft tail number": "registrationNumber",
    "aircraft model": "model",
    "aircraft manufacture date": "buildDate",
    "aircraft operator": "operator",
    "nationality country": "nationality",
    "citizenship country": "citizenship",
    "nationality of registration": "country",
    "place of birth": "birthPlace",
    "birthdate": "birthDate",
    "organization established date": "incorporationDate",
}

# Properties holding dates (parsed with their precision) and countries.
DATE_PROPS = frozenset({"birthDate", "incorporationDate", "buildDate"})
COUNTRY_PROPS = COUNTRY_PROPERTIES  # the one table, in sanctions.countries
GENDERS = {"male": "male", "female": "female"}


def to_country(text: str | None, iso2: str | None = None) -> str | None:
    """An ISO-2 (lower case) code for a country the file names; the text if unknown.

    ``iso2`` is the code when the file gives one (advanced and enhanced schemas).
    """
    if iso2 and len(iso2.strip()) == 2:
        return iso2.strip().lower()
    # Text is a country's name here (its code comes as iso2): "NA" says "none", not Namibia.
    if text is None or not text.strip() or text.strip().lower() in NO_COUNTRY:
        return None
    return to_country_code(text) or text.strip()


def add_typed_value(
    entity: Entity,
    type_name: str | None,
    value: str | None,
    iso2: str | None = None,
    date: FuzzyDate | None = None,
) -> None:
    """Add an identifier or feature value under the FtM property its OFAC type maps to.

    Unknown types (directive determinations, ISINs, listing dates...) are kept
    as ``notes`` ("type value"), so nothing the file says is lost.
    """
    type_name = (type_name or "").strip()
    if value is None or not value.strip():
        if date is None:
            return
        value = date.value
    prop = TYPED_PROPS.get(type_name.lower())
    if prop is None:
        entity.add("notes", f"{type_name} {value}".strip())
    elif prop in DATE_PROPS:
        parsed = date if date is not None else parse_date(value, prop=prop)
        if parsed is not None:
            entity.add_date(FuzzyDate(parsed.value, prop, parsed.circa, parsed.end))
        else:
            entity.add("notes", f"{type_name} {value}")
    elif prop in COUNTRY_PROPS:
        entity.add(prop, to_country(value, iso2))
    elif prop == "gender":
        entity.add(prop, GENDERS.get(value.strip().lower(), value))
    elif prop == "imoNumber":
        entity.add(prop, value.replace(" ", "") if value.upper().startswith("IMO") else value)
    else:
        entity.add(prop, value)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def period_date(
    start: tuple[int, int, int] | None,
    end: tuple[int, int, int] | None,
    prop: str = "birthDate",
    circa: bool = False,
) -> FuzzyDate | None:
    """A date from OFAC's period (first possible day, last possible day), precision kept.

    OFAC writes "1962" as 1962-01-01..1962-12-31, "Feb 1980" as
    1980-02-01..1980-02-29 and "1958 to 1960" as 1958-01-01..1960-12-31: the
    period is folded back to a year, a month, a day or a range, never
    inventing a month or a day.
    """
    if start is None and end is None:
        return None
    start = start or end
    end = end or start
    assert start is not None and end is not None
    (y1, m1, d1), (y2, m2, d2) = start, end
    whole_years = (m1, d1) == (1, 1) and (m2, d2) == (12, 31)
    if whole_years:
        if y1 == y2:
            return FuzzyDate(f"{y1:04d}", prop, circa)
        return FuzzyDate(f"{y1:04d}", prop, circa, end=f"{y2:04d}")
    whole_months = d1 == 1 and d2 == _last_day(y2, m2)
    if whole_months:
        first, last = f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"
        return FuzzyDate(first, prop, circa, end=None if first == last else last)
    first, last = f"{y1:04d}-{m1:02d}-{d1:02d}", f"{y2:04d}-{m2:02d}-{d2:02d}"
    return FuzzyDate(first, prop, circa, end=None if first == last else last)


def iso_tuple(text: str | None) -> tuple[int, int, int] | None:
    """``(year, month, day)`` of an ISO ``YYYY-MM-DD`` (time part ignored)."""
    if not text:
        return None
    parts = text.strip()[:10].split("-")
    if len(parts) != 3:
        raise ValueError(f"not an ISO date: {text!r}")
    return int(parts[0]), int(parts[1]), int(parts[2])


def dataset_from_lists(list_names: Iterable[str], default: str = SDN) -> str:
    """``us_ofac_cons`` when the file's entries sit mostly on the Consolidated List.

    OFAC tags every entry with the lists it is on: all entries of a
    consolidated file are on "Consolidated List", while only the few that are on
    both lists appear there in an SDN file, whose entries are on "SDN List".
    """
    sdn = cons = 0
    for name in list_names:
        lowered = name.strip().lower()
        if lowered == "sdn list":
            sdn += 1
        elif lowered == "consolidated list":
            cons += 1
    if sdn == cons == 0:
        return default
    return CONS if cons > sdn else SDN


def text_of(elem: Any, *path: str) -> str | None:
    """Stripped text of the first descendant at ``path`` (local names), or None."""
    node = elem
    for name in path:
        found = None
        for child in node:
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == name:
                found = child
                break
        if found is None:
            return None
        node = found
    text = (node.text or "").strip()
    return text or None


def clear_element(elem: Any) -> None:
    """Free a processed element and the already-processed siblings before it."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


_ROOT_RE = re.compile(rb"<(?![?!])(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)([^>]*)>")


def root_element(head: bytes) -> tuple[str, str]:
    """Local name and attribute text of the first element of an XML head ('' if none)."""
    text = decode_head(head).encode("utf-8")
    pos = 0
    while True:
        match = _ROOT_RE.search(text, pos)
        if match is None:
            return "", ""
        if text[: match.start()].rstrip().endswith(b"<!--") or _in_comment(text, match.start()):
            pos = match.end()
            continue
        return match[1].decode(), match[2].decode("utf-8", "replace")


def _in_comment(text: bytes, pos: int) -> bool:
    opened = text.rfind(b"<!--", 0, pos)
    return opened != -1 and text.find(b"-->", opened, pos) == -1


def line_of(elem: Any) -> int | None:
    """The source line of an element, when lxml knows it."""
    line = getattr(elem, "sourceline", None)
    return int(line) if line else None


def person_name(given: str | None, last: str | None) -> str | None:
    """A person's name the way OFAC publishes it in SDN.CSV: ``LAST, Given Names``.

    Used by every OFAC format so that the same listing reads the same whichever
    file it came from (and a diff between formats shows no false name changes).
    """
    given, last = clean_text(given), clean_text(last)
    if given and last:
        return f"{last}, {given}"
    return given or last


# Legal forms and business words that make an OFAC "entity" a company.
_LEGAL_FORM = re.compile(
    r"\b(?:LLC|L\.L\.C\.|LTD|LTDA|LIMITED|INC|CORP|CORPORATION|COMPANY|CO|GMBH|AG|JSC|PJSC|OJSC|"
    r"CJSC|OAO|ZAO|OOO|AO|PAO|PLC|LLP|SARL|SRL|SPA|SAS|BV|NV|FZE|FZCO|FZC|DMCC|PTE|BHD|"
    r"S\.A|S\.A\.S|S\.R\.L|S\.L|S\. DE R\.L|C\.V|C\.A|B\.V|N\.V|A\.S|D\.O\.O|K\.K|"
    r"TRADING|SHIPPING|INDUSTRIES|ENTERPRISES?|HOLDINGS?|GROUP)\b\.?",
    re.I,
)
# Identifiers only companies carry.
_COMPANY_PROPS = (
    "registrationNumber",
    "taxNumber",
    "swiftBic",
    "leiCode",
    "innCode",
    "ogrnCode",
    "dunsCode",
    "vatCode",
    "bikCode",
)


def refine_schema(entity: Entity) -> Entity:
    """An OFAC "entity" becomes a Company when its name has a legal form or it has
    company identifiers. Every OFAC format calls this on the finished entity, so the
    same listing gets the same schema whichever file it came from."""
    if entity.schema != "Organization":
        return entity
    names = [n.name for n in entity.names if n.kind == "primary"]
    if any(_LEGAL_FORM.search(n) for n in names) or any(entity.get(p) for p in _COMPANY_PROPS):
        entity.schema = "Company"
    return entity
