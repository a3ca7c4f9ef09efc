"""EU Financial Sanctions Files (FSF), CSV v1.0 and v1.1.

Both are semicolon-separated with one row per (subject x name / address /
birth date / identification / citizenship / regulation); rows of one subject
are contiguous and share ``Entity_logical_id`` (v1.0) or ``Entity_LogicalId``
(v1.1). Columns are read by name, never by position, through :data:`FIELDS`.

Two quirks of files that went through a spreadsheet are handled:

* each line wrapped in one quoted cell (``"a;b;c<TAB><TAB>..."``), quotes
  inside doubled, and every comma of the original turned into a tab (the
  spreadsheet split the line at commas; tabs inside plus padding tabs always
  add up to the same cell count): the cell is unwrapped, its padding dropped,
  its tabs turned back into commas, and then it is split on semicolons;
* Windows-1252 bytes: lines that are not UTF-8 are decoded as cp1252. Names
  whose letters the spreadsheet already replaced by ``?`` (Greek, for example)
  are skipped with a warning rather than kept as ``???? ????``.

A short last row (a cut file) is skipped and reported as a sign of an incomplete
file (:func:`~sanctions.sources.base.file_incomplete`: the load holds the version for
an admin, it never becomes current on its own); a short row anywhere else is a
:class:`FormatError`.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from sanctions.errors import FormatError
from sanctions.model import Entity, parse_date

from .base import decode_head, file_incomplete, open_stream
from .eu_common import (
    DEFAULT_DATASET,
    add_address,
    add_identification,
    add_programme,
    birth_date,
    country,
    name_kind,
    schema_for,
)

__all__ = ["FORMAT", "DEFAULT_DATASET", "FIELDS", "detect", "parse", "published"]

log = logging.getLogger(__name__)

FORMAT = "eu_fsf_csv"

# Our name -> column names in v1.1 and v1.0 (first one present wins).
FIELDS: dict[str, tuple[str, ...]] = {
    "file_date": ("fileGenerationDate", "Date_file", "Date_filexxxx"),
    "entity_id": ("Entity_LogicalId", "Entity_logical_id"),
    "subject_type": ("Entity_SubjectType", "Subject_type", "Entity_SubjectType_ClassificationCode"),
    "eu_ref": ("Entity_EU_ReferenceNumber", "EU_ref_num"),
    "un_id": ("Entity_UnitedNationId",),
    "designation_date": ("Entity_DesignationDate",),
    "remark": ("Entity_Remark", "Entity_remark"),
    "programme": ("Entity_Regulation_Programme", "Programme"),
    "publication_date": ("Entity_Regulation_PublicationDate", "Leba_publication_date"),
    "url": ("Entity_Regulation_PublicationURL", "Leba_url"),
    "whole_name": ("NameAlias_WholeName", "Naal_wholename"),
    "first_name": ("NameAlias_FirstName", "Naal_firstname"),
    "middle_name": ("NameAlias_MiddleName", "Naal_middlename"),
    "last_name": ("NameAlias_LastName", "Naal_lastname"),
    "title": ("NameAlias_Title", "Naal_title"),
    "function": ("NameAlias_Function", "Naal_function"),
    "gender": ("NameAlias_Gender", "Naal_gender"),
    "name_lang": ("NameAlias_NameLanguage", "Naal_language"),
    "strong": ("NameAlias_Strong",),
    "addr_number": ("Addr_number",),
    "street": ("Address_Street", "Addr_street"),
    "po_box": ("Address_PoBox",),
    "place": ("Address_Place",),
    "city": ("Address_City", "Addr_city"),
    "zip": ("Address_ZipCode", "Addr_zipcode"),
    "region": ("Address_Region",),
    "addr_other": ("Addr_other",),
    "addr_country": ("Address_CountryIso2Code", "Addr_country"),
    "addr_country_desc": ("Address_CountryDescription",),
    "birth_date": ("BirthDate_BirthDate", "Birt_date"),
    "birth_day": ("BirthDate_Day",),
    "birth_month": ("BirthDate_Month",),
    "birth_year": ("BirthDate_Year",),
    "birth_from": ("BirthDate_YearRangeFrom",),
    "birth_to": ("BirthDate_YearRangeTo",),
    "birth_circa": ("BirthDate_Circa",),
    "birth_place": ("BirthDate_Place",),
    "birth_city": ("BirthDate_City", "Birt_place"),
    "birth_country": ("BirthDate_CountryIso2Code", "Birt_country"),
    "iden_number": ("Identification_Number", "Iden_number"),
    "iden_type": ("Identification_TypeCode",),
    "iden_desc": ("Identification_TypeDescription",),
    "iden_country": ("Identification_CountryIso2Code", "Iden_country"),
    "citizenship": ("Citizenship_CountryIso2Code", "Citi_country"),
    "citizenship_desc": ("Citizenship_CountryDescription",),
}

# v1.0 writes identifications as "NUMBER (type-Description) (remark)".
_IDEN_V10 = re.compile(r"^(?P<number>.+?)\s*\((?P<code>[a-z]+)-(?P<desc>[^)]*)\)\s*(?P<rest>.*)$")
_LOST_LETTERS = re.compile(r"\?")

_EMPTY = {"-": "", "N/A": "", "n/a": ""}  # placeholders for "no value"

Row = dict[str, str]


def detect(head: bytes) -> bool:
    first = decode_head(head).lstrip().split("\n", 1)[0].lower()
    return "entity_logical_id" in first or "entity_logicalid" in first


def _lines(path: Path) -> Iterator[str]:
    """Text lines of the file: UTF-8, or cp1252 for lines that are not UTF-8."""
    warned = False
    with open_stream(path) as stream:
        for number, raw in enumerate(stream, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                if not warned:
                    log.warning("%s: line %d is not UTF-8, reading it as cp1252", path, number)
                    warned = True
                yield raw.decode("cp1252", errors="replace")


def _split(line: str) -> list[str]:
    return next(csv.reader([line], delimiter=";"), [])


def _records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each record, unwrapping spreadsheet-quoted lines."""
    reader = csv.reader(_lines(path), delimiter=";")
    wrapped: bool | None = None
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if wrapped is None:
                wrapped = len(row) == 1 and row[0].count(";") > 2
            if wrapped and row:
                row = _split(row[0].rstrip("\t\r\n").replace("\t", ","))
            yield start, [cell.strip() for cell in row]
    except csv.Error as exc:
        raise FormatError(f"malformed CSV: {exc}", path, line=line) from exc


