"""FollowTheMoney JSON lines, as OpenSanctions exports them (``entities.ftm.json``).

One JSON object per line: ``{"id", "schema", "properties": {prop: [values]},
"datasets", ...}``. Entity ids are kept as the publisher made them (they are
already stable, dataset-prefixed ids). Every schema is kept, including
relations (Ownership, Address...), so nothing is dropped.

Export (:func:`export_entity`) and import are inverse: an exported store
re-imported gives the same entities. The export follows OpenSanctions'
conventions and adds only what FtM cannot say:

* the entity line carries the FtM properties as stored (dates as ISO prefixes:
  ``1952``, ``1952-10``, ``1952-10-07``; a range as its two ends);
* the listing is a ``Sanction`` entity on the next line (id ``{entity}-sanction``):
  ``entity``, ``authority`` (the dataset's title), ``authorityId``, ``program``,
  ``listingDate``, ``provisions`` (sanction types) and ``reason`` (legal
  authorities); each list the authority names with its own date (OFAC: SDN,
  SSI...) is one more ``Sanction`` with the list in ``description`` and its
  date in ``startDate`` and ``listingDate``;
* circa, date ranges, name kinds (original script, former name), scripts,
  languages and name parts go into a top-level ``"detail"`` object
  (``{"names": [...], "dates": [...]}``), beside OpenSanctions' own top-level
  fields (``referents``, ``first_seen``...). FtM readers ignore it; this
  parser uses it so that nothing is lost.

On import, ``Sanction`` lines that follow the entity they name are folded back
into its listing. A ``Sanction`` elsewhere in a file (other publishers order
lines differently) is kept as an entity of its own, as before.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sanctions.errors import EncodingError, FormatError
from sanctions.model import (
    DATASETS,
    SCHEMATA,
    Entity,
    FuzzyDate,
    Listing,
    ListMembership,
    NameKind,
    NameVariant,
    parse_date,
)

from .base import decode_head, open_stream

__all__ = ["FORMAT", "DEFAULT_DATASET", "detect", "parse", "export_entity"]

FORMAT = "ftm"
DEFAULT_DATASET = "opensanctions"

_NAME_KINDS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK,
    "previousName": NameKind.PREVIOUS,
}
_DATE_PROPS = ("birthDate", "deathDate", "incorporationDate", "buildDate")
_SANCTION_SUFFIX = "-sanction"


def detect(head: bytes) -> bool:
    text = decode_head(head).lstrip()
    if not text.startswith("{"):
        return False
    first = text.split("\n", 1)[0]
    return '"schema"' in first and '"properties"' in first


# -- export -------------------------------------------------------------------------


def _line(entity_id: str, schema: str, props: dict[str, list[str]], dataset: str) -> dict[str, Any]:
    return {
        "id": entity_id,
        "schema": schema,
        "properties": {k: v for k, v in props.items() if v},
        "datasets": [dataset],
        "referents": [],
        "target": schema != "Sanction",
        "first_seen": None,
        "last_seen": None,
        "last_change": None,
    }


def _sanctions(entity: Entity) -> list[dict[str, Any]]:
    listing = entity.listing
    common = {
        "entity": [entity.id],
        "authority": [DATASETS.get(listing.dataset, listing.dataset)],
        "authorityId": [listing.authority_id],
    }
    main = {
        **common,
        "program": list(listing.programs),
        "listingDate": [listing.listed_on] if listing.listed_on else [],
        "provisions": list(listing.provisions),
        "reason": list(listing.legal_basis),
    }
    base = entity.id + _SANCTION_SUFFIX
    lines = [_line(base, "Sanction", main, listing.dataset)]
    for index, membership in enumerate(listing.lists, start=1):
        since = [membership.since] if membership.since else []
        props = {
            **common,
            "description": [membership.name],
            "startDate": since,
            "listingDate": since,
        }
        slug = re.sub(r"[^a-z0-9]+", "-", membership.name.lower()).strip("-")
        lines.append(_line(f"{base}-{index}-{slug}", "Sanction", props, listing.dataset))
    return lines


def export_entity(entity: Entity) -> list[dict[str, Any]]:
    """The FtM JSON objects of one stored entity: itself, then its Sanction(s)."""
    props = {k: list(v) for k, v in sorted(entity.properties.items()) if v}
    line = _line(entity.id, entity.schema, props, entity.listing.dataset)
    line["caption"] = entity.caption
    line["detail"] = {
        "names": [n.to_dict() for n in entity.names],
        "dates": [d.to_dict() for d in entity.dates],
    }
    if entity.schema not in SCHEMATA:  # a relation read from a FtM file: no listing
        return [line]
    return [line, *_sanctions(entity)]


# -- import -------------------------------------------------------------------------


def _values(props: dict[str, Any], prop: str) -> list[str]:
    values = props.get(prop) or []
    return [values] if isinstance(values, str) else [str(v) for v in values]


def _entity(data: dict[str, Any], dataset: str, source: str) -> Entity:
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("'properties' is not an object")
    listing = Listing(
        dataset=dataset,
        authority_id=str(data["id"]),
        programs=_values(props, "programId") or _values(props, "program"),
        listed_on=None,
        source_file=source,
    )
    entity = Entity(id=str(data["id"]), schema=str(data["schema"]), listing=listing)
    detail = data.get("detail")
    if isinstance(detail, dict):
        _restore(entity, props, detail)
    else:
        _read_properties(entity, props)
    if data.get("first_seen"):
        listing.listed_on = str(data["first_seen"])[:10]
    return entity


def _restore(entity: Entity, props: dict[str, Any], detail: dict[str, Any]) -> None:
    """Our own export: properties, names and dates exactly as they were stored."""
    for prop, values in props.items():
        if not isinstance(values, list):
            raise ValueError(f"property {prop!r} is not a list")
        entity.properties[prop] = [str(v) for v in values]
    entity.names = [NameVariant.from_dict(n) for n in detail.get("names", [])]
    entity.dates = [FuzzyDate.from_dict(d) for d in detail.get("dates", [])]


def _read_properties(entity: Entity, props: dict[str, Any]) -> None:
    """Another publisher's entity: names and dates read from the properties."""
    for prop, values in props.items():
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list):
            raise ValueError(f"property {prop!r} is not a list")
        for value in values:
            if isinstance(value, dict):  # nested entity (FtM "nested" exports)
                value = value.get("id")
            if prop in _NAME_KINDS:
                entity.add_name(value, _NAME_KINDS[prop])
            elif prop in _DATE_PROPS and (date := parse_date(value, prop=prop)) is not None:
                entity.add_date(date)
            else:
                entity.add(prop, value)


