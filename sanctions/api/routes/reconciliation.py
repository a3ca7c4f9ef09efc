"""``/reconcile/{dataset}``: the W3C Entity Reconciliation API (0.2), for OpenRefine.

The spec's request flow: ``GET /reconcile/{dataset}`` answers the service manifest;
``POST`` (form field ``queries``, or a JSON body) reconciles a batch; the manifest's
``preview`` URL gives an HTML card of a candidate, its ``view`` URL the web entity
page ``/ui/entity/{id}``; ``suggest/entity|type|property`` serve auto-completion.

Same roles (``screen``, ``admin``), rate limits, work limits, time budget and audit
(one ``screening.run`` of kind ``api-reconcile`` per batch) as ``/match``. The key
may be sent in the ``Authorization`` header or, because OpenRefine can only put it
in the service URL, as the ``api_key`` query parameter; the manifest carries it on
into the suggest and preview URLs (never into the view URL: the web pages have
their own sign-in).
"""

from __future__ import annotations

import html
import json
import time
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool

from sanctions import __version__
from sanctions.matching import DEFAULT_THRESHOLD
from sanctions.model import DATASETS, SCHEMA_LABELS
from sanctions.screening import QueryError, QueryLimitError, count_names, parse_query
from sanctions.screening.search import SEARCH_CUTOFF, search_hits

from ..auth import QUERY_KEY_PARAM, GuardedRoute, guarded
from ..holder import Snapshot
from ..models import ErrorResponse
from ..reconciliation import (
    BATCH_SIZE,
    MATCHABLE_TYPES,
    PREVIEW_CSP,
    PROPERTIES,
    ReconcileError,
    candidate,
    describe_record,
    parse_batch,
    preview_html,
    schema_type,
    to_screening_query,
)
from ..scope import COLLECTIONS, Scope, resolve_datasets
from .common import require_snapshot
from .match import BudgetExceeded, audit_api_run

__all__ = ["router", "view_url"]

router = APIRouter(route_class=GuardedRoute)

FETCH = 500  # candidates screened per query before the dataset filter keeps its own
SUGGEST_MAX = 50
DATASET = Path(description="Dataset id, or `default`", examples=["default"])
THRESHOLD = Query(ge=0.0, le=1.0, description="Score (0..1) from which `match` is true")
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Invalid query, type or property"},
    404: {"model": ErrorResponse, "description": "No such dataset"},
    422: {"model": ErrorResponse, "description": "A query over a work limit"},
    503: {"model": ErrorResponse, "description": "Index not ready, or time budget used"},
}
# Same roles as /match; the key may also come as ?api_key= (OpenRefine sends only URLs).
ROUTE: dict[str, Any] = {
    "tags": ["Reconciliation"],
    "responses": ERRORS,
    "openapi_extra": guarded("screen", "admin", query_key=True),
}
QUERIES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"queries": {"type": "string"}},
                    "required": ["queries"],
                }
            },
            "application/json": {"schema": {"type": "object"}},
        },
    }
}
OK = {"code": "/api/status/ok", "status": "200 OK"}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _key_suffix(request: Request, sep: str = "?") -> str:
    """The caller's ``api_key`` parameter, to carry on into the manifest's URLs."""
    key = request.query_params.get(QUERY_KEY_PARAM)
    return f"{sep}{urlencode({QUERY_KEY_PARAM: key})}" if key else ""


def view_url(request: Request, entity_id: str) -> str:
    """The web entity page of a listed entity."""
    return f"{_base(request)}/ui/entity/{quote(entity_id, safe='')}"


def _manifest(request: Request, dataset: str, max_batch: int) -> dict[str, Any]:
    base = _base(request)
    service = f"{base}/reconcile/{quote(dataset, safe='')}"
    suffix = _key_suffix(request)
    title = DATASETS.get(dataset) or COLLECTIONS.get(dataset) or dataset
    return {
        "versions": ["0.2"],
        "name": f"sanctions: {title}",
        "identifierSpace": f"{base}/entities/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{base}/docs#/Reconciliation",
        "serviceVersion": __version__,
        "batchSize": max(1, min(BATCH_SIZE, max_batch)),
        "view": {"url": f"{base}/ui/entity/{{{{id}}}}"},
        "preview": {
            "url": f"{service}/preview?id={{{{id}}}}{_key_suffix(request, '&')}",
            "width": 430,
            "height": 300,
        },
        "suggest": {
            name: {"service_url": service, "service_path": f"/suggest/{name}{suffix}"}
            for name in ("entity", "type", "property")
        },
        "defaultTypes": [schema_type(s) for s in MATCHABLE_TYPES],
    }


