"""US BIS Denied Persons List, tab-separated text, dataset ``us_bis_denied``.

Columns ``Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation`` (dates
``MM/DD/YYYY``); one row per (denial order, address).

Authority id: the list has none. Rows with the same name and effective date are
one denial (several addresses), and the id is ``h`` + the first 12 hex digits of
the SHA-1 of ``NAME|YYYY-MM-DD``. It is stable across versions as long as BIS does
not correct the spelling of the name or the effective date; a corrected name reads
as one denial removed and one added. Schema is ``LegalEntity``: the list mixes
people and companies without saying which.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, parse_date

from .base import add_countries, decode_head, iter_csv

FORMAT = "us_bis_dpl"
DEFAULT_DATASET = "us_bis_denied"
REQUIRED = ("Name", "Effective_Date")
PROGRAM = "Denied Persons List (DPL) - Bureau of Industry and Security"


def detect(head: bytes) -> bool:
    first = decode_head(head).lstrip().split("\n", 1)[0]
    return (
        "\t" in first and "Name" in first and "Effective_Date" in first and "FR_Citation" in first
    )


def denial_id(name: str, effective: str | None) -> str:
    """The derived id of a denial (see the module docstring)."""
    key = f"{' '.join(name.upper().split())}|{effective or ''}"
    return "h" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    header: list[str] | None = None
    for line, row in iter_csv(path, delimiter="\t"):
        if header is None:
            header = [c.strip() for c in row]
            for column in REQUIRED:
                if column not in header:
                    raise FormatError(f"missing required column {column!r}", path, line, column)
            continue
        if any(c.strip() for c in row):
            yield line, dict(zip(header, (c.strip() for c in row), strict=False))


def _address(row: dict[str, str]) -> str:
    parts = ("Street_Address", "City", "State", "Postal_Code", "Country")
    return ", ".join(row[p] for p in parts if row.get(p))


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream one entity per denial (name + effective date)."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    entities: dict[str, Entity] = {}
    for line, row in _rows(path):
        name = row.get("Name")
        if not name:
            raise FormatError("row has no Name", path, line=line, field="Name")
        effective = parse_date(row.get("Effective_Date"), prop="listedOn", dayfirst=False)
        key = denial_id(name, effective.value if effective else None)
        entity = entities.get(key)
        if entity is None:
            entity = Entity.create(dataset, key, "LegalEntity", source_file=path.name)
            entity.add_name(name, NameKind.PRIMARY)
            entity.listing.programs.append(PROGRAM)
            entity.listing.listed_on = effective.value if effective else None
            entities[key] = entity
        entity.add("address", _address(row))
        add_countries(entity, "country", row.get("Country"))
        entity.add("notes", [row.get("Action"), row.get("FR_Citation")])
        expires = parse_date(row.get("Expiration_Date"), dayfirst=False)
        entity.add("notes", f"Denial expires {expires.value}" if expires else None)
    yield from entities.values()