def _header_index(path: Path, header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name.strip(), i)
    index: dict[str, int] = {}
    for key, cols in FIELDS.items():
        for col in cols:
            if col in positions:
                index[key] = positions[col]
                break
    if "entity_id" not in index:
        raise FormatError("no Entity_LogicalId / Entity_logical_id column", path, line=1)
    return index


def _rows(path: Path) -> Iterator[tuple[int, Row]]:
    records = _records(path)
    first = next(records, None)
    if first is None:
        raise FormatError("file is empty", path)
    index = _header_index(path, first[1])
    width = max(index.values()) + 1
    short: int | None = None
    for line, cells in records:
        if not any(cells):
            continue
        if short is not None:
            raise FormatError(
                f"row has fewer columns than the header needs ({width})", path, line=short
            )
        if len(cells) < width:
            short = line
            continue
        yield line, {key: _EMPTY.get(cells[i], cells[i]) for key, i in index.items()}
    if short is not None:
        file_incomplete(path, f"last row (line {short}) is cut short; skipped")


def _name(entity: Entity, row: Row) -> bool:
    """Add the row's name, if any; False when it was skipped for lost letters."""
    parts = {
        "firstName": row.get("first_name"),
        "middleName": row.get("middle_name"),
        "lastName": row.get("last_name"),
        "title": row.get("title"),
    }
    whole = row.get("whole_name") or " ".join(
        p for k in ("firstName", "middleName", "lastName") if (p := parts[k])
    )
    if not whole or any(n.name == whole for n in entity.names):
        return True
    if _LOST_LETTERS.search(whole):
        return False
    has_primary = any(n.kind == "primary" for n in entity.names)
    kind = name_kind(row.get("strong") or None, has_primary)
    lang = (row.get("name_lang") or "").lower() or None
    entity.add_name(whole, kind, lang=lang, **parts)
    entity.add("position", row.get("function"))
    gender = {"M": "male", "F": "female"}.get((row.get("gender") or "").upper())
    if entity.schema == "Person":
        entity.add("gender", gender)
    return True


