"""Queries: FtM-shaped dicts (yente's /match shape) or Entities, checked and prepared.

A query is ``{"id", "schema", "properties": {"name": [...], "birthDate": [...],
"nationality": [...], ...}}``; a property value may be a string or a list.
Anything malformed raises :class:`QueryError`, one line naming the problem
(and the input line, when the caller knows it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sanctions.errors import SanctionsError
from sanctions.matching.score import Record, record_from_entity
from sanctions.model import SCHEMATA, Entity, Listing, NameKind, parse_date

__all__ = ["QueryError", "parse_query", "query_entity"]

MAX_VALUE_CHARS = 10_000
NAME_PROPS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK,
    "previousName": NameKind.PREVIOUS,
}
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
DATE_PROPS = ("birthDate", "deathDate", "incorporationDate", "buildDate")


class QueryError(SanctionsError):
    """A query cannot be screened: says why, and on which input line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


def _values(prop: str, raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise QueryError(f"property {prop!r}: expected a string or a list of strings")
        text = str(item)
        if len(text) > MAX_VALUE_CHARS:
            text = text[:MAX_VALUE_CHARS]
        out.append(text)
    return out


def _add_dates(entity: Entity, prop: str, values: list[str], warnings: list[str]) -> None:
    for value in values:
        try:
            parsed = parse_date(value, prop=prop)
        except ValueError:
            parsed = None
        if parsed is None:  # ignored, and said so in the result's warnings
            warnings.append(f"{prop} {value!r} is not a date and was ignored")
            continue
        entity.add_date(parsed)


UNKNOWN_SCHEMA_NOTE = (
    "no schema given: screened as {schema} (matches listed people and organisations alike)"
)


NO_DISTINCTIVE_WORD_NOTE = (
    "the name has no distinctive word (only titles, legal forms, initials or generic "
    "words): it raises an alert only on a listed name spelt the same"
)


def query_entity(
    data: Mapping[str, Any] | Entity,
    default_schema: str = "LegalEntity",
    warnings: list[str] | None = None,
) -> Entity:
    """The query as an Entity (validated); problems that do not stop it go to ``warnings``."""
    warnings = [] if warnings is None else warnings
    if isinstance(data, Entity):
        return data
    if not isinstance(data, Mapping):
        raise QueryError("a query must be a JSON object with 'schema' and 'properties'")
    schema = str(data.get("schema") or default_schema)
    if not data.get("schema"):
        warnings.append(UNKNOWN_SCHEMA_NOTE.format(schema=schema))
    if schema not in SCHEMATA:
        raise QueryError(f"unknown schema {schema!r} (known: {', '.join(SCHEMATA)})")
    props = data.get("properties") or {}
    if not isinstance(props, Mapping):
        raise QueryError("'properties' must be an object of property -> values")
    qid = str(data.get("id") or "query")
    entity = Entity(id=qid, schema=schema, listing=Listing("query", qid))
    parts = {p: " ".join(_values(p, props.get(p))) for p in PART_PROPS if props.get(p)}
    for prop, raw in props.items():
        values = _values(str(prop), raw)
        if prop in NAME_PROPS:
            for value in values:
                entity.add_name(value, NAME_PROPS[prop])
        elif prop in DATE_PROPS:
            _add_dates(entity, prop, values, warnings)
        elif prop not in PART_PROPS:
            entity.add(str(prop), values)
    if parts and not entity.names:
        full = " ".join(parts[p] for p in PART_PROPS if p in parts)
        entity.add_name(full, NameKind.PRIMARY, **_name_parts(parts))
    return entity


def _name_parts(parts: dict[str, str]) -> dict[str, str]:
    mapping = {"secondName": "middleName"}
    return {mapping.get(k, k): v for k, v in parts.items()}


def parse_query(
    data: Mapping[str, Any] | Entity | Record, default_schema: str = "LegalEntity"
) -> Record:
    """A prepared query record; raises :class:`QueryError` when it cannot be screened."""
    if isinstance(data, Record):
        return data
    warnings: list[str] = []
    entity = query_entity(data, default_schema, warnings)
    record = record_from_entity(entity)
    record.warnings = warnings
    if not record.names and not record.identifiers:
        raise QueryError(
            "query has no usable name (give properties.name with letters or digits) nor identifier"
        )
    if record.names and not any(form.strong_weight > 0 for form in record.names):
        warnings.append(NO_DISTINCTIVE_WORD_NOTE)
    return record
