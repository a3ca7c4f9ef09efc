"""The W3C Entity Reconciliation API (community report 0.2) in our terms.

What OpenRefine and other reconciliation clients send and expect, translated to and
from our screening (no matching here): a reconciliation query (``query``, ``type``,
``limit``, ``properties: [{pid, v}]``) becomes a screening query of FtM shape; a
screened candidate becomes ``{id, name, description, type, score, match,
features}``; a stored entity becomes a small HTML preview.

Scores are 0-100 (the spec leaves the range open; 0-100 is the convention of
OpenRefine's own services and what its "auto-match" sliders assume): our 0..1
score times 100, one decimal. ``match`` is our threshold (0.70, i.e. 70).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from sanctions.countries import country_name, to_country_code
from sanctions.errors import SanctionsError
from sanctions.matching import COUNTRY_PROPS
from sanctions.matching.identifiers import IDENTIFIERS, LABELS, PROPERTY_TYPES, STRONG_POOLS
from sanctions.model import DATASETS, SCHEMA_LABELS, SCHEMATA, Entity, NameKind
from sanctions.screening import LIMITS

__all__ = [
    "BATCH_SIZE",
    "MATCHABLE_TYPES",
    "PROPERTIES",
    "ReconcileError",
    "candidate",
    "describe_record",
    "parse_batch",
    "preview_html",
    "PREVIEW_CSP",
    "schema_type",
    "to_screening_query",
]

BATCH_SIZE = 10  # queries OpenRefine sends per request (the manifest's batchSize)
DEFAULT_LIMIT = 5  # candidates per query when the query does not say
MAX_LIMIT = 100
MATCHABLE_TYPES = ("Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")

_COUNTRY_LABELS = {
    "nationality": "Nationality",
    "citizenship": "Citizenship",
    "country": "Country",
    "birthCountry": "Country of birth",
    "jurisdiction": "Jurisdiction",
}


_ID_LABELS = {
    "passportNumber": "Passport number",
    "idNumber": "Identity number",
    "nationalId": "National identity number",
    "taxNumber": "Tax number",
    "innCode": "INN (Russian tax number)",
    "vatCode": "VAT number",
    "registrationNumber": "Registration number",
    "ogrnCode": "OGRN (Russian registration number)",
    "bicCode": "BIC",
    "swiftBic": "SWIFT/BIC",
    "unscId": "UN reference",
    "imoNumber": "IMO number",
    "mmsi": "MMSI",
    "leiCode": "LEI",
}


def _property_table() -> dict[str, tuple[str, str]]:
    """Property id -> (label, description): the constraints the matcher uses."""
    table = {
        "alias": ("Other name", "Another name of the subject, screened with the query's name"),
        "birthDate": ("Date of birth", "YYYY, YYYY-MM or YYYY-MM-DD: confirms or weakens a name"),
        "gender": ("Gender", "male or female: a contradiction lowers the score"),
    }
    for prop in COUNTRY_PROPS:
        label = _COUNTRY_LABELS.get(prop, prop)
        table[prop] = (label, "A country code or name: in common raises, none in common lowers")
    for prop, type_name in PROPERTY_TYPES.items():
        label = _ID_LABELS.get(prop) or LABELS.get(type_name, prop)
        strength = (
            "strong: in common, a match on its own"
            if type_name in STRONG_POOLS
            else ("in common with a shared country, a match; otherwise evidence")
        )
        table[prop] = (label, f"An identifier ({strength})")
    return table


PROPERTIES = _property_table()


class ReconcileError(SanctionsError):
    """A reconciliation request that cannot be answered (says which query and field)."""


class ReconProperty(BaseModel):
    """One property constraint: ``pid`` (``birthDate`` or ``Person:birthDate``) and value(s)."""

    model_config = ConfigDict(extra="allow")

    pid: str = Field(max_length=200)
    v: Any = None


class ReconQuery(BaseModel):
    """One reconciliation query (spec 0.2, section 4.1); unknown keys are ignored."""

    model_config = ConfigDict(extra="allow")

    query: str | None = Field(default=None, max_length=LIMITS.name_chars)
    type: str | list[str] | None = None
    limit: int | None = Field(default=None, ge=0, le=MAX_LIMIT)
    properties: list[ReconProperty] = Field(default_factory=list, max_length=LIMITS.properties)
    type_strict: str | None = None


_BATCH = TypeAdapter(dict[str, ReconQuery])


def parse_batch(data: Any, max_batch: int) -> dict[str, ReconQuery]:
    """A batch of queries (a JSON object key -> query); :class:`ReconcileError` naming the
    first problems (key and field) otherwise."""
    if not isinstance(data, dict):
        raise ReconcileError("'queries' must be a JSON object of query key -> query")
    if not data:
        raise ReconcileError("No queries provided.")
    if len(data) > max_batch:
        raise ReconcileError(f"Too many queries in one batch: {len(data)} (limit: {max_batch})")
    try:
        return _BATCH.validate_python(data)
    except ValidationError as exc:
        parts = []
        for error in exc.errors()[:5]:
            where = ".".join(str(p) for p in error.get("loc", ()))
            parts.append(f"query {where}: {error.get('msg', 'invalid')}")
        raise ReconcileError("Invalid reconciliation query: " + "; ".join(parts)) from exc


def schema_type(schema: str) -> dict[str, str]:
    """A schema as a reconciliation type ``{id, name}`` (name: FtM's label)."""
    return {"id": schema, "name": SCHEMA_LABELS.get(schema, (schema, schema))[0]}


def _query_schema(key: str, value: str | list[str] | None) -> str:
    """The schema a query's ``type`` asks for: none is ``Thing`` (any listed subject); several
    are their closest common parent. An unknown type is an error, never ignored."""
    types = [value] if isinstance(value, str) else list(value or [])
    types = [t.strip() for t in types if t and t.strip()]
    bad = [t for t in types if t not in SCHEMATA]
    if bad:
        raise ReconcileError(
            f"query {key!r}: unknown type {', '.join(map(repr, bad))} "
            f"(known: {', '.join(SCHEMATA)})"
        )
    distinct = set(types)
    if not distinct:
        return "Thing"
    if len(distinct) == 1:
        return types[0]
    people_or_orgs = {"LegalEntity", "Person", "Organization", "Company", "PublicBody"}
    return "LegalEntity" if distinct <= people_or_orgs else "Thing"


def _pid(key: str, pid: str) -> str:
    """A property id as ours: ``Person:birthDate`` -> ``birthDate``; unknown is an error."""
    name = pid.strip().rpartition(":")[2]
    if name == "name":
        name = "alias"
    if name not in PROPERTIES:
        raise ReconcileError(
            f"query {key!r}: property {pid!r} is not one the matcher uses "
            f"(known: {', '.join(sorted(PROPERTIES))}; see /suggest/property)"
        )
    return name


def _texts(value: Any) -> list[str]:
    """A property value as strings: a string, number, ``{"id"|"name": ...}`` or a list."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("id") or item.get("name") or item.get("str")
        if item is None or isinstance(item, (list, Mapping)):
            continue
        text = str(item).strip()
        if text:
            out.append(text)
    return out


_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00(:00(\.0+)?)?(Z|[+-]00:?00)?$")


def _clean_value(prop: str, text: str, warnings: list[str]) -> str | None:
    """A value the matcher understands, or ``None`` with a warning saying it was ignored."""
    if prop == "birthDate":
        found = _DATETIME.match(text)  # OpenRefine sends date cells as midnight UTC
        return found.group(1) if found else text
    if prop in COUNTRY_PROPS:
        code = to_country_code(text)
        if code is None:
            warnings.append(f"{prop} {text!r} is not a country and was ignored")
        return code
    if prop in PROPERTY_TYPES:
        id_type = IDENTIFIERS[PROPERTY_TYPES[prop]]
        if id_type.normalize(text) is None:
            warnings.append(f"{prop} {text!r} is not a valid identifier of its type: ignored")
            return None
    return text


def to_screening_query(key: str, query: ReconQuery) -> tuple[dict[str, Any], int, list[str]]:
    """(screening query in FtM shape, candidates wanted, warnings) of a reconciliation query."""
    warnings: list[str] = []
    props: dict[str, list[str]] = {}
    if query.query and query.query.strip():
        props["name"] = [query.query.strip()]
    for constraint in query.properties:
        prop = _pid(key, constraint.pid)
        for text in _texts(constraint.v):
            value = _clean_value(prop, text, warnings)
            if value is not None and value not in props.get(prop, []):
                props.setdefault(prop, []).append(value)
    if "alias" in props and "name" not in props:
        props["name"] = [props["alias"].pop(0)]
        if not props["alias"]:
            del props["alias"]
    schema = _query_schema(key, query.type)
    limit = query.limit or DEFAULT_LIMIT  # 0 would read as "no candidate": the default
    return {"id": key, "schema": schema, "properties": props}, limit, warnings


def describe_record(record: Any) -> str:
    """One line under the candidate's name: type, lists, birth dates, countries."""
    parts = [SCHEMA_LABELS.get(record.schema, (record.schema, ""))[0]]
    parts += [DATASETS.get(d, d) for d in record.datasets]
    births = record.properties.get("birthDate") or []
    if births:
        parts.append("born " + ", ".join(births[:3]))
    if record.countries:
        parts.append(", ".join(sorted(c.upper() for c in record.countries)[:4]))
    return " · ".join(parts)


def candidate(match: Any) -> dict[str, Any]:
    """A screened match as a reconciliation candidate (score 0-100, explained by features)."""
    score = match.score
    features = [{"id": f.feature, "value": round(float(f.contribution), 4)} for f in score.features]
    return {
        "id": match.record.id,
        "name": match.record.caption,
        "description": describe_record(match.record),
        "type": [schema_type(match.record.schema)],
        "score": round(score.score * 100, 1),
        "match": bool(score.match),
        "features": features,
    }


# The preview is framed by the client (OpenRefine shows it in an iframe): no script, no
# remote resource, its one style block allowed by hash, no referrer (the URL holds the key).
PREVIEW_STYLE = (
    "body{font:14px/1.4 system-ui,sans-serif;margin:8px;color:#111}"
    "h1{font-size:17px;margin:0 0 4px}p{margin:0 0 8px;color:#444}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0 0 8px}"
    "dt{font-weight:600;color:#333}dd{margin:0}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(PREVIEW_STYLE.encode()).digest()).decode()
PREVIEW_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"
)
MAX_PREVIEW_VALUES = 8


def _joined(values: Iterable[str]) -> str:
    items = list(values)
    shown = ", ".join(html.escape(v) for v in items[:MAX_PREVIEW_VALUES])
    more = len(items) - MAX_PREVIEW_VALUES
    return shown + (f" (and {more} more)" if more > 0 else "")


def _preview_rows(entity: Entity) -> list[tuple[str, list[str]]]:
    other = [n.name for n in entity.names if n.name != entity.caption]
    former = [n.name for n in entity.names if n.kind == NameKind.PREVIOUS]
    countries = []
    for prop in sorted(COUNTRY_PROPS):
        countries += [country_name(c) or c for c in entity.get(prop)]
    ids = [f"{PROPERTIES[prop][0]} {v}" for prop in PROPERTY_TYPES for v in entity.get(prop)]
    births = [d.value + (" (circa)" if d.circa else "") for d in entity.dates]
    births = births if entity.dates else entity.get("birthDate")
    return [
        ("Also known as", [n for n in other if n not in former]),
        ("Former names", former),
        ("Dates", births),
        ("Countries", list(dict.fromkeys(countries))),
        ("Identifiers", ids),
        ("Programmes", entity.listing.programs),
        ("Listed on", [entity.listing.listed_on] if entity.listing.listed_on else []),
    ]


def preview_html(entity: Entity, view_url: str) -> str:
    """A small HTML page about a listed entity; every list-supplied string is escaped."""
    label = SCHEMA_LABELS.get(entity.schema, (entity.schema, ""))[0]
    dataset = entity.listing.dataset
    rows = "".join(
        f"<dt>{html.escape(title)}</dt><dd>{_joined(values)}</dd>"
        for title, values in _preview_rows(entity)
        if values
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(entity.caption)}</title><style>{PREVIEW_STYLE}</style></head>"
        f"<body><h1>{html.escape(entity.caption)}</h1>"
        f"<p>{html.escape(label)} · {html.escape(DATASETS.get(dataset, dataset))} · "
        f"{html.escape(entity.id)}</p><dl>{rows}</dl>"
        f'<p><a href="{html.escape(view_url)}" target="_blank" rel="noopener noreferrer">'
        "Open the entity page</a></p></body></html>"
    )
