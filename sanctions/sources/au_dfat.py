"""Australia DFAT Consolidated List (Excel workbook), dataset ``au_dfat_sanctions``.

One sheet; one row per name. ``Reference`` groups the rows of a listing: ``12`` is
the primary name, ``12a``, ``12b``, ``12b1``... its other names (aliases, original
script, former names); the number is the authority id. Columns are read by name:
``Name of Individual or Entity``, ``Type``, ``Name Type`` (``Primary Name``,
``aka``, ``Original Script``, ``Formerly known as``...; written in varying case
and with trailing spaces), ``Date of Birth`` (Excel dates, years as numbers or
free text: ``a) 1955 b) 1958``, ``Approximately 1963``, ``Between 1955 and 1958``),
``Place of Birth``, ``Citizenship``, ``Address``, ``Additional Information``,
``Listing Information``, ``Committees`` (the regime) and ``Control Date``.

Detection: :func:`~sanctions.sources.base.sniff` hands us the decompressed
*largest* member of the zip, for this workbook ``xl/worksheets/sheet1.xml`` (for a
small workbook written by openpyxl it is ``xl/theme/theme1.xml``, a DrawingML part),
so ``detect`` can only see that the file is an Office Open XML package; :func:`parse`
then checks the DFAT header and raises :class:`FormatError` when it is not there.
This is the only Office format we read, so "any xlsx" is a safe guess to try.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.countries import address_countries
from sanctions.errors import FormatError
from sanctions.model import Entity, FuzzyDate, NameKind, clean_text, parse_date

from .base import (
    DATE_IN_TEXT,
    READ_ERRORS,
    add_latest_date,
    check_size,
    date_of_match,
    decode_head,
    not_understood,
)
from .uk_ofsi import add_country, split_enumeration

FORMAT = "au_dfat_xlsx"
DEFAULT_DATASET = "au_dfat_sanctions"

REQUIRED = ("Reference", "Name of Individual or Entity", "Name Type")
SCHEMA = {"individual": "Person", "entity": "Organization", "vessel": "Vessel"}
NAME_TYPES = {
    "primary name": NameKind.PRIMARY,
    "aka": NameKind.ALIAS,
    "alias": NameKind.ALIAS,
    "original script": NameKind.ORIGINAL,
    "formerly known as": NameKind.PREVIOUS,
    "previously listed as": NameKind.PREVIOUS,
    "fka": NameKind.PREVIOUS,
}
_REFERENCE = re.compile(r"^\s*(\d+)\s*([a-z]*\d*)\s*$", re.I)
_EMPTY = {"na", "n/a", "-", "none"}
# Pieces of a date of birth cell: enumerations, ";", "alt DOB", "or", "," between dates.
_DATE_SPLIT = re.compile(
    r"\s*(?:;|>>|\balt\.?\s+(?:dob|born)\b:?|\bor\b|,(?=\s*\d{1,2}/))\s*", re.I
)
_BETWEEN = re.compile(r"^between\s+(.+?)\s+(?:and|to)\s+(.+)$", re.I)
_APPROX = re.compile(r"^\s*(?:approximately|approx\.?|circa|about)\s*", re.I)
# What may surround dates without being a fact we lose: separators and aka remarks.
_DATE_REMARK = re.compile(r"[\s.,;:()\-]|\b(?:dob|born|alt|and|approximately)\b", re.I)
_YEAR_OR_YEAR = re.compile(r"\b(\d{4})/(\d{4})\b")  # "1977/1978": either year
_BRACKETS = re.compile(r"\([^)]*\)")
_CALENDAR = re.compile(r"hijri|islamic calendar|solar", re.I)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
# A listing date in "Listing Information": "3 September 2002", "30 Jan. 2009", "1/02/2011".
_TEXT_DATE = re.compile(
    r"\b(\d{1,2}(?:st|nd|rd|th)? [A-Za-z]{3,9}\.? \d{4}|\d{1,2}/\d{1,2}/\d{4})\b"
)
FIRST_BIRTH_YEAR = 1880  # a year before this in a date of birth is another calendar or a typo


_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4}-\d{2}-\d{2})")


def published(path: Path) -> str | None:
    """The workbook's own "last modified" date (``docProps/core.xml``), when it states one.

    DFAT saves the workbook on the day it publishes the list; the file has no other
    as-of date (``Control Date`` is per listing).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")[: 1 << 16]
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    match = _MODIFIED.search(core)
    return match.group(1).decode() if match else None