def _fold_sanction(entity: Entity, data: dict[str, Any]) -> bool:
    """Fold a Sanction naming ``entity`` into its listing; False if it names another."""
    props = data.get("properties") or {}
    if data.get("schema") != "Sanction" or _values(props, "entity") != [entity.id]:
        return False
    listing = entity.listing
    authority_id = _values(props, "authorityId")
    if authority_id:
        listing.authority_id = authority_id[0]
    listed = _values(props, "listingDate")
    description = _values(props, "description")
    if description:  # one of the authority's lists
        for name in description:
            listing.lists.append(ListMembership(name, listed[0] if listed else None))
        return True
    listing.programs = _values(props, "program") or listing.programs
    listing.listed_on = listed[0] if listed else listing.listed_on
    listing.provisions = _values(props, "provisions")
    listing.legal_basis = _values(props, "reason")
    return True


def _objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with open_stream(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
        lineno = 0
        try:
            for lineno, line in enumerate(text, start=1):  # noqa: B007
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except ValueError as exc:
                    raise FormatError(f"bad FtM entity: {exc}", path, line=lineno) from exc
                if not isinstance(data, dict) or "id" not in data or "schema" not in data:
                    raise FormatError(
                        "bad FtM entity: not an entity object with 'id' and 'schema'",
                        path,
                        line=lineno,
                    )
                yield lineno, data
        except UnicodeDecodeError as exc:
            raise EncodingError(f"not UTF-8: {exc.reason}", path, line=lineno + 1) from exc


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    dataset = dataset or DEFAULT_DATASET
    path = Path(path)
    pending: Entity | None = None
    for lineno, data in _objects(path):
        try:
            if pending is not None and _fold_sanction(pending, data):
                continue
            if pending is not None:
                yield pending
            pending = _entity(data, dataset, path.name)
        except (ValueError, KeyError, TypeError) as exc:
            raise FormatError(f"bad FtM entity: {exc}", path, line=lineno) from exc
    if pending is not None:
        yield pending
