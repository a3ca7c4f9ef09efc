"""FollowTheMoney JSON lines, as OpenSanctions exports them (``entities.ftm.json``).

One JSON object per line: ``{"id", "schema", "properties": {prop: [values]},
"datasets", ...}``. Entity ids are kept as the publisher made them (they are
already stable, dataset-prefixed ids). Every schema is kept, including
relations (Sanction, Ownership, Address...), so nothing is dropped.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

from sanctions.errors import EncodingError, FormatError
from sanctions.model import Entity, Listing, NameKind, parse_date

from .base import decode_head, open_stream

FORMAT = "ftm"
DEFAULT_DATASET = "opensanctions"

_NAME_KINDS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK,
    "previousName": NameKind.PREVIOUS,
}
_DATE_PROPS = ("birthDate", "deathDate", "incorporationDate", "buildDate")


def detect(head: bytes) -> bool:
    text = decode_head(head).lstrip()
    if not text.startswith("{"):
        return False
    first = text.split("\n", 1)[0]
    return '"schema"' in first and '"properties"' in first


def _entity(data: dict, dataset: str, source: str) -> Entity:
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("'properties' is not an object")
    listing = Listing(
        dataset=dataset,
        authority_id=str(data["id"]),
        programs=[str(p) for p in props.get("programId", []) or props.get("program", [])],
        listed_on=None,
        source_file=source,
    )
    entity = Entity(id=str(data["id"]), schema=str(data["schema"]), listing=listing)
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
    if data.get("first_seen"):
        listing.listed_on = str(data["first_seen"])[:10]
    return entity


def parse(path: Path, dataset: str | None = None) -> Iterator[Entity]:
    dataset = dataset or DEFAULT_DATASET
    path = Path(path)
    with open_stream(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict")
        lineno = 0
        try:
            for lineno, line in enumerate(text, start=1):  # noqa: B007
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    if not isinstance(data, dict) or "id" not in data or "schema" not in data:
                        raise ValueError("not an entity object with 'id' and 'schema'")
                    yield _entity(data, dataset, path.name)
                except (ValueError, KeyError, TypeError) as exc:
                    raise FormatError(f"bad FtM entity: {exc}", path, line=lineno) from exc
        except UnicodeDecodeError as exc:
            raise EncodingError(f"not UTF-8: {exc.reason}", path, line=lineno + 1) from exc
