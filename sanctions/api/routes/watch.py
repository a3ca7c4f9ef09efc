"""Continuous screening over HTTP: watched records, re-screening runs, alerts,
analysts' decisions and the audit log.

Every route calls :class:`sanctions.watch.Watch` or :mod:`sanctions.audit` and
holds no screening logic. The actor written to the audit trail is the calling
key, ``api-key:<id>:<name>``; it is also the analyst of a decision.

Roles: reading records and alerts: screen, analyst, admin; adding and changing
records: screen, analyst, admin; removing records (``DELETE``, an import with
``remove_missing``): analyst, admin (the ``screen`` role, meant for payment
systems, must not be able to end monitoring); decisions: analyst, admin;
re-screening and the audit log: admin. A change of a record never closes an
open, escalated or true-match alert (see :mod:`sanctions.watch.reconcile`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sanctions import audit
from sanctions.errors import NotFoundError
from sanctions.screening.tabular import ReadOptions
from sanctions.watch import ColumnMap, ImportOptions, Watch, canonical_status

from ..auth import GuardedRoute, guarded, request_actor
from ..models import (
    AlertDetail,
    AlertPage,
    DecisionBody,
    DecisionOut,
    ErrorResponse,
    ImportReportOut,
    RecordBody,
    RecordChangeOut,
    RecordPage,
    RunReportOut,
    VerifyOut,
    WatchedRecordOut,
)

router = APIRouter(route_class=GuardedRoute)

READ = ("screen", "analyst", "admin")
WRITE = ("screen", "analyst", "admin")
REMOVE = ("analyst", "admin")
DECIDE = ("analyst", "admin")
ADMIN = ("admin",)
MAX_ID = 2**62
TAG_RECORDS, TAG_ALERTS, TAG_AUDIT = "Watched records", "Alerts and decisions", "Audit log"
RecordId = Annotated[
    str, PathParam(min_length=1, max_length=200, description="Your own id", examples=["c-17"])
]
AlertId = Annotated[int, PathParam(ge=1, le=MAX_ID, examples=[12])]
StatusParam = Annotated[
    Literal[
        "open",
        "escalated",
        "true_match",
        "false_positive",
        "true-match",
        "false-positive",
        "closed",
        "active",
        "all",
    ],
    Query(description="false-positive and true-match are accepted for the _ spelling."),
]


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {400: "Invalid input", 404: "Not found", 409: "Conflict"}
    return {code: {"model": ErrorResponse, "description": text[code]} for code in codes}


# -- helpers -------------------------------------------------------------------------


def _watch(request: Request, threshold: float | None = None) -> Watch:
    actor = request_actor(request)
    kwargs = {} if threshold is None else {"threshold": threshold}
    return Watch(request.app.state.store, actor=actor, **kwargs)


def _as_list(value: list[str] | str | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def record_properties(body: RecordBody) -> dict[str, list[str]]:
    """The body's properties, with the CLI-style fields folded in."""
    props = {key: _as_list(value) for key, value in body.properties.items()}
    extra = {
        "name": _as_list(body.name),
        "birthDate": _as_list(body.birth_date),
        "nationality" if body.schema_ == "Person" else "country": _as_list(body.country),
    }
    for key, values in extra.items():
        if values:
            props.setdefault(key, []).extend(values)
    return props


# -- records -------------------------------------------------------------------------


@router.get(
    "/watch/records",
    summary="List watched records (paged, by id)",
    description="One page read from the store (`limit`/`offset`, or `after` an id for "
    "keyset paging: follow `next_after`); `total` counts the records with the status.",
    tags=[TAG_RECORDS],
    response_model=RecordPage,
    openapi_extra=guarded(*READ),
)
async def list_records(
    request: Request,
    status: Annotated[Literal["active", "removed", "all"], Query()] = "active",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    after: Annotated[
        str | None, Query(max_length=200, description="Keyset paging: ids after this one")
    ] = None,
) -> JSONResponse:
    watch = _watch(request)
    wanted = None if status == "all" else status
    total, page = await run_in_threadpool(watch.records_page, wanted, limit, offset, after)
    content = {
        "total": total,
        "limit": limit,
        "offset": offset,
        "after": after,
        "next_after": page[-1].id if len(page) == limit else None,
        "results": [r.to_dict() for r in page],
    }
    return JSONResponse(content)