def _scope(snapshot: Snapshot, dataset: str) -> Scope:
    datasets = resolve_datasets(snapshot, dataset)
    return Scope(datasets=datasets, all_datasets=datasets == set(snapshot.versions))


def _screen_one(
    snapshot: Snapshot, key: str, prepared: tuple[dict[str, Any], int, list[str]], opts: Any
) -> tuple[dict[str, Any], str]:
    """One query's ``{result: [...]}`` (plus our ``warnings``) and its audit outcome."""
    query, limit, warnings = prepared
    try:
        record = parse_query(query)
    except QueryLimitError as exc:
        raise ReconcileLimitError(f"query {key!r}: {exc.message}") from exc
    except QueryError as exc:  # nothing screenable (no name, no identifier): said so
        return {"result": [], "warnings": [*warnings, exc.message]}, "error"
    scope = opts["scope"]
    fetch = FETCH if scope.filtering else limit
    result = snapshot.screener.screen(
        record, threshold=opts["threshold"], limit=fetch, cutoff=opts["cutoff"]
    )
    kept = [m for m in result.results if scope.keeps(m.record, snapshot)][:limit]
    answer: dict[str, Any] = {"result": [candidate(m) for m in kept]}
    if warnings or record.warnings:
        answer["warnings"] = [*warnings, *record.warnings]
    return answer, ("matched" if any(m.score.match for m in kept) else "screened")


class ReconcileLimitError(QueryLimitError):
    """A query of the batch is over a work limit: the batch is refused whole (422)."""


def _screen_batch(snapshot: Snapshot, prepared: dict[str, Any], opts: Any) -> tuple[Any, Any]:
    """Every query screened on the screening thread, within the time budget."""
    answers, outcomes = {}, []
    budget, started = opts["budget"], time.monotonic()
    for done, (key, item) in enumerate(prepared.items()):
        if budget and done and time.monotonic() - started > budget:
            raise BudgetExceeded(
                f"Screening time budget exceeded: {budget:g} s used after {done} of "
                f"{len(prepared)} queries; nothing is returned: send smaller batches."
            )
        answers[key], outcome = _screen_one(snapshot, key, item, opts)
        outcomes.append(outcome)
    return answers, outcomes


