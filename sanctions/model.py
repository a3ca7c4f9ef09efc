"""The entity model: FollowTheMoney-compatible entities with listing provenance.

An :class:`Entity` holds FtM ``properties`` (property name -> list of string
values, as OpenSanctions publishes them), and beside them the detail FtM flattens
away and that screening and auditing need:

* ``names``: every name variant with its kind (primary, strong alias, weak alias,
  former name, original script) and language, plus name parts where the list
  gives them;
* ``dates``: dates with their precision kept (``1952``, ``1952-10``,
  ``1952-10-07``), a circa flag, and ranges;
* ``listing``: provenance of the listing (dataset, authority id, programmes,
  listing date, source file, dataset version).

The FtM properties are derived from the rich parts by :meth:`Entity.add_name`
and :meth:`Entity.add_date`, so the two views never disagree.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "SCHEMATA",
    "SCHEMA_PARENTS",
    "can_match",
    "descendants",
    "is_a",
    "SCHEMA_LABELS",
    "DATASETS",
    "TOPICS",
    "NameKind",
    "NameVariant",
    "FuzzyDate",
    "Listing",
    "ListMembership",
    "Entity",
    "make_entity_id",
    "parse_date",
]

# FtM schemata we produce. LegalEntity is the parent of Person/Organization/Company.
SCHEMATA = (
    "Thing",
    "LegalEntity",
    "Person",
    "Organization",
    "Company",
    "PublicBody",
    "Vessel",
    "Airplane",
)

# The hierarchy of those schemata, as FtM defines it (Vessel and Airplane are assets, under
# Thing). Every other view of it (a scope's filter, which schemata can match, the report
# groups) is derived from this one table through `is_a`, `descendants` and `can_match`.
SCHEMA_PARENTS: dict[str, str | None] = {
    "Thing": None,
    "LegalEntity": "Thing",
    "Person": "LegalEntity",
    "Organization": "LegalEntity",
    "Company": "Organization",
    "PublicBody": "Organization",
    "Vessel": "Thing",
    "Airplane": "Thing",
}


def is_a(schema: str, ancestor: str) -> bool:
    """Is ``schema`` ``ancestor`` or below it (``is_a("Company", "LegalEntity")``)?"""
    current: str | None = schema
    while current is not None:
        if current == ancestor:
            return True
        current = SCHEMA_PARENTS.get(current)
    return False


def descendants(schema: str) -> frozenset[str]:
    """The schema and every schema below it: what a filter on ``schema`` takes."""
    return frozenset(s for s in SCHEMA_PARENTS if is_a(s, schema)) or frozenset({schema})


@cache
def can_match(one: str, other: str) -> bool:
    """Can an entity of one schema be the same as one of the other? Yes when one is the
    other or below it: a LegalEntity can be a Person, a Company an Organization; a Person
    never an Organization, a Company never a PublicBody."""
    return is_a(one, other) or is_a(other, one)


# Schema -> (label, plural), FtM's own wording.
SCHEMA_LABELS: dict[str, tuple[str, str]] = {
    "Thing": ("Thing", "Things"),
    "LegalEntity": ("Legal entity", "Legal entities"),
    "Person": ("Person", "People"),
    "Organization": ("Organization", "Organizations"),
    "Company": ("Company", "Companies"),
    "PublicBody": ("Public body", "Public bodies"),
    "Vessel": ("Vessel", "Vessels"),
    "Airplane": ("Airplane", "Airplanes"),
}

# FtM topics (the ``topics`` property; a listed entity without one is a "sanction").
TOPICS = frozenset(
    """crime crime.fraud crime.cyber crime.fin crime.env crime.theft crime.war crime.boss
    crime.terror crime.traffick crime.traffick.drug crime.traffick.human wanted
    corp.offshore corp.shell corp.public corp.disqual gov gov.national gov.state gov.muni
    gov.soe gov.igo gov.head gov.admin gov.executive gov.legislative gov.judicial
    gov.security gov.financial fin fin.bank fin.fund fin.advisor reg.action reg.warn
    role.pep role.pol role.rca role.judge role.civil role.diplo role.lawyer role.acct
    role.spy role.oligarch role.journo role.act role.lobby pol.party pol.union rel mil
    asset.frozen sanction sanction.linked sanction.counter export.control
    export.control.linked export.risk trade.risk debarment poi risk.klepto
    forced.labor""".split()
)

# Dataset ids (OpenSanctions' names) -> human title.
DATASETS: dict[str, str] = {
    "us_ofac_sdn": "US OFAC Specially Designated Nationals (SDN) List",
    "us_ofac_cons": "US OFAC Consolidated (non-SDN) Sanctions List",
    "us_ofac_sdn_partial": "US OFAC SDN, partial file set (no sdn.csv: aliases and addresses only)",
    "us_ofac_cons_partial": "US OFAC Consolidated, partial file set (no cons_prim.csv)",
    "us_trade_csl": "US Consolidated Screening List (trade.gov)",
    "us_bis_denied": "US BIS Denied Persons List",
    "un_sc_sanctions": "UN Security Council Consolidated List",
    "eu_fsf": "EU Financial Sanctions Files (FSF)",
    "gb_fcdo_sanctions": "UK FCDO UK Sanctions List",
    "gb_hmt_sanctions": "UK OFSI Consolidated List (ConList)",
    "ca_dfatd_sema_sanctions": "Canada Consolidated Autonomous Sanctions List (SEMA)",
    "au_dfat_sanctions": "Australia DFAT Consolidated List",
    "ch_seco_sanctions": "Switzerland SECO Sanctions List",
    "opensanctions": "OpenSanctions / FollowTheMoney entities",
}


class NameKind(StrEnum):
    """What kind of name a variant is, as the authority tells it."""

    PRIMARY = "primary"  # the listed name
    ALIAS = "alias"  # strong / good-quality a.k.a.
    WEAK = "weak"  # weak / low-quality a.k.a.
    PREVIOUS = "previous"  # former name (f.k.a.)
    ORIGINAL = "original"  # the name in its original (non-Latin) script


# Name kind -> FtM property that carries it.
NAME_PROPERTY: dict[NameKind, str] = {
    NameKind.PRIMARY: "name",
    NameKind.ALIAS: "alias",
    NameKind.WEAK: "weakAlias",
    NameKind.PREVIOUS: "previousName",
    NameKind.ORIGINAL: "alias",
}

NAME_PARTS = ("title", "firstName", "middleName", "secondName", "lastName", "fatherName")


@dataclass(frozen=True)
class NameVariant:
    """One name of an entity, with its kind, language and (optional) parts."""

    name: str
    kind: NameKind = NameKind.PRIMARY
    lang: str | None = None  # ISO 639 code as the list gives it ("ru", "ara"...)
    script: str | None = None  # script as the list gives it ("Cyrillic", "Arabic"...)
    parts: tuple[tuple[str, str], ...] = ()  # (("firstName", "Vladimir"), ...)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "kind": str(self.kind)}
        if self.lang:
            data["lang"] = self.lang
        if self.script:
            data["script"] = self.script
        if self.parts:
            data["parts"] = [list(p) for p in self.parts]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NameVariant:
        return cls(
            name=data["name"],
            kind=NameKind(data.get("kind", "primary")),
            lang=data.get("lang"),
            script=data.get("script"),
            parts=tuple((k, v) for k, v in data.get("parts", [])),
        )


_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True)
class FuzzyDate:
    """A date with its precision kept.

    ``value`` is ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and never carries an
    invented month or day. ``circa`` marks approximate dates. A range is
    ``value`` (start) to ``end``.
    """

    value: str
    prop: str = "birthDate"
    circa: bool = False
    end: str | None = None

    def __post_init__(self) -> None:
        if not _DATE_RE.match(self.value):
            raise ValueError(f"not an ISO date prefix: {self.value!r}")
        if self.end is not None and not _DATE_RE.match(self.end):
            raise ValueError(f"not an ISO date prefix: {self.end!r}")

    @property
    def precision(self) -> str:
        return {4: "year", 7: "month", 10: "day"}[len(self.value)]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"prop": self.prop, "value": self.value}
        if self.circa:
            data["circa"] = True
        if self.end:
            data["end"] = self.end
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FuzzyDate:
        return cls(
            value=data["value"],
            prop=data.get("prop", "birthDate"),
            circa=bool(data.get("circa", False)),
            end=data.get("end"),
        )


@dataclass(frozen=True)
class ListMembership:
    """One list of the authority the subject is on, and since when (OFAC: SDN, SSI...)."""

    name: str
    since: str | None = None  # ISO date prefix

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "since": self.since}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListMembership:
        return cls(name=data["name"], since=data.get("since"))


@dataclass
class Listing:
    """Provenance of one listing: who lists it, under what, since when, from which file.

    ``lists`` (the authority's lists the subject is on, with dates), ``provisions``
    (the sanction types, e.g. "Block") and ``legal_basis`` (the legal authorities,
    e.g. "Executive Order 14024 (Russia)") are filled where the file states them.
    """

    dataset: str
    authority_id: str
    programs: list[str] = field(default_factory=list)
    listed_on: str | None = None  # ISO date prefix, as precise as the list gives it
    source_file: str | None = None
    dataset_version: str | None = None  # filled in by the store
    lists: list[ListMembership] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dataset": self.dataset,
            "authority_id": self.authority_id,
            "programs": list(self.programs),
            "listed_on": self.listed_on,
            "source_file": self.source_file,
            "dataset_version": self.dataset_version,
        }
        # Written only when present, so that the content hash of listings without
        # them stays what it was.
        if self.lists:
            data["lists"] = [m.to_dict() for m in self.lists]
        if self.provisions:
            data["provisions"] = list(self.provisions)
        if self.legal_basis:
            data["legal_basis"] = list(self.legal_basis)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Listing:
        return cls(
            dataset=data["dataset"],
            authority_id=data["authority_id"],
            programs=list(data.get("programs", [])),
            listed_on=data.get("listed_on"),
            source_file=data.get("source_file"),
            dataset_version=data.get("dataset_version"),
            lists=[ListMembership.from_dict(m) for m in data.get("lists", [])],
            provisions=list(data.get("provisions", [])),
            legal_basis=list(data.get("legal_basis", [])),
        )


def make_entity_id(dataset: str, authority_id: str) -> str:
    """The stable entity id: ``{dataset}-{authority id}``."""
    return f"{dataset}-{str(authority_id).strip()}"


_WS = re.compile(r"\s+")
_ODD_SPACE = re.compile(r"\s\s|[^\S ]")  # two spaces in a row, or a space other than " "


def clean_text(value: Any) -> str | None:
    """Collapse whitespace; return None for empty values and OFAC's ``-0-`` placeholder."""
    if value is None:
        return None
    text = str(value).strip()
    if _ODD_SPACE.search(text):  # the regex substitution only where needed (it is hot)
        text = _WS.sub(" ", text)
    if not text or text == "-0-":
        return None
    return text


@dataclass
class Entity:
    """A listed subject: FtM schema + properties, rich names and dates, and provenance."""

    id: str
    schema: str
    listing: Listing
    properties: dict[str, list[str]] = field(default_factory=dict)
    names: list[NameVariant] = field(default_factory=list)
    dates: list[FuzzyDate] = field(default_factory=list)

    @classmethod
    def create(
        cls,
        dataset: str,
        authority_id: str,
        schema: str,
        source_file: str | None = None,
    ) -> Entity:
        if schema not in SCHEMATA:
            raise ValueError(f"unknown schema {schema!r}")
        listing = Listing(dataset=dataset, authority_id=str(authority_id), source_file=source_file)
        return cls(id=make_entity_id(dataset, authority_id), schema=schema, listing=listing)

    # -- building -----------------------------------------------------------

    def add(self, prop: str, value: Any) -> None:
        """Add a value to a FtM property: whitespace collapsed, empties and duplicates skipped."""
        if isinstance(value, (list, tuple, set)):
            for item in value:
                self.add(prop, item)
            return
        text = clean_text(value)
        if text is None:
            return
        values = self.properties.setdefault(prop, [])
        if text not in values:
            values.append(text)

    def add_name(
        self,
        name: Any,
        kind: NameKind | str = NameKind.PRIMARY,
        lang: str | None = None,
        script: str | None = None,
        **parts: Any,
    ) -> None:
        """Add a name variant (and its parts) and mirror it into the FtM name property."""
        text = clean_text(name)
        if text is None:
            return
        kind = NameKind(kind)
        clean_parts = tuple(
            (k, v) for k in NAME_PARTS if (v := clean_text(parts.get(k))) is not None
        )
        unknown = set(parts) - set(NAME_PARTS)
        if unknown:
            raise ValueError(f"unknown name parts: {sorted(unknown)}")
        variant = NameVariant(name=text, kind=kind, lang=lang, script=script, parts=clean_parts)
        if variant not in self.names:
            self.names.append(variant)
        self.add(NAME_PROPERTY[kind], text)
        for key, value in clean_parts:
            self.add(key, value)

    def add_date(
        self,
        value: str | FuzzyDate | None,
        prop: str = "birthDate",
        circa: bool = False,
        end: str | None = None,
    ) -> None:
        """Add a date with its precision; mirror it into the FtM property."""
        if value is None:
            return
        date = value if isinstance(value, FuzzyDate) else FuzzyDate(value, prop, circa, end)
        if date not in self.dates:
            self.dates.append(date)
        self.add(date.prop, date.value)
        if date.end:
            self.add(date.prop, date.end)

    # -- reading ------------------------------------------------------------

    def get(self, prop: str) -> list[str]:
        return self.properties.get(prop, [])

    def first(self, prop: str) -> str | None:
        values = self.properties.get(prop)
        return values[0] if values else None

    @property
    def caption(self) -> str:
        for kind in (NameKind.PRIMARY, NameKind.ALIAS, NameKind.PREVIOUS, NameKind.WEAK):
            for variant in self.names:
                if variant.kind == kind:
                    return variant.name
        for prop in ("name", "alias", "imoNumber"):
            if self.properties.get(prop):
                return self.properties[prop][0]
        return self.id

    # -- serialisation --------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The full record, as stored: FtM fields plus names, dates and listing."""
        return {
            "id": self.id,
            "schema": self.schema,
            "caption": self.caption,
            "properties": {k: list(v) for k, v in sorted(self.properties.items()) if v},
            "names": [n.to_dict() for n in self.names],
            "dates": [d.to_dict() for d in self.dates],
            "listing": self.listing.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        listing_data = data.get("listing")
        if listing_data is None:
            dataset = (data.get("datasets") or ["opensanctions"])[0]
            listing = Listing(dataset=dataset, authority_id=data["id"])
        else:
            listing = Listing.from_dict(listing_data)
        return cls(
            id=data["id"],
            schema=data["schema"],
            listing=listing,
            properties={k: list(v) for k, v in data.get("properties", {}).items()},
            names=[NameVariant.from_dict(n) for n in data.get("names", [])],
            dates=[FuzzyDate.from_dict(d) for d in data.get("dates", [])],
        )

    def to_ftm(self) -> dict[str, Any]:
        """The entity as a FtM JSON object, the way OpenSanctions exports it."""
        props = {k: list(v) for k, v in sorted(self.properties.items()) if v}
        if self.listing.programs and "program" not in props:
            props["program"] = list(self.listing.programs)
        return {
            "id": self.id,
            "schema": self.schema,
            "caption": self.caption,
            "properties": props,
            "datasets": [self.listing.dataset],
            "referents": [],
            "target": True,
            "first_seen": None,
            "last_seen": None,
            "last_change": None,
        }

    def canonical(self) -> tuple[str, str]:
        """(content hash, canonical JSON) of what matters for change detection.

        The source file and dataset version are left out: they describe where an
        entity was read, not what the authority says about it.
        """
        data = self.to_dict()
        data["listing"]["source_file"] = None
        data["listing"]["dataset_version"] = None
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest(), blob

    def content_hash(self) -> str:
        """A hash of the content that matters for change detection (not the file/version)."""
        return self.canonical()[0]

    def diff_properties(self, other: Entity) -> list[str]:
        """Names of the fields that differ between two versions of this entity."""
        changed: set[str] = set()
        keys = set(self.properties) | set(other.properties)
        for key in keys:
            if sorted(self.properties.get(key, [])) != sorted(other.properties.get(key, [])):
                changed.add(key)
        if self.schema != other.schema:
            changed.add("schema")
        if sorted(self.listing.programs) != sorted(other.listing.programs):
            changed.add("listing.programs")
        if self.listing.listed_on != other.listing.listed_on:
            changed.add("listing.listed_on")
        for part in ("lists", "provisions", "legal_basis"):
            if getattr(self.listing, part) != getattr(other.listing, part):
                changed.add(f"listing.{part}")
        if {n.to_dict().__repr__() for n in self.names} != {
            n.to_dict().__repr__() for n in other.names
        } and not changed & {"name", "alias", "weakAlias", "previousName"}:
            changed.add("names")
        if {repr(d) for d in self.dates} != {repr(d) for d in other.dates} and not changed & {
            d.prop for d in self.dates + other.dates
        }:
            changed.add("dates")
        return sorted(changed)


# -- dates ----------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january", "janvier"),
            ("feb", "february", "fevrier", "février"),
            ("mar", "march", "mars"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juillet"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre"),
        ],
        start=1,
    )
    for m in names
}

