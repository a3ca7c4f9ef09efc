"""``POST /match/{dataset}``: yente's query-by-example screening, on our screener."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sanctions.coordination.subjects import load_subjects
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from sanctions.screening import LIMITS, QueryError, QueryLimitError, count_names, parse_query
from sanctions.screening.evidence import RunEvidence, canonical_sha256, list_versions, record_run
from sanctions.screening.subjects import GROUPS, SubjectMap, group_matches
from sanctions.store import Store

from ..auth import GuardedRoute, guarded, request_actor
from ..holder import Snapshot
from ..models import MATCH_EXAMPLE, EntityMatchQuery, EntityMatchResponse, ErrorResponse
from ..results import scored_entity
from ..scope import Scope, check_schemata, check_topics, resolve_algorithm, resolve_datasets
from .common import TS_PATTERN, require_snapshot
from .system import describe_algorithm

router = APIRouter(route_class=GuardedRoute)

MAX_LIMIT = 500

DESCRIPTION = f"""Screen a batch of entities (FtM entities by example: a schema and
properties such as `name`, `birthDate`, `nationality`, `idNumber`) against the
lists in `dataset` (a dataset id, or `default`/`sanctions` for all of them).

Each query key comes back in `responses` with its best `limit` results, sorted by
score. `match` is true from `threshold` (default 0.70); results under `cutoff`
(default: the threshold, as in yente; never above it) are left out, and `total`
counts those kept. A lower `cutoff` (0.5, say) also returns near misses, slower.
Each response has its own `status`: a query that cannot be screened (no name, an
unknown schema...) gets 400 (422 over a work limit) with a `detail`, and the other
queries of the batch are still answered (when no query can be screened, the
request itself fails with the first one's status and detail). Results carry the listed entity's full
`properties`, our `explanations` (keyed by feature) and yente's older `features`
map; the top-level `matcher` describes the algorithm as yente does. Every request
is one audited screening run (`run_id`, header `x-screening-run`; see
`sanctions audit show`).
`algorithm` accepts yente's names (`best`, `logic-v2`, ...): every name runs
sanctions-match, as the response's `algorithm` says.

Work limits: at most {LIMITS.names} names, {LIMITS.properties} properties, {LIMITS.values} values and
{LIMITS.total_chars:,} characters per query ({LIMITS.name_chars} per name), else 422 naming the
limit; each name (at least one per query) counts against the key's rate limit;
a request that screens longer than the time budget (`SANCTIONS_API_TIME_BUDGET`)
is stopped with 503.
Unknown `include_dataset`, `exclude_dataset`, `exclude_schema` or `topics`
values are a 400 naming them, never an empty result.

`group=subject` answers one result per subject instead of one per listing: the
best-scoring listing of each subject, with a `subject` object (its other listings
the query matched, its datasets, jurisdictions, programmes and listing dates);
`total` counts subjects. Listings of lists resolved before their current version
are their own subjects, and `subject_note` says so. Any other `group` is a 422."""


GROUP_HELP = (
    "`listing` (default, as yente): one result per listed entity. `subject`: one result per "
    "subject (the listings of one subject across lists, from `sanctions resolve`): the "
    "best-scoring listing, with `subject` holding the other listings the query matched and "
    "the subject's datasets, jurisdictions, programmes and listing dates."
)


class BudgetExceeded(Exception):
    """A request screened for longer than its time budget."""


def _echo(key: str, example: Any) -> dict[str, Any]:
    props = {
        str(k): (list(v) if isinstance(v, list) else [v]) for k, v in example.properties.items()
    }
    return {"id": example.id, "schema": example.schema_, "properties": props}


def _parse_all(queries: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every query prepared for screening, and the bad ones' own error responses (a bad
    query gets status 400, or 422 over a work limit; the others are still answered)."""
    parsed, failed = {}, {}
    for key, example in queries.items():
        data = {
            "id": example.id or key,
            "schema": example.schema_,
            "properties": example.properties,
        }
        try:
            parsed[key] = parse_query(data)
        except QueryError as exc:
            status = 422 if isinstance(exc, QueryLimitError) else 400
            failed[key] = {
                "status": status,
                "detail": f"query {key!r}: {exc.message}",
                "results": [],
                "total": {"value": 0, "relation": "eq"},
                "query": _echo(key, example),
                "warnings": [],
            }
    return parsed, failed


@lru_cache(maxsize=20_000)
def _stored_properties(store: Store, entity_id: str, version_id: int | None) -> Any:
    """An entity's properties in one version (immutable, so cached: ~1 ms per store read)."""
    entity = store.get_entity(entity_id, version_id)
    return None if entity is None else {k: list(v) for k, v in entity.properties.items()}


def _full_properties(store: Store, snapshot: Snapshot, match: Any) -> dict[str, list[str]]:
    """The listed entity's every property, as in the version the index was built from."""
    dataset = match.record.datasets[0] if match.record.datasets else ""
    info = snapshot.versions.get(dataset)
    props = None
    if store is not None:
        props = _stored_properties(store, match.record.id, None if info is None else info.id)
    return dict(props) if props is not None else dict(match.record.properties)


def _entity(store: Store, snapshot: Snapshot, match: Any) -> dict[str, Any]:
    scored = scored_entity(match, snapshot)
    scored["properties"] = _full_properties(store, snapshot, match)
    return scored


def _subject_entity(store: Store, snapshot: Snapshot, subject: Any) -> dict[str, Any]:
    """A subject's result: its lead listing as a scored entity, with the subject attached."""
    summary = subject.to_dict()
    summary.pop("listings")
    summary["listings"] = [_entity(store, snapshot, m) for m in subject.matches[1:]]
    return {**_entity(store, snapshot, subject.lead), "subject": summary}


def _subjects(store: Store, snapshot: Snapshot, group: str) -> SubjectMap | None:
    """The subject map for ``group=subject`` (None for per-listing results)."""
    if group == "listing":
        return None
    if store is None:
        return SubjectMap(note="no store: every listing is shown as its own subject")
    return load_subjects(store, snapshot.versions.values())


def _screen_all(
    snapshot: Snapshot, body: EntityMatchQuery, scope: Scope, opts: dict[str, Any]
) -> dict[str, Any]:
    """Parse and screen every query (on the screening thread), within the time budget."""
    parsed, failed = _parse_all(body.queries)
    opts["subjects"] = _subjects(opts["store"], snapshot, opts["group"])
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
            record,
            threshold=opts["threshold"],
            limit=fetch,
            cutoff=opts["cutoff"],
            scope=scope.matching_scope(),  # before scoring; changed_since after
        )
        kept = [m for m in result.results if scope.keeps(m.record, snapshot)]
        relation = "gte" if len(result.results) >= fetch else "eq"
        if opts["subjects"] is not None:
            subjects = group_matches(kept, opts["subjects"])
            total = len(subjects)
            shown = subjects[: opts["limit"]]
            results = [_subject_entity(opts["store"], snapshot, s) for s in shown]
        else:
            total = len(kept)
            results = [_entity(opts["store"], snapshot, m) for m in kept[: opts["limit"]]]
        responses[key] = {
            "status": 200,
            "results": results,
            "total": {"value": total, "relation": relation},
            "query": _echo(key, body.queries[key]),
            "warnings": list(record.warnings),
        }
    return {key: responses.get(key) or failed[key] for key in body.queries}


