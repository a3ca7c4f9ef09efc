"""Queries: FtM-shaped dicts (yente's /match shape) or Entities, checked and prepared.

A query is ``{"id", "schema", "properties": {"name": [...], "birthDate": [...],
"nationality": [...], ...}}``; a property value may be a string or a list.
Anything malformed raises :class:`QueryError`, one line naming the problem
(and the input line, when the caller knows it).

Work limits: a query (an API query, a CLI query, a watched record, a file row)
may carry at most :data:`LIMITS` names, properties, values and characters. Over
a limit it is refused whole with :class:`QueryLimitError` (HTTP 422, CLI exit 2),
never cut silently: screening cost grows with the number of names, so an
unbounded query is a denial of service, and a silently truncated one is a miss.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sanctions.errors import SanctionsError
from sanctions.matching import Record, record_from_entity
from sanctions.model import SCHEMATA, Entity, Listing, NameKind, parse_date

__all__ = [
    "count_names",
    "LIMITS",
    "QueryError",
    "QueryLimitError",
    "QueryLimits",
    "parse_query",
    "query_entity",
]
NAME_PROPS = {
    "name": NameKind.PRIMARY,
    "alias": NameKind.ALIAS,
    "weakAlias": NameKind.WEAK,
    "previousName": NameKind.PREVIOUS,
}
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
DATE_PROPS = ("birthDate", "deathDate", "incorporationDate", "buildDate")


@dataclass(frozen=True)
class QueryLimits:
    """The most one query may carry (see docs/security/api.md)."""

    names: int = 20  # values of name, alias, weakAlias, previousName (together)
    properties: int = 40  # distinct properties
    values: int = 200  # values of all properties together
    name_chars: int = 500  # characters in one name or name part
    value_chars: int = 2_000  # characters in any other value
    total_chars: int = 20_000  # characters of all values together


LIMITS = QueryLimits()
_SURROGATE = re.compile("[\ud800-\udfff]")


class QueryError(SanctionsError):
    """A query cannot be screened: says why, and on which input line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


class QueryLimitError(QueryError):
    """A query is over a work limit (:data:`LIMITS`): refused whole, never truncated."""


def _values(prop: str, raw: Any) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, (dict, list)):
            raise QueryError(f"property {prop!r}: expected a string or a list of strings")
        text = str(item)
        if not text.isascii() and _SURROGATE.search(text):
            raise QueryError(f"property {prop!r}: not valid Unicode text (a lone surrogate)")
        out.append(text)
    return out


def count_names(properties: Mapping[str, Any]) -> int:
    """The names a query carries (name, alias, weakAlias, previousName values); at least 1:
    the unit of screening work that rate limits count."""
    count = 0
    for prop in NAME_PROPS:
        raw = properties.get(prop)
        count += len(raw) if isinstance(raw, list) else int(raw is not None)
    return max(1, count)


def check_limits(props: Mapping[str, list[str]], limits: QueryLimits = LIMITS) -> None:
    """Raise :class:`QueryLimitError` naming the first limit the properties go over."""
    if len(props) > limits.properties:
        raise QueryLimitError(f"too many properties: {len(props)} (limit: {limits.properties})")
    names = sum(len(values) for prop, values in props.items() if prop in NAME_PROPS)
    if names > limits.names:
        raise QueryLimitError(f"too many names: {names} (limit: {limits.names} per query)")
    count = sum(len(values) for values in props.values())
    if count > limits.values:
        raise QueryLimitError(f"too many property values: {count} (limit: {limits.values})")
    total = 0
    for prop, values in props.items():
        cap = limits.name_chars if prop in NAME_PROPS or prop in PART_PROPS else limits.value_chars
        for value in values:
            if len(value) > cap:
                raise QueryLimitError(
                    f"property {prop!r}: a value of {len(value):,} characters (limit: {cap:,})"
                )
            total += len(value)
    if total > limits.total_chars:
        raise QueryLimitError(
            f"too many characters: {total:,} in all values (limit: {limits.total_chars:,})"
        )


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
    values_of = {str(prop): _values(str(prop), raw) for prop, raw in props.items()}
    check_limits(values_of)
    entity = Entity(id=qid, schema=schema, listing=Listing("query", qid))
    parts = {p: " ".join(values_of[p]) for p in PART_PROPS if values_of.get(p)}
    parts_used = False
    for prop, values in values_of.items():
        if prop in NAME_PROPS:
            for value in values:
                # name parts (firstName, lastName ...) describe the first name given
                first = bool(parts) and prop == "name" and not parts_used
                parts_used = parts_used or first
                entity.add_name(value, NAME_PROPS[prop], **(_name_parts(parts) if first else {}))
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
    data: Mapping[str, Any] | Entity | Record,
    default_schema: str = "LegalEntity",
    listed: bool = False,
) -> Record:
    """A prepared query record; raises :class:`QueryError` when it cannot be screened.

    ``listed=True`` prepares the data as a listed entity instead (a pair's
    candidate): the two sides differ in the identifiers they derive.
    """
    if isinstance(data, Record):
        return data
    warnings: list[str] = []
    entity = query_entity(data, default_schema, warnings)
    record = record_from_entity(entity, query=not listed)
    record.warnings = warnings
    if not record.names and not record.identifiers:
        raise QueryError(
            "query has no usable name (give properties.name with letters or digits) nor identifier"
        )
    if record.names and not any(form.strong_weight > 0 for form in record.names):
        warnings.append(NO_DISTINCTIVE_WORD_NOTE)
    return record
