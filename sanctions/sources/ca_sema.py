"""Canada Consolidated Autonomous Sanctions List (SEMA), dataset ``ca_dfatd_sema_sanctions``.

XML ``<data-set>`` of ``<record>`` elements, or the CSV with the same field names.
Two generations of fields are read alike:

* old (until ~2021): ``Country``, ``Entity``, ``Title``, ``LastName``,
  ``GivenName``, ``Aliases``, ``DateOfBirth``, ``Schedule``, ``Item``;
* current: ``Country``, ``LastName``, ``GivenName``, ``EntityOrShip``,
  ``TitleOrShip``, ``ShipIMONumber``, ``DateOfBirthOrShipBuildDate``, ``Aliases``,
  ``Schedule``, ``Item``, ``DateOfListing``.

``Country`` is the regime (bilingual, ``Russia / Russie``) and becomes the programme.

Authority id. The records carry no id. We derive one from where the regulation
puts the listing: ``{regime}-{schedule}-{item}`` slugged, e.g.
``russia-1-part-1-123`` (the regime's acronym when it has one, e.g. ``jvcfor-na-12``).
Schedule and item numbers are what the regulations themselves cite, so they hold
across versions of the file. Weaknesses: Canada renumbers items when a schedule
is rewritten (then the id changes and the listing shows as removed + added), and
a record without an ``Item`` falls back to a hash of regime + name + date of birth,
which changes when the name's spelling is corrected. Within one file ids are kept
unique: a repeated key also falls back to the hash (logged).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path

from rapidfuzz import fuzz

from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from .base import decode_head, iter_csv, iter_xml, localname, not_understood, sniff

log = logging.getLogger(__name__)

FORMAT = "ca_sema"
DEFAULT_DATASET = "ca_dfatd_sema_sanctions"

FIELDS = (
    "Country",
    "LastName",
    "GivenName",
    "Entity",
    "EntityOrShip",
    "Title",
    "TitleOrShip",
    "ShipIMONumber",
    "DateOfBirth",
    "DateOfBirthOrShipBuildDate",
    "Aliases",
    "Schedule",
    "Item",
    "DateOfListing",
)
_ALIAS_SPLIT = re.compile(r"\s*[;,]\s*(?![^()]*\))")
_DATE_SPLIT = re.compile(r"\s*(?:;|\bor\b|\bou\b)\s*", re.I)
# fuzz.ratio (0-100) from which two words are spellings of one name part:
# Andrei/Andrey 83, Lydia/Lidia 80, Oleksii/Aleksey 57, Arina/Vera 44.
SPELLING_SIMILARITY = 60
_ACRONYM = re.compile(r"\(([A-Z]{3,})\)")


def detect(head: bytes) -> bool:
    text = decode_head(head)
    if "<data-set" in text and "<record" in text:
        return "<Country>" in text
    first = text.lstrip().split("\n", 1)[0]
    return "Country" in first and ("GivenName" in first or "LastName" in first) and "Item" in first


def slug(text: str) -> str:
    """Lowercase ASCII words joined by dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def regime_key(country: str) -> str:
    """Short, stable key of a regime: its acronym if it has one, else its English name."""
    match = _ACRONYM.search(country)
    if match:
        return match.group(1).lower()
    return slug(country.split("/")[0]) or "unknown"


def _hash_id(record: dict[str, str | None]) -> str:
    key = "|".join(
        (record.get(f) or "").lower()
        for f in ("Country", "LastName", "GivenName", "Entity", "EntityOrShip", "DateOfBirth")
    )
    return "h" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def authority_id(record: dict[str, str | None]) -> str:
    """The derived id (see the module docstring)."""
    item = record.get("Item")
    if not item:
        return _hash_id(record)
    schedule = slug(record.get("Schedule") or "") or "na"
    return f"{regime_key(record.get('Country') or '')}-{schedule}-{slug(item)}"


def _schema(record: dict[str, str | None]) -> str:
    if record.get("LastName") or record.get("GivenName"):
        return "Person"
    if record.get("ShipIMONumber"):
        return "Vessel"
    return "Organization"


def _add_dates(entity: Entity, text: str | None, prop: str) -> None:
    for piece in _DATE_SPLIT.split(text or ""):
        date = parse_date(piece, prop=prop)
        if date is not None:
            entity.add_date(date)
        elif clean_text(piece):
            not_understood(entity, prop, piece)


def _similar(a: str, b: str) -> bool:
    """Two spellings of one name part (``Andrei``/``Andrey``, ``ERYGIN``/``YERYGIN``)."""
    return fuzz.ratio(a.lower(), b.lower()) >= SPELLING_SIMILARITY


