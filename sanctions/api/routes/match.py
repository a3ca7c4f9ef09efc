"""``POST /match/{dataset}``: yente's query-by-example screening, on our screener."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from sanctions.matching import ALGORITHM, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from sanctions.screening import LIMITS, QueryError, QueryLimitError, count_names, parse_query

from ..auth import GuardedRoute, guarded
from ..holder import Snapshot
from ..models import MATCH_EXAMPLE, EntityMatchQuery, EntityMatchResponse, ErrorResponse
from ..results import scored_entity
from ..scope import Scope, check_schemata, check_topics, resolve_algorithm, resolve_datasets
from .common import TS_PATTERN, require_snapshot

router = APIRouter(route_class=GuardedRoute)

MAX_LIMIT = 500

DESCRIPTION = f"""Screen a batch of entities (FtM entities by example: a schema and
properties such as `name`, `birthDate`, `nationality`, `idNumber`) against the
lists in `dataset` (a dataset id, or `default`/`sanctions` for all of them).

Each query key comes back in `responses` with its best `limit` results, sorted by
score. `match` is true from `threshold` (default 0.70); results under `cutoff`
(default: the threshold, as in yente; never above it) are left out, and `total`
counts those kept. A lower `cutoff` (0.5, say) also returns near misses, slower.
`algorithm` accepts yente's names (`best`, `logic-v2`, ...): every name runs
sanctions-match, as the response's `algorithm` says.

Work limits: at most {LIMITS.names} names, {LIMITS.properties} properties, {LIMITS.values} values and
{LIMITS.total_chars:,} characters per query ({LIMITS.name_chars} per name), else 422 naming the
limit; each name (at least one per query) counts against the key's rate limit;
a request that screens longer than the time budget (`SANCTIONS_API_TIME_BUDGET`)
is stopped with 503.
Unknown `include_dataset`, `exclude_dataset`, `exclude_schema` or `topics`
values are a 400 naming them, never an empty result."""


class BudgetExceeded(Exception):
    """A request screened for longer than its time budget."""


def _echo(key: str, example: Any) -> dict[str, Any]:
    props = {
        str(k): (list(v) if isinstance(v, list) else [v]) for k, v in example.properties.items()
    }
    return {"id": example.id, "schema": example.schema_, "properties": props}


def _parse_all(queries: dict[str, Any]) -> dict[str, Any]:
    """Every query prepared for screening; the first bad one is a 400 naming its key."""
    parsed = {}
    for key, example in queries.items():
        data = {
            "id": example.id or key,
            "schema": example.schema_,
            "properties": example.properties,
        }
        try:
            parsed[key] = parse_query(data)
        except QueryLimitError as exc:
            raise HTTPException(422, detail=f"query {key!r}: {exc.message}") from exc
        except QueryError as exc:
            raise HTTPException(400, detail=f"query {key!r}: {exc.message}") from exc
    return parsed


def _screen_all(
    snapshot: Snapshot, body: EntityMatchQuery, scope: Scope, opts: dict[str, Any]
) -> dict[str, Any]:
    """Parse and screen every query (on the screening thread), within the time budget."""
    parsed = _parse_all(body.queries)
    fetch = MAX_LIMIT  # with a cutoff the screener scores every candidate anyway: count them
    responses = {}
    budget = opts["budget"]
    started = time.monotonic()
    for done, (key, record) in enumerate(parsed.items()):
        if budget and done and time.monotonic() - started > budget:
            raise BudgetExceeded(
                f"Screening time budget exceeded: {budget:g} s used after {done} of "
                f"{len(parsed)} queries; nothing is returned: send smaller batches."
            )
        result = snapshot.screener.screen(
            record, threshold=opts["threshold"], limit=fetch, cutoff=opts["cutoff"]
        )
        kept = [m for m in result.results if scope.keeps(m.record, snapshot)]
        relation = "gte" if len(result.results) >= fetch else "eq"
        responses[key] = {
            "status": 200,
            "results": [scored_entity(m, snapshot) for m in kept[: opts["limit"]]],
            "total": {"value": len(kept), "relation": relation},
            "query": _echo(key, body.queries[key]),
            "warnings": list(record.warnings),
        }
    return responses


def _check_body(body: EntityMatchQuery, max_batch: int) -> None:
    if body.config:
        keys = ", ".join(sorted(body.config))
        raise HTTPException(
            400,
            detail=f"Invalid configuration parameter: {keys} for algorithm {ALGORITHM} "
            "(it takes none)",
        )
    if body.weights:
        raise HTTPException(
            400,
            detail=f"Invalid weights: {', '.join(sorted(body.weights))}; {ALGORITHM} has "
            "fixed feature contributions (see /algorithms)",
        )
    if not body.queries:
        raise HTTPException(400, detail="No queries provided.")
    if len(body.queries) > max_batch:
        raise HTTPException(
            400, detail=f"Too many queries in one batch: {len(body.queries)} (limit: {max_batch})"
        )


@router.post(
    "/match/{dataset}",
    summary="Screen entities by example (yente-compatible)",
    description=DESCRIPTION,
    tags=["Matching"],
    response_model=EntityMatchResponse,
    responses={
        400: {"model": ErrorResponse, "description": "Invalid query or filter"},
        404: {"model": ErrorResponse, "description": "No such dataset"},
        422: {"model": ErrorResponse, "description": "A query over a work limit"},
        503: {"model": ErrorResponse, "description": "Index not ready, or time budget used"},
    },
    openapi_extra=guarded("screen", "admin"),
)
async def match(
    request: Request,
    body: Annotated[EntityMatchQuery, Body(openapi_examples={"two": {"value": MATCH_EXAMPLE}})],
    dataset: Annotated[str, Path(description="Dataset id, or `default`", examples=["default"])],
    limit: Annotated[int, Query(ge=0, le=MAX_LIMIT, description="Results per query")] = 5,
    threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    algorithm: Annotated[str, Query(max_length=100)] = "best",
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 - FastAPI query lists
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
    exclude_entity_ids: Annotated[list[str], Query(max_length=500)] = [],  # noqa: B006
) -> JSONResponse:
    ran = resolve_algorithm(algorithm)
    settings = request.app.state.settings
    _check_body(body, settings.max_batch)
    work = sum(count_names(q.properties) for q in body.queries.values())
    request.app.state.guard.charge(request, work)  # one per name, at least one per query
    check_schemata(exclude_schema, "exclude_schema")
    check_topics(topics)
    holder = request.app.state.holder
    snapshot = require_snapshot(holder)
    datasets = resolve_datasets(snapshot, dataset, include_dataset, exclude_dataset)
    scope = Scope(
        datasets=datasets,
        all_datasets=datasets == set(snapshot.versions),
        exclude_schemata=set(exclude_schema),
        exclude_ids=set(exclude_entity_ids),
        changed_since=changed_since,
        topics=set(topics),
    )
    cutoff = threshold if cutoff is None else min(cutoff, threshold)
    opts = {"limit": limit, "threshold": threshold, "cutoff": cutoff}
    opts["budget"] = settings.time_budget
    try:
        responses = await holder.run(_screen_all, snapshot, body, scope, opts)
    except BudgetExceeded as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    content = {
        "responses": responses,
        "limit": limit,
        "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION, "requested": algorithm},
    }
    headers = {
        "x-batch-size": str(len(responses)),
        "x-algorithm": ran,
        "x-index-generation": str(snapshot.generation),
    }
    return JSONResponse(content, headers=headers)
