"""UK FCDO "UK Sanctions List" (CSV and XML), dataset ``gb_fcdo_sanctions``.

CSV: a first line ``Report Date: DD-Mon-YYYY``, then a header; one row per name of
a designation, rows sharing ``Unique ID`` (e.g. ``RUS0001``, the authority id) are
one designation. XML: one ``<Designation>`` per listing with the same fields as
elements and the names as repeated ``<Name>`` (``Name1``..``Name6``, ``NameType``,
``AliasStrength``) and ``<NonLatinName>`` elements.

No real file of this list is available to us: the field names follow FORMATS.md
and the published column headings, and both readers compare names after
normalisation (case, spaces and punctuation ignored: ``D.O.B`` = ``DOB``,
``Regime Name`` = ``RegimeName``) so that small heading changes do not break them.
Unknown fields are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from .base import csv_record, decode_head, iter_csv, iter_xml, localname
from .uk_documents import add_documents
from .uk_ofsi import (
    add_country,
    add_dates,
    add_uk_name,
    check_columns,
    extract_un_refs,
    group_rows,
    split_enumeration,
)

FORMAT = "uk_fcdo"
DEFAULT_DATASET = "gb_fcdo_sanctions"

SCHEMA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}

NAME_TYPES = {
    "primaryname": NameKind.PRIMARY,
    "primarynamevariation": NameKind.ALIAS,
    "alias": NameKind.ALIAS,
    "aka": NameKind.ALIAS,
    "formername": NameKind.PREVIOUS,
    "previousname": NameKind.PREVIOUS,
    "fka": NameKind.PREVIOUS,
}

# normalised field name -> FtM property, for values copied as they are.
PLAIN = {
    "position": "position",
    "gender": "gender",
    "emailaddress": "email",
    "website": "website",
    "phonenumber": "phone",
    "businessregistrationnumber": "registrationNumber",
    "imonumber": "imoNumber",
    "typeofship": "type",
    "typeofentity": "legalForm",
    "currentowneroperators": "owner",
    "currentowneroperator": "owner",
    "parentcompany": "parent",
    "unreferencenumber": "unscId",
    "ukstatementofreasons": "notes",
    "otherinformation": "notes",
}
FLAG_FIELDS = ("vesselflag", "currentbelievedflagofship", "flagofship")
NATIONALITY_FIELDS = ("nationalityies", "nationality", "nationalities")
ID_FIELDS = ("nationalidentifiernumber", "nationalidentificationnumber")
TYPE_FIELDS = ("designationtype", "individualentityship", "grouptype")
REGIME_FIELDS = ("regimename", "regime")
LISTED_FIELDS = ("datedesignated", "designateddate")
ADDRESS_FIELDS = tuple(f"addressline{i}" for i in range(1, 7)) + (
    "addresspostalcode",
    "addresscountry",
)
NAME_FIELDS = {f"name{i}": f"Name {i}" for i in range(1, 7)} | {"title": "Title"}

_NORM = re.compile(r"[^a-z0-9]")


def norm(name: str) -> str:
    """Field name compared without case, spaces or punctuation."""
    return _NORM.sub("", name.lower())


def detect(head: bytes) -> bool:
    text = decode_head(head)
    if "<Designations" in text or "<Designation>" in text:
        return "UniqueID" in text or "Unique ID" in text
    first = text.lstrip().split("\n", 2)
    return bool(first) and first[0].startswith("Report Date") and "Unique ID" in text[:4096]


def _is_xml(path: Path) -> bool:
    from .base import sniff

    return decode_head(sniff(path, 512)).lstrip().startswith("<")


def published(path: Path) -> str | None:
    """The report date the file states."""
    path = Path(path)
    if _is_xml(path):
        for _, elem in iter_xml(path, events=("start",)):
            for key in ("DateGenerated", "ReportDate", "dateGenerated", "reportDate"):
                if elem.get(key):
                    date = parse_date(elem.get(key)[:10])
                    return date.value if date else None
            return None
    for _, row in iter_csv(path):
        if row and row[0].startswith("Report Date"):
            date = parse_date(row[0].split(":", 1)[-1])
            return date.value if date else None
        return None
    return None


def _schema(path: Path, line: int, fields: dict[str, Any]) -> str:
    for key in TYPE_FIELDS:
        value = (fields.get(key) or "").strip().lower()
        if value:
            if value not in SCHEMA:
                raise FormatError(f"unknown designation type {value!r}", path, line, key)
            return SCHEMA[value]
    raise FormatError("designation has no type (Individual, Entity, Ship)", path, line)


def _name_kind(fields: dict[str, str | None]) -> NameKind:
    kind = NAME_TYPES.get(norm(fields.get("nametype") or ""), NameKind.ALIAS)
    strength = (fields.get("aliasstrength") or fields.get("aliasquality") or "").lower()
    if kind == NameKind.ALIAS and strength.startswith("low"):
        return NameKind.WEAK
    return kind


def add_name_fields(entity: Entity, fields: dict[str, str | None]) -> None:
    """Add the Latin name (Name 1..6) and/or the non-Latin name of one name record."""
    parts = {label: fields.get(key) for key, label in NAME_FIELDS.items()}
    if any(parts[f"Name {i}"] for i in range(1, 7)):
        add_uk_name(entity, parts, _name_kind(fields), entity.schema == "Person")
    original = fields.get("namenonlatinscript")
    if original:
        entity.add_name(
            original,
            NameKind.ORIGINAL,
            lang=fields.get("nonlatinscriptlanguage"),
            script=fields.get("nonlatinscripttype"),
        )


def add_fields(entity: Entity, fields: dict[str, str | None]) -> None:
    """Add every non-name field present in ``fields`` (normalised names)."""
    for key, prop in PLAIN.items():
        entity.add(prop, fields.get(key))
    entity.add("unscId", extract_un_refs(fields.get("otherinformation")))
    add_dates(entity, fields.get("dob"))
    if entity.schema == "Vessel":
        add_dates(entity, fields.get("yearbuilt"), prop="buildDate")
    for key in NATIONALITY_FIELDS:
        for value in split_enumeration(fields.get(key)):
            add_country(entity, "nationality", value)
    for key in FLAG_FIELDS:
        add_country(entity, "flag", fields.get(key))
    for key in ID_FIELDS:
        add_documents(entity, "idNumber", fields.get(key))
    add_documents(entity, "passportNumber", fields.get("passportnumber"))
    birth = [fields.get("townofbirth"), fields.get("countryofbirth")]
    entity.add("birthPlace", ", ".join(p for p in birth if p))
    address = [fields.get(k) for k in ADDRESS_FIELDS]
    entity.add("address", ", ".join(p for p in address if p))
    add_country(entity, "country", fields.get("addresscountry"))
    for key in REGIME_FIELDS:
        regime = fields.get(key)
        if regime and regime not in entity.listing.programs:
            entity.listing.programs.append(regime)
            entity.add("program", regime)
    for key in LISTED_FIELDS:
        date = parse_date(fields.get(key), prop="listedOn")
        if date and (entity.listing.listed_on is None or date.value < entity.listing.listed_on):
            entity.listing.listed_on = date.value


def _add_row(entity: Entity, fields: dict[str, str | None]) -> None:
    add_name_fields(entity, fields)
    add_fields(entity, fields)


# -- CSV ------------------------------------------------------------------------


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    header: list[str] | None = None
    for line, row in iter_csv(path):
        if header is None:
            if not row or row[0].startswith("Report Date") or not any(row):
                continue
            header = [norm(c) for c in row]
            check_columns(path, header, ("uniqueid",), line)
            if not any(k in header for k in TYPE_FIELDS):
                raise FormatError(
                    "missing required column 'Designation Type'", path, line, "Designation Type"
                )
            continue
        if not any(c.strip() for c in row):
            continue
        yield line, csv_record(path, line, header, row)
    if header is None:
        raise FormatError("no header row", path, line=1)


# -- XML ------------------------------------------------------------------------


def _children(elem: Any) -> dict[str, str | None]:
    """Text of the leaf children of ``elem`` by normalised local name."""
    return {norm(localname(c.tag)): clean_text(c.text) for c in elem if len(c) == 0}


def _xml_designation(path: Path, elem: Any, dataset: str) -> Entity:
    top = _children(elem)
    authority_id = top.get("uniqueid")
    line = elem.sourceline
    if not authority_id:
        raise FormatError("Designation has no UniqueID", path, line=line, field="UniqueID")
    schema = _schema(path, line, top)
    entity = Entity.create(dataset, authority_id, schema, source_file=path.name)
    for node in elem.iter():
        tag = norm(localname(node.tag))
        if node is elem:
            continue
        if tag in ("name", "nonlatinname") and len(node):
            add_name_fields(entity, _children(node))
        elif tag in ("address", "location", "birthdetails") and len(node):
            add_fields(entity, _children(node))
        elif (
            len(node) == 0
            and (tag == "title" or tag not in NAME_FIELDS)
            and tag not in ADDRESS_FIELDS
        ):
            if tag in ("townofbirth", "countryofbirth", "nametype", "aliasstrength"):
                continue
            if tag == "title" and norm(localname(node.getparent().tag)) != "name":
                entity.add("title", node.text)
                continue
            add_fields(entity, {tag: clean_text(node.text)})
    return entity


def _parse_xml(path: Path, dataset: str) -> Iterator[Entity]:
    for _, elem in iter_xml(path, tags={"Designation"}):
        try:
            yield _xml_designation(path, elem, dataset)
        except ValueError as exc:
            raise FormatError(str(exc), path, line=elem.sourceline) from exc
        elem.clear()


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream one entity per designation, from the CSV or the XML."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    if _is_xml(path):
        yield from _parse_xml(path, dataset)
    else:
        yield from group_rows(path, dataset, _csv_rows(path), "uniqueid", _schema, _add_row)