def complete_alias(alias: str, given: str | None, last: str | None) -> str | None:
    """The full name an alias that spells only one part of a person's name stands for.

    SEMA often lists spelling variants of one name part as aliases: ``Andrei`` for
    ``Andrey Igorevich AKIMOV``, ``ERYGIN`` for ``Vladimir Vladimirovich YERYGIN``,
    ``Sergei Nikolaevich`` for ``Sergey Nikolayevich STANKEVICH``. The variant
    replaces the part it spells and the rest of the name is kept:
    ``Andrei Igorevich AKIMOV``. Returns None when the alias is not such a
    variant (a full name, a nickname like ``Motorola``): it is then a name of its own.
    """
    given_tokens = (given or "").split()
    last_tokens = (last or "").split()
    tokens = alias.split()
    if not tokens or not given_tokens or not last_tokens:
        return None
    upper = [t for t in tokens if t.isupper() and len(t) > 1]
    if upper and len(upper) < len(tokens):
        return None  # given and family name both there ("Oleksii SALYAYEV"): a full name
    if upper:  # a family-name variant, written in capitals as the list writes family names
        if len(tokens) == len(last_tokens) and all(map(_similar, tokens, last_tokens)):
            return " ".join(given_tokens + tokens)
        return None
    if any(part.lower() in alias.lower() for part in last_tokens):
        return None  # the family name is in it already ("Amir Ali Hajizadeh")
    if len(tokens) <= len(given_tokens) and all(map(_similar, tokens, given_tokens)):
        return " ".join(tokens + given_tokens[len(tokens) :] + last_tokens)
    return None


def _add_person_alias(entity: Entity, alias: str, given: str | None, last: str | None) -> None:
    alias = clean_text(alias) or ""
    full = complete_alias(alias, clean_text(given), clean_text(last))
    entity.add_name(full or alias, NameKind.ALIAS)


def _entity(record: dict[str, str | None], dataset: str, source: str, key: str) -> Entity:
    schema = _schema(record)
    entity = Entity.create(dataset, key, schema, source_file=source)
    title = record.get("Title") or record.get("TitleOrShip")
    if schema == "Person":
        given, last = record.get("GivenName"), record.get("LastName")
        name = " ".join(p for p in (given, last) if p)
        entity.add_name(name, NameKind.PRIMARY, firstName=given, lastName=last)
        entity.add("title", title)
    else:
        entity.add_name(record.get("Entity") or record.get("EntityOrShip"), NameKind.PRIMARY)
        if schema == "Vessel":
            entity.add("type", title)
    for alias in _ALIAS_SPLIT.split(record.get("Aliases") or ""):
        if schema == "Person":
            _add_person_alias(entity, alias, record.get("GivenName"), record.get("LastName"))
        else:
            entity.add_name(alias, NameKind.ALIAS)
    entity.add("imoNumber", record.get("ShipIMONumber"))
    date_prop = "buildDate" if schema == "Vessel" else "birthDate"
    _add_dates(
        entity, record.get("DateOfBirth") or record.get("DateOfBirthOrShipBuildDate"), date_prop
    )
    regime = record.get("Country")
    if regime:
        entity.listing.programs.append(regime)
        entity.add("program", regime)
    listed = parse_date(record.get("DateOfListing"), prop="listedOn")
    entity.listing.listed_on = listed.value if listed else None
    return entity


def _xml_records(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    for _, elem in iter_xml(path, tags={"record"}):
        record = {localname(c.tag): clean_text(c.text) for c in elem}
        line = elem.sourceline
        elem.clear()
        yield line, record


def _csv_records(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    header: list[str] | None = None
    for line, row in iter_csv(path):
        if header is None:
            header = [c.strip() for c in row]
            if "Country" not in header:
                raise FormatError("missing required column 'Country'", path, line, "Country")
            continue
        if any(c.strip() for c in row):
            yield line, {h: clean_text(v) for h, v in zip(header, row, strict=False)}


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream one entity per record."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    is_xml = decode_head(sniff(path, 512)).lstrip().startswith("<")
    records = _xml_records(path) if is_xml else _csv_records(path)
    seen: set[str] = set()
    for line, record in records:
        if not (record.get("Entity") or record.get("EntityOrShip") or record.get("LastName")):
            if not record.get("GivenName"):
                raise FormatError("record has no name", path, line=line, field="LastName")
        key = authority_id(record)
        if key in seen:
            log.warning("%s line %s: repeated key %s, using a hash id", path, line, key)
            key = _hash_id(record)
        if key in seen:
            raise FormatError(f"duplicate record {key}", path, line=line)
        seen.add(key)
        try:
            yield _entity(record, dataset, path.name, key)
        except ValueError as exc:
            raise FormatError(str(exc), path, line=line) from exc