async def _read_queries(request: Request) -> Any:
    """The batch from a form field ``queries`` (the spec), or a JSON body (the batch, or
    ``{"queries": batch}``)."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReconcileError("The request body is not UTF-8 text.") from exc
    if kind == "application/json":
        data = _json(text, "the JSON body")
        if isinstance(data, dict) and isinstance(data.get("queries"), dict):
            return data["queries"]
        return data
    if kind in ("application/x-www-form-urlencoded", ""):
        form = parse_qs(text, keep_blank_values=True)
        if form.get("extend"):
            raise ReconcileError("Data extension ('extend') is not offered by this service.")
        if not form.get("queries"):
            raise ReconcileError("No queries: send the form field 'queries' (a JSON object).")
        return _json(form["queries"][0], "the form field 'queries'")
    raise HTTPException(
        415, detail=f"Unsupported content type {kind!r}: send a form or application/json."
    )


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ReconcileError(f"{where} is not valid JSON ({exc})") from exc


async def _reconcile(request: Request, dataset: str, raw: Any, threshold: float) -> JSONResponse:
    settings = request.app.state.settings
    batch = parse_batch(raw, settings.max_batch)
    prepared = {key: to_screening_query(key, query) for key, query in batch.items()}
    work = sum(count_names(query["properties"]) for query, _, _ in prepared.values())
    await request.app.state.guard.charge(request, work)  # one per name, at least one per query
    holder = request.app.state.holder
    snapshot = require_snapshot(holder)
    opts = {
        "scope": _scope(snapshot, dataset),
        "threshold": threshold,
        "cutoff": min(SEARCH_CUTOFF, threshold),
        "budget": settings.time_budget,
        "limit": max((limit for _, limit, _ in prepared.values()), default=0),
        "dataset": dataset,
    }
    try:
        answers, outcomes = await holder.run(_screen_batch, snapshot, prepared, opts)
    except BudgetExceeded as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    sent = {key: query.model_dump(mode="json") for key, query in batch.items()}
    run_id = await run_in_threadpool(
        audit_api_run, request, snapshot, "api-reconcile", sent, outcomes, opts
    )
    headers = {
        "x-batch-size": str(len(answers)),
        "x-index-generation": str(snapshot.generation),
        "x-screening-run": run_id,
    }
    return JSONResponse(answers, headers=headers)


@router.get(
    "/reconcile/{dataset}",
    summary="Reconciliation service manifest (or a batch given as `queries`)",
    description="The W3C reconciliation service manifest (spec 0.2) for OpenRefine and "
    "other clients: add `<server>/reconcile/default?api_key=<key>` as a service. With a "
    "`queries` parameter (a JSON object), reconciles that batch as POST does. "
    "See docs/api.md, section Reconciliation (OpenRefine).",
    **ROUTE,
)
async def reconcile_get(
    request: Request,
    dataset: Annotated[str, DATASET],
    queries: Annotated[str | None, Query(max_length=200_000)] = None,
    threshold: Annotated[float, THRESHOLD] = DEFAULT_THRESHOLD,
    callback: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    if callback is not None:
        raise ReconcileError(
            "JSONP ('callback') is not offered: allow the client's origin "
            "with --cors-origin instead."
        )
    if queries is not None:
        return await _reconcile(request, dataset, _json(queries, "'queries'"), threshold)
    resolve_datasets(require_snapshot(request.app.state.holder), dataset)  # 404 if unknown
    return JSONResponse(_manifest(request, dataset, request.app.state.settings.max_batch))


@router.post(
    "/reconcile/{dataset}",
    summary="Reconcile a batch of queries",
    description="A batch `{key: {query, type, limit, properties: [{pid, v}]}}` as the form "
    "field `queries` (what OpenRefine sends) or as a JSON body (the batch itself, or "
    '`{"queries": batch}`). Each key comes back as `{result: [candidates]}`, best first: '
    "`id`, `name`, `description`, `type`, `score` (0-100), `match` (score from "
    "`threshold`, default 0.70) and `features` (what moved the score). `type` is a schema "
    "(none: any listed subject); property ids are those of `/suggest/property` (also as "
    "`Schema:prop`). A value the matcher cannot use (not a country, an invalid identifier) "
    "and a query with nothing to screen are reported in that key's `warnings`. An unknown "
    "type or property is a 400 and a query over a work limit a 422 for the whole batch.",
    **{**ROUTE, "openapi_extra": {**ROUTE["openapi_extra"], **QUERIES_BODY}},
)
async def reconcile_post(
    request: Request,
    dataset: Annotated[str, DATASET],
    threshold: Annotated[float, THRESHOLD] = DEFAULT_THRESHOLD,
) -> JSONResponse:
    raw = await _read_queries(request)
    return await _reconcile(request, dataset, raw, threshold)


def _not_found_page(text: str) -> HTMLResponse:
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title>'
        f"</head><body><p>{html.escape(text)}</p></body></html>"
    )
    return HTMLResponse(page, 404, headers=_preview_headers())


def _preview_headers() -> dict[str, str]:
    return {
        "content-security-policy": PREVIEW_CSP,
        "referrer-policy": "no-referrer",
        "x-content-type-options": "nosniff",
        "cache-control": "private, no-store",
    }


@router.get(
    "/reconcile/{dataset}/preview",
    summary="An HTML card of a listed entity (the manifest's preview URL)",
    response_class=HTMLResponse,
    **{**ROUTE, "responses": {404: {"description": "No such entity here (an HTML page)"}}},
)
async def preview(
    request: Request,
    dataset: Annotated[str, DATASET],
    id: Annotated[str, Query(min_length=1, max_length=500, examples=["us_ofac_sdn-35096"])],
) -> HTMLResponse:
    scope = _scope(require_snapshot(request.app.state.holder), dataset)
    entity = await run_in_threadpool(request.app.state.store.get_entity, id)
    if entity is None or entity.listing.dataset not in scope.datasets:
        return _not_found_page(f"No listed entity {id!r} in {dataset!r}.")
    page = preview_html(entity, view_url(request, entity.id))
    return HTMLResponse(page, headers=_preview_headers())


def _prefixed(prefix: str, *texts: str) -> bool:
    """Whether any word of the texts starts with the prefix (case-insensitive)."""
    wanted = prefix.strip().casefold()
    return not wanted or any(
        word.startswith(wanted) or text.casefold().startswith(wanted)
        for text in texts
        for word in text.casefold().split()
    )


def _suggested_entities(
    snapshot: Snapshot, prefix: str, scope: Scope, window: tuple[int, int]
) -> list[dict[str, Any]]:
    try:
        hits = search_hits(snapshot.screener, prefix, limit=FETCH)
    except QueryLimitError:
        raise
    except QueryError:
        return []  # nothing searchable in the prefix (punctuation only): nothing suggested
    records = [r for r, _ in hits if scope.keeps(r, snapshot)]
    start, stop = window
    return [
        {
            "id": r.id,
            "name": r.caption,
            "description": describe_record(r),
            "type": [schema_type(r.schema)],
            "notable": [schema_type(r.schema)],
        }
        for r in records[start:stop]
    ]


PREFIX = Query(max_length=500, description="What the user typed so far")
CURSOR = Query(ge=0, le=10_000, description="Offset of the first suggestion")


@router.get(
    "/reconcile/{dataset}/suggest/entity",
    summary="Suggest listed entities for a typed name or identifier",
    description="A fuzzy name search (and identifier search) of the listed subjects, "
    "as `/search` does, in the suggest shape: `{result: [{id, name, description, type}]}`.",
    **ROUTE,
)
async def suggest_entity(
    request: Request,
    dataset: Annotated[str, DATASET],
    prefix: Annotated[str, PREFIX] = "",
    cursor: Annotated[int, CURSOR] = 0,
    limit: Annotated[int, Query(ge=1, le=SUGGEST_MAX)] = 10,
) -> JSONResponse:
    await request.app.state.guard.charge(request, 1)
    holder = request.app.state.holder
    snapshot = require_snapshot(holder)
    scope = _scope(snapshot, dataset)
    result: list[dict[str, Any]] = []
    if prefix.strip():
        window = (cursor, cursor + limit)
        result = await holder.run(_suggested_entities, snapshot, prefix, scope, window)
    return JSONResponse({**OK, "prefix": prefix, "result": result})


SUGGESTIONS = {
    "type": [(schema_type(s), (s, SCHEMA_LABELS[s][0])) for s in MATCHABLE_TYPES],
    "property": [
        ({"id": prop, "name": label, "description": text}, (prop, label))
        for prop, (label, text) in PROPERTIES.items()
    ],
}


@router.get(
    "/reconcile/{dataset}/suggest/{kind}",
    summary="Suggest the types (FtM schemata) or the properties a query may use",
    description="`type`: the schemata a query's `type` may name; `property`: the properties "
    "its `properties` may constrain (the ones the matcher uses). Filtered by `prefix` "
    "(the start of the id, the label or one of its words).",
    **ROUTE,
)
async def suggest_vocabulary(
    request: Request,
    dataset: Annotated[str, DATASET],
    kind: Annotated[Literal["type", "property"], Path()],
    prefix: Annotated[str, PREFIX] = "",
) -> JSONResponse:
    resolve_datasets(require_snapshot(request.app.state.holder), dataset)
    result = [item for item, texts in SUGGESTIONS[kind] if _prefixed(prefix, *texts)]
    return JSONResponse({**OK, "prefix": prefix, "result": result})