def audit_api_run(
    request: Request,
    snapshot: Snapshot,
    kind: str,
    queries: dict[str, Any],
    outcomes: list[str],
    opts: dict[str, Any],
) -> str:
    """One ``screening.run`` audit entry for an API batch (docs/evidence.md); its run id.

    ``queries`` is the batch as sent (hashed), ``outcomes`` one of ``matched``,
    ``screened`` or ``error`` per query."""
    run = RunEvidence(
        kind=kind,
        threshold=opts["threshold"],
        list_versions=list_versions(snapshot.versions.values()),
        actor=request_actor(request),
        input_sha256=canonical_sha256(queries),
        rows=len(outcomes),
        screened=sum(1 for o in outcomes if o != "error"),
        matched=sum(1 for o in outcomes if o == "matched"),
        errors=sum(1 for o in outcomes if o == "error"),
        cutoff=opts["cutoff"],
        limit=opts["limit"],
        extra={"dataset": opts["dataset"], "index_generation": snapshot.generation},
    )
    record_run(request.app.state.store, run)
    return run.run_id


def _audit_batch(
    request: Request,
    snapshot: Snapshot,
    body: EntityMatchQuery,
    responses: dict[str, Any],
    opts: dict[str, Any],
) -> str:
    queries = {k: q.model_dump(by_alias=True, mode="json") for k, q in body.queries.items()}
    outcomes = [
        "error"
        if r["status"] != 200
        else ("matched" if any(x["match"] for x in r["results"]) else "screened")
        for r in responses.values()
    ]
    return audit_api_run(request, snapshot, "api-match", queries, outcomes, opts)


def _check_group(group: str) -> None:
    if group not in GROUPS:
        raise HTTPException(
            422, detail=f"Unknown group {group!r}: one of {', '.join(GROUPS)} (default listing)"
        )


def _subject_note(subjects: SubjectMap | None) -> dict[str, str]:
    """``{"subject_note": ...}`` when some listings are their own subjects (stale clusters)."""
    return {"subject_note": subjects.note} if subjects is not None and subjects.note else {}


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
    group: Annotated[str, Query(max_length=50, description=GROUP_HELP)] = "listing",
) -> JSONResponse:
    _check_group(group)
    ran = resolve_algorithm(algorithm)
    settings = request.app.state.settings
    _check_body(body, settings.max_batch)
    work = sum(count_names(q.properties) for q in body.queries.values())
    await request.app.state.guard.charge(request, work)  # one per name, at least one per query
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
    opts: dict[str, Any] = {"limit": limit, "threshold": threshold, "cutoff": cutoff}
    opts.update(budget=settings.time_budget, store=request.app.state.store, dataset=dataset)
    opts["group"] = group
    try:
        responses = await holder.run(_screen_all, snapshot, body, scope, opts)
    except BudgetExceeded as exc:
        raise HTTPException(503, detail=str(exc)) from exc
    if all(r["status"] != 200 for r in responses.values()):  # nothing screened: fail whole
        first = next(iter(responses.values()))
        raise HTTPException(first["status"], detail=first["detail"])
    run_id = await run_in_threadpool(_audit_batch, request, snapshot, body, responses, opts)
    content = {
        "responses": responses,
        "limit": limit,
        "matcher": describe_algorithm(),
        "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION, "requested": algorithm},
        "run_id": run_id,
        "group": group,
        **_subject_note(opts["subjects"]),
    }
    headers = {
        "x-batch-size": str(len(responses)),
        "x-algorithm": ran,
        "x-index-generation": str(snapshot.generation),
        "x-index-digest": snapshot.digest,
        "x-screening-run": run_id,
    }
    return JSONResponse(content, headers=headers)
