"""UK OFSI Consolidated List ("ConList.csv"), dataset ``gb_hmt_sanctions``.

The file starts with a row ``Last Updated,DD/MM/YYYY`` and then the header. Each
following row is one *name* of a designation; the rows sharing a ``Group ID`` are
one designation (the authority id). Old files (2018) are Windows-1252; the 2022
format is the same shape with a few more columns (non-Latin names, alias quality,
passport number, ship details...). Columns are read by name, unknown ones ignored.

The UN reference is not a column in the ConList: OFSI cites it in the free-text
"Other Information" (``UN Ref QDi.001``, ``UN REF:QE.A.146.14``...); we extract it
into ``unscId``. Passport and national identifier columns are free text, read by
:mod:`sanctions.sources.uk_documents`: numbers (kept whole) to ``passportNumber``/
``idNumber``, issuing country, dates and issued-under name with the text in ``notes``;
a text without a number is kept and counted. Countries (nationality, address country)
are codes; "Last Updated" (per row) becomes ``modifiedAt`` (the latest).

Helpers here (name parts, enumerations, identifiers, UN references) are shared
with :mod:`sanctions.sources.uk_fcdo`, its successor format.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sanctions.countries import to_country_code
from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from .base import (
    add_countries,
    add_latest_date,
    csv_record,
    decode_head,
    iter_csv,
    not_understood,
    open_stream,
)
from .uk_documents import add_documents

FORMAT = "uk_ofsi_csv"
DEFAULT_DATASET = "gb_hmt_sanctions"

REQUIRED = ("Name 6", "Group ID", "Group Type")

SCHEMA = {
    "individual": "Person",
    "entity": "Organization",
    "ship": "Vessel",
}

# column -> FtM property, for columns copied as they are (2018 and 2022 formats).
PLAIN_COLUMNS = {
    "Position": "position",
    "Email Address": "email",
    "Website": "website",
    "Phone Number": "phone",
    "Business Registration Number": "registrationNumber",
    "IMO Number": "imoNumber",
    "Type of ship": "type",
    "Flag of ship": "flag",
    "Current owner/operator(s)": "owner",
    "Parent Company": "parent",
    "Gender": "gender",
}

ALIAS_KINDS = {
    "prime alias": NameKind.PRIMARY,
    "primary name": NameKind.PRIMARY,
    "primary name variation": NameKind.ALIAS,
    "aka": NameKind.ALIAS,
    "alias": NameKind.ALIAS,
    "fka": NameKind.PREVIOUS,
}

# "UN Ref QDi.001", "UN REF:QE.A.146.14.", "UN Ref.KPI.067", "UN Reference Number: IRi.038"
_UN_REF = re.compile(
    r"\bUN\s*REF(?:ERENCE)?(?:\s*(?:NO|NUMBER))?[\s.:]*"
    r"([A-Z][A-Z0-9]*(?:\.[A-Z0-9]+)*)",
    re.I,
)
# "1) Saudi Arabia 2) Qatar", "(1) Afghan (2) Pakistani", "a) X b) Y"
_ENUM = re.compile(r"(?:^|\s)\(?(?:\d{1,2}|[a-z])\)(?:\s*-\s*\(?\d{1,2}\))?\s*")
# passport / id numbers: a token with at least five digits ("G123456", "A-123456", "123-45-67")


def country_code(text: str | None) -> str | None:
    """ISO code of a country name (see :mod:`sanctions.countries`)."""
    return to_country_code(text) if text else None


def add_country(entity: Entity, prop: str, text: str | None) -> None:
    """Add the countries a value names as codes; a value not understood is kept in notes."""
    add_countries(entity, prop, clean_text(text))


def split_enumeration(text: str | None) -> list[str]:
    """Split ``1) A 2) B`` / ``(1) A (2) B`` / ``a) A b) B`` lists; plain text stays whole."""
    text = clean_text(text)
    if not text:
        return []
    parts = [clean_text(p) for p in _ENUM.split(text)]
    return [p.strip(" ,;.") for p in parts if p and p.strip(" ,;.")]


def _trim_un_ref(token: str) -> str:
    """Cut words glued to a reference ("KPe.021.Subordinated" -> "KPe.021")."""
    kept: list[str] = []
    for segment in token.split("."):
        if any(c.isdigit() for c in "".join(kept)) and sum(c.islower() for c in segment) > 1:
            break
        kept.append(segment)
    return ".".join(kept)


def extract_un_refs(text: str | None) -> list[str]:
    """UN Security Council reference numbers cited in free text."""
    refs = []
    for match in _UN_REF.finditer(text or ""):
        ref = _trim_un_ref(match.group(1))
        if any(c.isdigit() for c in ref) and ref not in refs:
            refs.append(ref)
    return refs


def add_dates(entity: Entity, text: str | None, prop: str = "birthDate") -> None:
    """Add every date of a (possibly enumerated) date field, keeping precision."""
    for piece in split_enumeration(text):
        date = parse_date(piece, prop=prop)
        if date is not None:
            entity.add_date(date)
        else:
            not_understood(entity, prop, piece)


def full_name(parts: dict[str, str | None], is_person: bool) -> str | None:
    """Whole name from UK name parts (Name 1..5 given names, Name 6 family/whole name)."""
    given = [parts.get(f"Name {i}") for i in range(1, 6)]
    last = parts.get("Name 6")
    if not is_person:
        pieces = [last] if last else given
    else:
        pieces = [*given, last]
    return clean_text(" ".join(p for p in pieces if p))


def add_uk_name(
    entity: Entity, parts: dict[str, str | None], kind: NameKind, is_person: bool
) -> None:
    """Add one UK name (Name 1..6, Title) with its parts."""
    name = full_name(parts, is_person)
    if name is None:
        return
    if not is_person:
        entity.add_name(name, kind)
        return
    middle = " ".join(p for i in range(2, 6) if (p := parts.get(f"Name {i}")))
    entity.add_name(
        name,
        kind,
        firstName=parts.get("Name 1"),
        middleName=middle or None,
        lastName=parts.get("Name 6"),
        title=parts.get("Title"),
    )


def check_columns(path: Path, header: list[str], required: Iterable[str], line: int) -> None:
    """Raise FormatError naming the first required column that is missing."""
    for column in required:
        if column not in header:
            raise FormatError(
                f"missing required column {column!r} in the header", path, line=line, field=column
            )


def choose_encoding(path: Path) -> str:
    """UTF-8 when the whole content decodes as UTF-8, else Windows-1252 (the old ConList)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open_stream(path) as stream:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def detect(head: bytes) -> bool:
    text = decode_head(head)
    lines = text.split("\n", 3)
    first = lines[0].strip().lower()
    header = lines[1] if first.startswith("last updated") and len(lines) > 1 else lines[0]
    return "Group ID" in header and "Alias Type" in header and "Unique ID" not in header


