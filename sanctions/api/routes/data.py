"""``GET /search/{dataset}`` and ``GET /entities/{id}``: browsing the lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sanctions.model import DATASETS, SCHEMATA, descendants
from sanctions.screening import QueryError, QueryLimitError
from sanctions.screening.search import search_hits

from ..auth import GuardedRoute, guarded
from ..holder import Snapshot
from ..models import EntityResponse, ErrorResponse, SearchResponse
from ..results import entity_response, record_response
from ..scope import Scope, check_schemata, check_topics, resolve_datasets
from .common import TS_PATTERN, require_snapshot

router = APIRouter(route_class=GuardedRoute)

MAX_HITS = 500
FACETS = ("datasets", "countries", "schema")


def _facets(records: list[Any], wanted: Iterable[str]) -> dict[str, Any]:
    counters: dict[str, Counter[str]] = {name: Counter() for name in wanted if name in FACETS}
    for record in records:
        if "datasets" in counters:
            counters["datasets"].update(record.datasets)
        if "countries" in counters:
            counters["countries"].update(record.countries)
        if "schema" in counters:
            counters["schema"][record.schema] += 1
    labels = {"datasets": "Data sources", "countries": "Countries", "schema": "Entity types"}
    return {
        name: {
            "label": labels[name],
            "values": [
                {"name": k, "label": DATASETS.get(k, k), "count": n}
                for k, n in counter.most_common(50)
            ],
        }
        for name, counter in counters.items()
    }


def _search(
    snapshot: Snapshot, q: str, schema: str | None, scope: Scope
) -> list[tuple[Any, float | None]]:
    """(record, score) of every hit, best first; a blank ``q`` lists the records in scope."""
    if not q.strip():
        return [(r, None) for r in snapshot.records if scope.keeps(r, snapshot)]
    try:
        hits = search_hits(
            snapshot.screener, q, schema, limit=MAX_HITS, scope=scope.matching_scope()
        )
    except QueryLimitError:
        raise  # over a work limit: 422, never an empty result
    except QueryError:
        return []  # nothing searchable in q (punctuation only, say): no hits
    return [(r, score) for r, score in hits if scope.keeps(r, snapshot)]


def _search_page(
    snapshot: Snapshot, q: str, schema: str | None, scope: Scope, page: dict[str, Any]
) -> dict[str, Any]:
    hits = _search(snapshot, q, schema, scope)
    start, stop = page["offset"], page["offset"] + page["limit"]
    capped = bool(q.strip()) and len(hits) >= MAX_HITS
    return {
        "limit": page["limit"],
        "offset": page["offset"],
        "total": {"value": len(hits), "relation": "gte" if capped else "eq"},
        "results": [record_response(r, snapshot, score) for r, score in hits[start:stop]],
        "facets": _facets([r for r, _ in hits], page["facets"]),
    }


@router.get(
    "/search/{dataset}",
    summary="Search the lists by name or identifier",
    description="Full-text search: `q` is screened as a name with a low cutoff and, when it "
    "holds an identifier, as every type it is valid as (IMO, MMSI, BIC, LEI, UN reference, "
    "passport or national id): an entity sharing it is always a hit. A blank `q` lists the "
    "entities in scope. Filters: "
    "`schema` (with its sub-schemata), `countries`, `include_dataset`, `exclude_dataset`, "
    "`exclude_schema`, `changed_since`, `topics`. Paged with `limit` and `offset`.",
    tags=["Data access"],
    response_model=SearchResponse,
    responses={
        400: {"model": ErrorResponse, "description": "Invalid query"},
        404: {"model": ErrorResponse, "description": "No such dataset"},
        503: {"model": ErrorResponse, "description": "Index not ready yet"},
    },
    openapi_extra=guarded("screen", "analyst", "admin"),
)
async def search(
    request: Request,
    dataset: Annotated[str, Path(description="Dataset id, or `default`", examples=["default"])],
    q: Annotated[str, Query(max_length=1000, examples=["Putin"])] = "",
    schema: Annotated[str | None, Query(examples=["Person"])] = None,
    countries: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query lists
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
    facets: Annotated[list[str], Query()] = list(FACETS),  # noqa: B006
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=9500)] = 0,
) -> JSONResponse:
    if schema is not None and schema not in SCHEMATA:
        raise HTTPException(
            400, detail=f"Invalid schema: {schema!r} (known: {', '.join(SCHEMATA)})"
        )
    check_schemata(exclude_schema, "exclude_schema")
    check_topics(topics)
    holder = request.app.state.holder
    snapshot = require_snapshot(holder)
    datasets = resolve_datasets(snapshot, dataset, include_dataset, exclude_dataset)
    scope = Scope(
        datasets=datasets,
        all_datasets=datasets == set(snapshot.versions),
        exclude_schemata=set(exclude_schema),
        changed_since=changed_since,
        topics=set(topics),
        schemata=set(descendants(schema)) if schema else None,
        countries={c.strip().lower() for c in countries if c.strip()},
    )
    page = {"limit": limit, "offset": offset, "facets": facets}
    content = await holder.run(_search_page, snapshot, q, schema, scope, page)
    return JSONResponse(content)


@router.get(
    "/entities/{entity_id:path}",
    summary="One listed entity, with its listing, provenance and history",
    tags=["Data access"],
    response_model=EntityResponse,
    responses={404: {"model": ErrorResponse, "description": "No such entity"}},
    openapi_extra=guarded("screen", "analyst", "admin"),
)
async def fetch_entity(
    request: Request,
    entity_id: Annotated[str, Path(examples=["us_ofac_sdn-35096"])],
    nested: Annotated[bool, Query(description="Accepted for yente compatibility")] = True,
) -> JSONResponse:
    store = request.app.state.store
    entity = await run_in_threadpool(store.get_entity, entity_id)
    history = await run_in_threadpool(store.entity_history, entity_id)
    if entity is None:
        detail = f"No such entity: {entity_id!r}"
        if history and history[-1]["change"] == "removed":
            last = history[-1]
            detail = (
                f"Entity {entity_id!r} is no longer listed: removed from {last['dataset']} "
                f"in version v{last['seq']} (loaded {last['loaded_at']})"
            )
        raise HTTPException(404, detail=detail)
    return JSONResponse(entity_response(entity, history, request.app.state.holder.snapshot))
