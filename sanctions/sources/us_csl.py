"""US Consolidated Screening List (trade.gov) CSV, dataset ``us_trade_csl``.

One row per listing of one of 13 US lists (SDN, Entity List, Denied Persons, ...);
columns ``_id, source, entity_number, type, programs, name, title, addresses, ...,
alt_names, citizenships, dates_of_birth, nationalities, places_of_birth, ids``.
Multi-valued cells are ``; ``-separated. ``_id`` (the row's id: OFAC's entity number
for Treasury lists, a 40-hex hash for the others) is the authority id. The same
``_id`` appears on several rows when a party is on several Treasury lists (SDN and
SSI, CAPTA...): those rows are merged into one entity, whose programmes hold both
the list programmes and the names of the source lists.

``ids`` cells hold ``[country, ][date, ]number, type`` values, and also OFAC's
sanctions remarks written the same way ("Male, Gender", "Subject to Secondary
Sanctions, ..."); we map the types we know to FtM properties (aircraft: serial
number, build date, model, operator, tail number; registration country and former
vessel flags as country codes), keep the issuing country and date beside the number
in ``notes``, and keep the rest in ``notes`` as written. Addresses get the country
they end with as a code (``"..., Tehran, IR"``); vessel flags, nationalities and
citizenships are codes. The Federal Register notice, Entity List licence
requirement and policy, standard order and end date have no FtM property and are
kept in ``notes`` under their names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sanctions.countries import address_countries
from sanctions.errors import FormatError
from sanctions.model import Entity, NameKind, clean_text, parse_date

from .base import add_countries, csv_record, decode_head, iter_csv, not_understood

FORMAT = "us_csl"
DEFAULT_DATASET = "us_trade_csl"

REQUIRED = ("_id", "source", "name")
SCHEMA = {
    "individual": "Person",
    "entity": "Organization",
    "vessel": "Vessel",
    "aircraft": "Airplane",
}
PLAIN = {
    "call_sign": "callSign",
    "vessel_type": "type",
    "vessel_owner": "owner",
    "gross_tonnage": "tonnage",
    "gross_registered_tonnage": "grossRegisteredTonnage",
    "remarks": "notes",
    "source_information_url": "sourceUrl",
}
# Columns with no FtM property, kept in notes under their name.
NOTED = {
    "federal_register_notice": "Federal Register notice",
    "license_requirement": "License requirement",
    "license_policy": "License policy",
    "standard_order": "Standard order",
    "end_date": "End date",
}
# ``ids`` type (lowercase, prefix) -> FtM property.
ID_TYPES = (
    ("passport", "passportNumber"),
    ("gender", "gender"),
    ("swift/bic", "swiftBic"),
    ("website", "website"),
    ("email", "email"),
    ("phone", "phone"),
    ("tax id", "taxNumber"),
    ("registration number", "registrationNumber"),
    ("registration id", "registrationNumber"),
    ("vessel registration identification", "imoNumber"),
    ("aircraft construction number", "serialNumber"),
    ("aircraft manufacturer's serial number", "serialNumber"),
    ("aircraft manufacture date", "buildDate"),
    ("aircraft model", "model"),
    ("aircraft operator", "operator"),
    ("aircraft tail number", "registrationNumber"),
    ("registration country", "country"),
    ("nationality of registration", "country"),
    ("former vessel flag", "pastFlags"),
    ("mmsi", "mmsi"),
    ("national id", "idNumber"),
    ("cedula", "idNumber"),
    ("nit #", "taxNumber"),
    ("d-u-n-s", "registrationNumber"),
    ("identification number", "idNumber"),
    ("personal id", "idNumber"),
    ("ssn", "idNumber"),
    ("c.u.r.p.", "idNumber"),
    ("r.f.c.", "taxNumber"),
    ("ruc #", "taxNumber"),
    ("v.a.t. number", "vatCode"),
    ("company number", "registrationNumber"),
    ("commercial registry number", "registrationNumber"),
    ("folio mercantil", "registrationNumber"),
    ("unified social credit code", "registrationNumber"),
    ("organization established date", "incorporationDate"),
)
DATE_IDS = frozenset({"incorporationDate", "buildDate"})
COUNTRY_IDS = frozenset({"country", "pastFlags"})


def detect(head: bytes) -> bool:
    first = decode_head(head).lstrip().split("\n", 1)[0]
    return first.startswith("_id,") and "alt_names" in first and "source" in first


def split(value: str | None) -> list[str]:
    """Values of a ``; ``-separated cell."""
    return [v for p in (value or "").split(";") if (v := clean_text(p))]


def _add_id(entity: Entity, text: str) -> None:
    """One ``[country, ][date, ]number, type`` value; unknown types stay in notes as written."""
    pieces = [p.strip() for p in text.split(",")]
    kind = pieces[-1].lower() if len(pieces) > 1 else ""
    number = pieces[-2] if len(pieces) > 1 else ""
    prop = next((p for prefix, p in ID_TYPES if kind.startswith(prefix)), None)
    if prop is None or not number:
        entity.add("notes", text)
        return
    if prop in DATE_IDS:
        date = parse_date(number, prop=prop, dayfirst=True)
        if date is None:
            not_understood(entity, prop, text)
        else:
            entity.add_date(date)
        return
    if prop in COUNTRY_IDS:  # "Korea, North, Registration Country": the name has a comma
        add_countries(entity, prop, ", ".join(pieces[:-1]))
        return
    if prop == "imoNumber":
        number = number.removeprefix("IMO").strip()
    if prop == "gender":
        number = number.lower()
    entity.add(prop, number)
    if len(pieces) > 2:  # the issuing country and date: kept beside the number
        entity.add("notes", f"{prop} {number}: {', '.join(pieces[:-2])}")


def _add_addresses(entity: Entity, value: str | None) -> None:
    """Addresses, each with the country it ends with ("..., Tehran, IR") as a code."""
    for address in split(value):
        entity.add("address", address)
        for code in address_countries(address):
            entity.add("country", code)


def _fill(entity: Entity, row: dict[str, str | None]) -> None:
    entity.add_name(row.get("name"), NameKind.PRIMARY)
    for alias in split(row.get("alt_names")):
        entity.add_name(alias, NameKind.ALIAS)
    entity.add("position" if entity.schema == "Person" else "notes", row.get("title"))
    _add_addresses(entity, row.get("addresses"))
    for value in split(row.get("dates_of_birth")):
        date = parse_date(value, dayfirst=False)
        if date is not None:
            entity.add_date(date)
        else:
            not_understood(entity, "birthDate", value)
    for column, prop in (("nationalities", "nationality"), ("citizenships", "citizenship")):
        for value in split(row.get(column)):
            add_countries(entity, prop, value)
    add_countries(entity, "flag", row.get("vessel_flag"))
    entity.add("birthPlace", split(row.get("places_of_birth")))
    for text in split(row.get("ids")):
        _add_id(entity, text)
    for column, prop in PLAIN.items():
        entity.add(prop, row.get(column))
    for column, label in NOTED.items():
        if note := clean_text(row.get(column)):
            entity.add("notes", f"{label}: {note}")
    for program in [*split(row.get("programs")), row.get("source")]:
        if program and program not in entity.listing.programs:
            entity.listing.programs.append(program)
            entity.add("program", program)
    start = parse_date(row.get("start_date"), dayfirst=False)
    if start is None and row.get("start_date"):
        not_understood(entity, "listingDate", row.get("start_date"))
    if start and (entity.listing.listed_on is None or start.value < entity.listing.listed_on):
        entity.listing.listed_on = start.value


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line, column -> value) of every data row, after checking the header."""
    header: list[str] | None = None
    for line, row in iter_csv(path):
        if header is None:
            header = [c.strip() for c in row]
            for column in REQUIRED:
                if column not in header:
                    raise FormatError(
                        f"missing required column {column!r}", path, line=line, field=column
                    )
            continue
        if not any(c.strip() for c in row):
            continue
        yield line, csv_record(path, line, header, row)
    if header is None:
        raise FormatError("file is empty", path, line=1)


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    """Stream one entity per ``_id`` (rows of one party on several lists are merged)."""
    path = Path(path)
    dataset = dataset or DEFAULT_DATASET
    entities: dict[str, Entity] = {}
    for line, row in read_rows(path):
        authority_id = row.get("_id")
        if not authority_id:
            raise FormatError("row has no _id", path, line=line, field="_id")
        entity = entities.get(authority_id)
        if entity is None:
            schema = SCHEMA.get((row.get("type") or "").lower(), "LegalEntity")
            entity = Entity.create(dataset, authority_id, schema, source_file=path.name)
            entities[authority_id] = entity
        try:
            _fill(entity, row)
        except ValueError as exc:
            raise FormatError(str(exc), path, line=line) from exc
    yield from entities.values()