def published(path: Path) -> str | None:
    """The "Last Updated" date of the first row (ISO)."""
    for _, row in iter_csv(path, encoding=choose_encoding(Path(path))):
        if row and row[0].strip().lower() == "last updated" and len(row) > 1:
            date = parse_date(row[1])
            return date.value if date else None
        return None
    return None


def _read_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line, row as column -> value) pairs after the header, checking the header."""
    header: list[str] | None = None
    for line, row in iter_csv(path, encoding=encoding or choose_encoding(path)):
        if header is None:
            if row and row[0].strip().lower() == "last updated":
                continue
            header = [c.strip() for c in row]
            check_columns(path, header, REQUIRED, line)
            continue
        if not any(c.strip() for c in row):
            continue
        yield line, csv_record(path, line, header, row)
    if header is None:
        raise FormatError("no header row", path, line=1)


def _name_kind(row: dict[str, str | None]) -> NameKind:
    alias_type = (row.get("Alias Type") or "").strip().lower()
    kind = ALIAS_KINDS.get(alias_type, NameKind.ALIAS)
    quality = (row.get("Alias Quality") or row.get("Alias Strength") or "").lower()
    if kind == NameKind.ALIAS and quality.startswith("low"):
        return NameKind.WEAK
    return kind


def _add_row(entity: Entity, row: dict[str, str | None]) -> None:
    """Fold one name row into its designation."""
    is_person = entity.schema == "Person"
    add_uk_name(entity, row, _name_kind(row), is_person)
    if row.get("Name Non-Latin Script"):
        entity.add_name(
            row["Name Non-Latin Script"],
            NameKind.ORIGINAL,
            lang=row.get("Non-Latin Script Language"),
            script=row.get("Non-Latin Script Type"),
        )
    if is_person:
        add_dates(entity, row.get("DOB"))
        for nationality in split_enumeration(row.get("Nationality")):
            add_country(entity, "nationality", nationality)
        birth_place = ", ".join(
            p for p in (row.get("Town of Birth"), row.get("Country of Birth")) if p
        )
        entity.add("birthPlace", birth_place)
        passport = row.get("Passport Number") or row.get("Passport Details")
        add_documents(entity, "passportNumber", passport)
        national_id = (
            row.get("National Identification Number")
            or row.get("NI Number")
            or row.get("National Identification Details")
        )
        add_documents(entity, "idNumber", national_id)
    _add_common(entity, row)


def _add_common(entity: Entity, row: dict[str, str | None]) -> None:
    lines = [row.get(f"Address {i}") for i in range(1, 7)] + [row.get("Post/Zip Code")]
    address = ", ".join(p for p in [*lines, row.get("Country")] if p)
    entity.add("address", address)
    add_country(entity, "country", row.get("Country"))
    for column, prop in PLAIN_COLUMNS.items():
        entity.add(prop, row.get(column))
    if entity.schema == "Vessel":
        add_dates(entity, row.get("Year Built"), prop="buildDate")
    other = row.get("Other Information")
    entity.add("notes", other)
    entity.add("unscId", extract_un_refs(other))
    entity.add("unscId", row.get("UN Reference Number"))
    regime = row.get("Regime")
    if regime and regime not in entity.listing.programs:
        entity.listing.programs.append(regime)
        entity.add("program", regime)
    add_latest_date(entity, "modifiedAt", row.get("Last Updated"))
    listed_text = row.get("Listed On") or row.get("Date Designated")
    listed = parse_date(listed_text, prop="listedOn")
    if listed is None and listed_text:
        not_understood(entity, "listingDate", listed_text)
    if listed is not None and (
        entity.listing.listed_on is None or listed.value < entity.listing.listed_on
    ):
        entity.listing.listed_on = listed.value


def _schema(path: Path, line: int, row: dict[str, str | None]) -> str:
    group_type = (row.get("Group Type") or "").strip().lower()
    if group_type not in SCHEMA:
        raise FormatError(
            f"unknown Group Type {row.get('Group Type')!r}", path, line=line, field="Group Type"
        )
    return SCHEMA[group_type]


def parse(path: Path, dataset: str | None = None, encoding: str | None = None) -> Iterator[Entity]:
    """Stream one entity per Group ID. ``encoding`` overrides the UTF-8/cp1252 choice."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    yield from group_rows(path, dataset, _read_rows(path, encoding), "Group ID", _schema, _add_row)


def group_rows(
    path: Path,
    dataset: str,
    rows: Iterable[tuple[int, dict[str, str | None]]],
    id_column: str,
    schema_of: Callable[[Path, int, dict[str, str | None]], str],
    add_row: Callable[[Entity, dict[str, str | None]], None],
) -> Iterator[Entity]:
    """Fold rows sharing an id into entities (in first-seen order) and yield them.

    Rows of one designation are usually adjacent but nothing guarantees it, so all
    designations are held until the end of the file (a few thousand entities).
    """
    entities: dict[str, Entity] = {}
    for line, row in rows:
        authority_id = row.get(id_column)
        if not authority_id:
            raise FormatError(f"row has no {id_column}", path, line=line, field=id_column)
        entity = entities.get(authority_id)
        if entity is None:
            schema = schema_of(path, line, row)
            entity = Entity.create(dataset, authority_id, schema, source_file=path.name)
            entities[authority_id] = entity
        try:
            add_row(entity, row)
        except ValueError as exc:
            raise FormatError(str(exc), path, line=line) from exc
    yield from entities.values()