@router.get(
    "/watch/records/{record_id}",
    summary="One watched record, with its current version",
    tags=[TAG_RECORDS],
    response_model=WatchedRecordOut,
    responses=_errors(404),
    openapi_extra=guarded(*READ),
)
async def get_record(request: Request, record_id: RecordId) -> JSONResponse:
    record = await run_in_threadpool(_watch(request).record, record_id)
    if record is None:
        raise NotFoundError(f"no watched record {record_id!r}")
    return JSONResponse(record.to_dict())


@router.put(
    "/watch/records/{record_id}",
    summary="Watch a record, or make a new version of it",
    description='The body is an FtM-like `{"schema", "properties"}` and/or the fields of '
    "`sanctions watch add` (`name`, `birth_date`, `country`). Unchanged content changes "
    "nothing (`change: unchanged`); a removed record is watched again (`readded`).",
    tags=[TAG_RECORDS],
    response_model=RecordChangeOut,
    responses=_errors(400),
    openapi_extra=guarded(*WRITE),
)
async def put_record(request: Request, record_id: RecordId, body: RecordBody) -> JSONResponse:
    watch = _watch(request)
    props = record_properties(body)
    change = await run_in_threadpool(watch.add, record_id, props, body.schema_)
    return JSONResponse(change.to_dict())


@router.delete(
    "/watch/records/{record_id}",
    summary="Stop watching a record (its alerts are closed with the reason)",
    description="Needs an `analyst` or `admin` key: ending monitoring closes alerts.",
    tags=[TAG_RECORDS],
    response_model=RecordChangeOut,
    responses=_errors(404),
    openapi_extra=guarded(*REMOVE),
)
async def delete_record(
    request: Request,
    record_id: RecordId,
    reason: Annotated[str, Query(max_length=1000, examples=["customer left"])] = "",
) -> JSONResponse:
    change = await run_in_threadpool(_watch(request).remove, record_id, reason)
    return JSONResponse(change.to_dict())


CSV_BODY = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "customer_id,full_name,date_of_birth,nationality\n"
            "c-1,Boris Fictionov,1970-03-01,Russia\n",
        }
    },
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _upload_name(filename: str) -> str:
    """The caller's file name, made safe to show and log, always ``.csv``."""
    name = _UNSAFE.sub("_", Path(filename).name).strip("._") or "upload"
    return name if name.lower().endswith(".csv") else name + ".csv"