def _identification(entity: Entity, row: Row) -> None:
    number, code = row.get("iden_number"), row.get("iden_type")
    desc = row.get("iden_desc")
    match = _IDEN_V10.match(number or "") if number and not code else None
    if match:
        number, code, desc = match["number"], match["code"], match["desc"]
        rest = match["rest"].strip()
        if rest and rest != f"(({code}))":
            entity.add("notes", f"{number}: {rest}")
    add_identification(entity, number, code, desc, row.get("iden_country"))


def _details(entity: Entity, row: Row) -> None:
    date = birth_date(
        full=row.get("birth_date"),
        day=row.get("birth_day"),
        month=row.get("birth_month"),
        year=row.get("birth_year"),
        circa=row.get("birth_circa"),
        range_from=row.get("birth_from"),
        range_to=row.get("birth_to"),
    )
    entity.add_date(date)
    place = [row.get(k) for k in ("birth_place", "birth_city")]
    entity.add("birthPlace", ", ".join(p for p in place if p) or None)
    entity.add("birthCountry", country(row.get("birth_country")))
    entity.add("citizenship", country(row.get("citizenship"), row.get("citizenship_desc")))
    address_keys = ("addr_number", "street", "po_box", "place", "city", "zip", "region")
    address = [row.get(k) for k in address_keys] + [row.get("addr_other")]
    if any(address) or row.get("addr_country"):
        add_address(entity, address, row.get("addr_country") or row.get("addr_country_desc"))
    _identification(entity, row)


def _entity(rows: list[tuple[int, Row]], dataset: str, path: Path, lost: list[int]) -> Entity:
    """One subject from its rows; lines of names skipped for lost letters go to ``lost``."""
    line, first = rows[0]
    schema = schema_for(first.get("subject_type"))
    entity = Entity.create(dataset, first["entity_id"], schema, source_file=path.name)
    entity.add("unscId", first.get("un_id"))
    if first.get("eu_ref"):
        entity.add("notes", f"EU reference number: {first['eu_ref']}")
    for row_line, row in rows:
        add_programme(entity, row.get("programme"), row.get("publication_date"))
        entity.add("notes", (row.get("remark") or "").replace("\\n", "\n"))
        entity.add("sourceUrl", row.get("url"))
        if not _name(entity, row):
            lost.append(row_line)
        _details(entity, row)
    designated = parse_date((first.get("designation_date") or "")[:10])
    if designated is not None:
        entity.listing.listed_on = designated.value
    if not entity.names:
        raise FormatError(f"entity {first['entity_id']} has no usable name", path, line=line)
    return entity


def _grouped(rows: Iterable[tuple[int, Row]], path: Path) -> Iterator[list[tuple[int, Row]]]:
    done: set[str] = set()
    group: list[tuple[int, Row]] = []
    for line, row in rows:
        entity_id = row.get("entity_id")
        if not entity_id:
            raise FormatError("row without an entity logical id", path, line=line)
        if group and group[0][1]["entity_id"] != entity_id:
            done.add(group[0][1]["entity_id"])
            yield group
            group = []
        if entity_id in done:
            raise FormatError(f"rows of entity {entity_id} are not contiguous", path, line=line)
        group.append((line, row))
    if group:
        yield group


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream the subjects of an EU FSF CSV (v1.0 or v1.1) file."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    lost: list[int] = []
    for group in _grouped(_rows(path), path):
        yield _entity(group, dataset, path, lost)
    if lost:
        log.warning(
            "%s: %d names skipped because a spreadsheet replaced their letters by '?' "
            "(first at line %d)",
            path,
            len(lost),
            lost[0],
        )


def published(path: Path) -> str | None:
    """The file date of the first row (``Date_file`` / ``fileGenerationDate``)."""
    for _line, row in _rows(Path(path)):
        date = parse_date((row.get("file_date") or "")[:10])
        return date.value if date else None
    return None