_CIRCA = re.compile(r"^\s*(circa|ca\.?|c\.|approx(\.|imately)?|about|around)\s+", re.I)


def _ymd(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or month == 0:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None or day == 0:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _parse_single(text: str, dayfirst: bool = True) -> str | None:
    text = text.strip().strip(".,;")
    if not text:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*)?", text)
    if m:
        return _ymd(int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
    if m:
        a, b = int(m[1]), int(m[2])
        day, month = (a, b) if dayfirst else (b, a)
        return _ymd(int(m[3]), month, day)
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", text)
    if m:
        return _ymd(int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2})\s*[ \-]\s*([A-Za-zéû]+)\.?\s*[ \-,]\s*(\d{4})", text)
    if m and m[2].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    m = re.fullmatch(r"([A-Za-zéû]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if m and m[1].lower() in _MONTHS:
        return _ymd(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    m = re.fullmatch(r"([A-Za-zéû]+)\.?[ \-,]+(\d{4})", text)
    if m and m[1].lower() in _MONTHS:
        return _ymd(int(m[2]), _MONTHS[m[1].lower()])
    return None


#: Distinct date texts whose parse is remembered (a file repeats its dates of birth: a
#: century of days is ~37,000); a FuzzyDate is frozen, so one object serves every row.
DATE_CACHE_SIZE = 65_536


def parse_date(text: Any, prop: str = "birthDate", dayfirst: bool = True) -> FuzzyDate | None:
    """Parse a date as lists write it, keeping its precision; None if not a date.

    Understands ``1952``, ``1952-10``, ``1952-10-07``, ``07/10/1952`` (day first
    by default; ``00`` parts mean unknown), ``07 Oct 1952``, ``Oct 1952``,
    ``circa 1952``, ``1952 to 1954`` and ``1952-1954``. The parse is pure: one per
    distinct text (a bounded cache; other values than strings are parsed each time).
    """
    if type(text) is str:
        return _parse_date_text(text, prop, dayfirst)
    return _parse_date(text, prop, dayfirst)


@lru_cache(maxsize=DATE_CACHE_SIZE)
def _parse_date_text(text: str, prop: str, dayfirst: bool) -> FuzzyDate | None:
    return _parse_date(text, prop, dayfirst)


def _parse_date(text: Any, prop: str, dayfirst: bool) -> FuzzyDate | None:
    raw = clean_text(text)
    if raw is None:
        return None
    circa = False
    m = _CIRCA.match(raw)
    if m:
        circa = True
        raw = raw[m.end() :]
    m = re.fullmatch(r"(\d{4})\s*(?:-|to|–|/)\s*(\d{4})", raw, re.I)
    if m and m[1] < m[2]:
        return FuzzyDate(m[1], prop=prop, circa=circa, end=m[2])
    m = re.fullmatch(r"(.+?)\s+(?:to|–)\s+(.+)", raw, re.I)
    if m:
        start, end = _parse_single(m[1], dayfirst), _parse_single(m[2], dayfirst)
        if start and end:
            return FuzzyDate(start, prop=prop, circa=circa, end=end)
    value = _parse_single(raw, dayfirst)
    if value is None:
        return None
    return FuzzyDate(value, prop=prop, circa=circa)


def iter_unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order without duplicates."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(value, None)
    return list(seen)