@router.post(
    "/watch/import",
    summary="Add or update records from a CSV file (the request body)",
    description="Send the file as the body (`Content-Type: text/csv`, UTF-8). Columns are "
    "mapped as by `sanctions watch import`: common names are recognised, the query "
    "parameters map the others; `column` takes `PROP=COLUMN` (repeatable). Unusable rows "
    "are reported in `errors` with their line numbers; the rest is imported in one "
    "transaction; dates must be unambiguous (`date_format`), countries known, and every row "
    "must have the header's number of fields (`delimiter`: default sniffed). The body size limit applies (`SANCTIONS_API_MAX_BODY`). "
    "`remove_missing=true` (stop watching records not in the file) needs an analyst or "
    "admin key and is refused (400, nothing imported) when the file has no rows, has rows "
    "that failed validation, or would remove more than `SANCTIONS_API_MAX_REMOVALS` "
    "(default 10%) of the records unless `confirm_removals` equals the number removed.",
    tags=[TAG_RECORDS],
    response_model=ImportReportOut,
    responses=_errors(400),
    openapi_extra={**guarded(*WRITE), "requestBody": CSV_BODY},
)
async def import_records(
    request: Request,
    id_column: Annotated[str | None, Query(max_length=200, examples=["customer_id"])] = None,
    name_column: Annotated[str | None, Query(max_length=200)] = None,
    birth_date_column: Annotated[str | None, Query(max_length=200)] = None,
    country_column: Annotated[str | None, Query(max_length=200)] = None,
    schema_column: Annotated[str | None, Query(max_length=200)] = None,
    column: Annotated[list[str], Query(max_length=100)] = [],  # noqa: B006 - FastAPI lists
    schema: Annotated[str, Query(max_length=50)] = "Person",
    remove_missing: bool = False,
    confirm_removals: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    filename: Annotated[str, Query(max_length=200, examples=["customers.csv"])] = "upload.csv",
    delimiter: Annotated[
        str | None, Query(min_length=1, max_length=1, description="Default: sniffed (, ; TAB |).")
    ] = None,
    date_format: Annotated[
        str | None,
        Query(
            max_length=50,
            description="DD/MM/YYYY, MM/DD/YYYY or a strptime pattern; without it an "
            "ambiguous NN/NN/YYYY date makes its row an error.",
        ),
    ] = None,
) -> JSONResponse:
    opts = dict(locals())
    principal = getattr(request.state, "principal", None)
    if remove_missing and (principal is None or principal.role not in REMOVE):
        role = principal.role if principal is not None else "none"
        raise HTTPException(
            403,
            detail=f"A key with role {role!r} may not remove watched records: "
            f"remove_missing needs one of {', '.join(REMOVE)}.",
        )
    cmap = ColumnMap.from_options(opts)  # a bad option: 400 naming it, as the CLI reads it
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, detail=f"The body is not UTF-8 text: {exc}") from exc
    if not text.strip():
        raise HTTPException(400, detail="The body is empty: send the CSV file as the body.")
    watch = _watch(request)
    options = ImportOptions(
        remove_missing=remove_missing,
        confirm_removals=confirm_removals,
        max_removal_share=request.app.state.settings.max_removal_share,
        read_options=ReadOptions(delimiter=delimiter, encoding="utf-8"),
    )
    upload = io.StringIO(text, newline="")
    name = _upload_name(filename)
    report = await run_in_threadpool(watch.import_stream, upload, name, cmap, options)
    return JSONResponse(report.to_dict())


# -- runs ----------------------------------------------------------------------------


@router.post(
    "/watch/rescreen",
    summary="Re-screen the watched records (a delta run, or full)",
    description="A delta run screens new or changed records against every entity and the "
    "others against the entities added or changed since the last run, and closes alerts "
    "of removed entities; `full=true` screens everything; `resolve=true` first resolves "
    "the clusters incrementally when a list changed since the last resolve (alerts are per "
    "subject: a new listing of an alerted subject then joins its alert). Runs "
    "synchronously: a full run of 100,000 records takes minutes.",
    tags=[TAG_ALERTS],
    response_model=RunReportOut,
    responses=_errors(400),
    openapi_extra=guarded(*ADMIN),
)
async def rescreen(
    request: Request,
    full: bool = False,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    resolve: bool = False,
) -> JSONResponse:
    report = await run_in_threadpool(_watch(request, threshold).rescreen, full, resolve)
    return JSONResponse({**report.to_dict(), "summary": report.summary()})


# -- alerts and decisions -----------------------------------------------------------------