def detect(head: bytes) -> bool:
    text = decode_head(head[:4096])
    return "http://schemas.openxmlformats.org/" in text


def _text(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    text = clean_text(value)
    if text is None or text.lower() in _EMPTY:
        return None
    return text


def _read_piece(piece: str) -> tuple[list[FuzzyDate], bool, bool]:
    """Dates of one piece of a DOB cell; whether all of it was read; whether it has a remark."""
    whole = parse_date(piece)
    if whole is not None and int(whole.value[:4]) >= FIRST_BIRTH_YEAR:
        return [whole], True, False
    circa = bool(_APPROX.match(piece))
    text = _YEAR_OR_YEAR.sub(r"\1 \2", _APPROX.sub("", piece))
    if _CALENDAR.search(text):
        return [], False, False
    between = _BETWEEN.match(text)
    if between:
        start_text, end_text = between[1], between[2]
        end = [date_of_match(m, FIRST_BIRTH_YEAR) for m in DATE_IN_TEXT.finditer(end_text)]
        if not re.search(r"\d{4}", start_text) and end and end[0]:
            start_text = f"{start_text} {end[0][:4]}"
        start = [date_of_match(m, FIRST_BIRTH_YEAR) for m in DATE_IN_TEXT.finditer(start_text)]
        if len(start) == 1 and len(end) == 1 and start[0] and end[0] and start[0] < end[0]:
            return [FuzzyDate(start[0], circa=circa, end=end[0])], True, False
        return [], False, False
    values = [date_of_match(m, FIRST_BIRTH_YEAR) for m in DATE_IN_TEXT.finditer(text)]
    dates = [FuzzyDate(v, circa=circa) for v in values if v]
    rest = DATE_IN_TEXT.sub(" ", text)
    understood = bool(dates) and all(values)
    understood = understood and not re.search(r"\d", _DATE_REMARK.sub("", _BRACKETS.sub("", rest)))
    return dates, understood, bool(re.search(r"[A-Za-z]{3,}", _DATE_REMARK.sub(" ", rest)))


def _add_dates(entity: Entity, value: Any) -> None:
    """Dates of birth of a cell, with their precision; what cannot be read is kept as text.

    Excel dates are exact days, numbers are years. Text holds enumerations
    (``a) 1955 b) 1958``), several dates (``5/06/1953 15/06/1953``), ranges
    (``Between 1963 to 1968``, ``Between Aug. and Sep 1977``), circa and remarks
    (``15 May 1968 (as Yasir ...)``, kept in notes with the dates read from them).
    """
    if isinstance(value, dt.datetime | dt.date):
        entity.add_date(FuzzyDate(value.strftime("%Y-%m-%d")))
        return
    if isinstance(value, int) and FIRST_BIRTH_YEAR <= value <= 2999:
        entity.add_date(FuzzyDate(str(value)))
        return
    for enumerated in split_enumeration(_text(value)):
        for piece in _DATE_SPLIT.split(enumerated):
            if not piece.strip(" .,;()"):
                continue
            dates, understood, remark = _read_piece(piece)
            for date in dates:
                entity.add_date(date)
            if not understood:
                not_understood(entity, "birthDate", piece)
            elif remark:  # "(as Yasir ...)", "for this aka only": kept beside the dates
                entity.add("notes", f"birthDate: {piece}")


# A damaged workbook fails while it is read (read-only mode reads lazily), not only at opening.
BROKEN_WORKBOOK = (*READ_ERRORS, KeyError, ValueError, SyntaxError)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, column -> value) of the first sheet, after checking the header."""
    check_size(path)
    try:
        yield from _sheet_rows(path)
    except BROKEN_WORKBOOK as exc:
        raise FormatError(f"not a readable Excel workbook: {exc}", path) from exc


def _sheet_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    import openpyxl

    with open(path, "rb") as fh:  # a file object: openpyxl would judge a path by its extension
        yield from _workbook_rows(path, openpyxl.load_workbook(fh, read_only=True, data_only=True))


def _workbook_rows(path: Path, workbook: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        if not workbook.worksheets:
            raise FormatError("the workbook has no sheet", path)
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = [str(c).strip() if c is not None else "" for c in row]
                for column in REQUIRED:
                    if column not in header:
                        raise FormatError(
                            f"not the DFAT Consolidated List: no column {column!r}",
                            path,
                            line=number,
                            field=column,
                        )
                continue
            if all(c is None or str(c).strip() == "" for c in row):
                continue
            yield number, {h: v for h, v in zip(header, row, strict=False) if h}
    finally:
        workbook.close()


def _new_entity(path: Path, dataset: str, ref: str, row: dict[str, Any], line: int) -> Entity:
    type_ = (_text(row.get("Type")) or "").lower()
    schema = SCHEMA.get(type_, "LegalEntity")
    if type_ and type_ not in SCHEMA:
        raise FormatError(f"unknown Type {row.get('Type')!r}", path, line=line, field="Type")
    return Entity.create(dataset, ref, schema, source_file=path.name)


def _add_row(entity: Entity, row: dict[str, Any], path: Path, line: int) -> None:
    name_type = (_text(row.get("Name Type")) or "").lower()
    if name_type not in NAME_TYPES:
        raise FormatError(f"unknown Name Type {name_type!r}", path, line=line, field="Name Type")
    entity.add_name(row.get("Name of Individual or Entity"), NAME_TYPES[name_type])
    if entity.schema in ("Person", "LegalEntity"):
        _add_dates(entity, row.get("Date of Birth"))
        entity.add("birthPlace", _text(row.get("Place of Birth")))
        for country in split_enumeration(_text(row.get("Citizenship"))):
            add_country(entity, "nationality", country)
    _add_addresses(entity, _text(row.get("Address")))
    entity.add("notes", _text(row.get("Additional Information")))
    listing = _text(row.get("Listing Information"))
    entity.add("notes", listing)
    regime = _text(row.get("Committees"))
    if regime and regime not in entity.listing.programs:
        entity.listing.programs.append(regime)
        entity.add("program", regime)
    if entity.listing.listed_on is None and listing:
        match = _TEXT_DATE.search(listing)
        date = parse_date(_ORDINAL.sub("", match[1])) if match else None
        entity.listing.listed_on = date.value if date else None
    control = row.get("Control Date")  # DFAT's date of the last change to the listing
    if isinstance(control, dt.datetime | dt.date):
        control = control.strftime("%Y-%m-%d")
    add_latest_date(entity, "modifiedAt", control)


def _add_addresses(entity: Entity, text: str | None) -> None:
    """Addresses of a cell (``a) ... b) ...``, one per line), each with its country code."""
    for address in split_enumeration(text):
        entity.add("address", address)
        for code in address_countries(address):
            entity.add("country", code)


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream one entity per numeric Reference (rows of one listing are adjacent or not)."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    entities: dict[str, Entity] = {}
    for line, row in _rows(path):
        match = _REFERENCE.match(str(row.get("Reference") or ""))
        if not match:
            raise FormatError(
                f"bad Reference {row.get('Reference')!r}", path, line=line, field="Reference"
            )
        ref = match[1]
        entity = entities.get(ref)
        if entity is None:
            entity = entities[ref] = _new_entity(path, dataset, ref, row, line)
        try:
            _add_row(entity, row, path, line)
        except ValueError as exc:
            raise FormatError(str(exc), path, line=line) from exc
    yield from entities.values()