@router.get(
    "/alerts",
    summary="List alerts, newest first",
    description="`status`: open, escalated, true_match, false_positive, closed, `active` "
    "(every status but closed; the default) or `all`.",
    tags=[TAG_ALERTS],
    response_model=AlertPage,
    openapi_extra=guarded(*READ),
)
async def list_alerts(
    request: Request,
    status: StatusParam = "active",
    record_id: Annotated[str | None, Query(max_length=200)] = None,
    entity_id: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> JSONResponse:
    watch = _watch(request)
    status = canonical_status(status)  # type: ignore[assignment]
    alerts = await run_in_threadpool(watch.alerts, status, record_id, entity_id, limit, offset)
    content = {
        "status": status,
        "limit": limit,
        "offset": offset,
        "results": [a.to_dict() for a in alerts],
    }
    return JSONResponse(content)


@router.get(
    "/alerts/cases",
    summary="One case per customer: its alerts grouped, best score first",
    description="As `sanctions alerts --by-record`: for the alerts of `status` (default "
    "`active`; `false-positive` and `true-match` accepted), one case per record with its "
    "alerts (best score first), the best score and the count per status.",
    tags=[TAG_ALERTS],
    openapi_extra=guarded(*READ),
)
async def alert_cases(
    request: Request,
    status: StatusParam = "active",
    record_id: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    watch = _watch(request)
    state = canonical_status(status)
    cases = await run_in_threadpool(watch.record_cases, state, record_id)
    return JSONResponse({"status": state, "results": cases})


@router.get(
    "/alerts/{alert_id}",
    summary="One alert with its explanation, what changed, and its decisions",
    tags=[TAG_ALERTS],
    response_model=AlertDetail,
    responses=_errors(404),
    openapi_extra=guarded(*READ),
)
async def get_alert(request: Request, alert_id: AlertId) -> JSONResponse:
    watch = _watch(request)
    alert = await run_in_threadpool(watch.alert, alert_id)
    decisions = await run_in_threadpool(watch.decisions, alert_id)
    case = await run_in_threadpool(watch.alert_case, alert_id)
    content = {**alert.to_dict(), "decisions": [d.to_dict() for d in decisions], "case": case}
    return JSONResponse(content)


@router.post(
    "/alerts/{alert_id}/decision",
    summary="Decide an alert: false positive, true match or escalated",
    description="The analyst recorded is the calling key (`api-key:<id>:<name>`). A false "
    "positive is remembered for the pair (record version, entity version): later runs do "
    "not raise it again until either side changes. A closed alert cannot be decided (409).",
    tags=[TAG_ALERTS],
    response_model=DecisionOut,
    responses=_errors(400, 404, 409),
    openapi_extra=guarded(*DECIDE),
)
async def decide_alert(
    request: Request,
    alert_id: AlertId,
    body: Annotated[DecisionBody, Body()],
) -> JSONResponse:
    watch = _watch(request)  # an unknown alert is 404, a closed one 409 (app.py maps them)
    decision = await run_in_threadpool(watch.decide, alert_id, body.decision, body.reason)
    return JSONResponse(decision.to_dict())


# -- audit ---------------------------------------------------------------------------


@router.get(
    "/audit/verify",
    summary="Check the audit log's hash chain",
    description="`ok` is false when an entry was edited, removed or cut off, or when an "
    "alert, decision or remembered false positive disagrees with the log; `broken_id` and "
    "`problem` name the first entry that does not check out, `state_problems` each row. "
    "MACs are checked when the server has the audit key. Answers 200 either way.",
    tags=[TAG_AUDIT],
    response_model=VerifyOut,
    openapi_extra=guarded(*ADMIN),
)
async def verify_audit(request: Request) -> JSONResponse:
    result = await run_in_threadpool(_watch(request).verify_audit)
    return JSONResponse({**result.to_dict(), "summary": result.summary()})


EXPORT_MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv"}


@router.get(
    "/audit/export",
    summary="Export the audit log (JSON lines or CSV)",
    description="Every entry from number `since` + 1 on. The CSV keeps `details` as the "
    "hashed JSON text, so every hash can be rechecked without this program.",
    tags=[TAG_AUDIT],
    response_class=Response,
    responses={
        200: {
            "description": "The entries",
            "content": {
                "application/x-ndjson": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
    openapi_extra=guarded(*ADMIN),
)
async def export_audit(
    request: Request,
    format: Annotated[Literal["jsonl", "csv"], Query()] = "jsonl",  # noqa: A002 - public name
    since: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    engine = request.app.state.store.engine
    out = io.StringIO()
    export = audit.export_jsonl if format == "jsonl" else audit.export_csv
    count = await run_in_threadpool(export, engine, out, since)
    headers = {"x-audit-entries": str(count)}
    if format == "csv":
        headers["content-disposition"] = 'attachment; filename="audit.csv"'
    return Response(out.getvalue(), media_type=EXPORT_MEDIA[format], headers=headers)
