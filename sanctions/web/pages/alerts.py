"""The alerts pages: the queue (by status, by age or score), one alert as an analyst
works it (the record, the listed entity side by side, the explanation, what changed
since the pair's last decision, earlier decisions), a decision with a reason, and
bulk decisions after a confirmation page. Roles as the API: reading for every role,
deciding for ``analyst`` and ``admin``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sanctions.errors import SanctionsError
from sanctions.watch import Watch, canonical_status

from ..render import page
from ..security import DECIDE, READ, Viewer, WebError, check_csrf, require
from .common import int_param, param

router = APIRouter()

STATUSES = ("active", "open", "escalated", "true_match", "false_positive", "closed", "all")
DECISIONS = {
    "false_positive": "False positive",
    "true_match": "True match",
    "escalated": "Escalate",
}
QUEUE_CAP = 5000  # alerts read for one queue page (sorted in memory by score or age)
PAGE = 50
MAX_REASON = 4000
MAX_BULK = 500


def _watch(request: Request, viewer: Viewer) -> Watch:
    return Watch(request.app.state.store, actor=viewer.actor)


def _queue(watch: Watch, opts: dict[str, Any]) -> tuple[list[Any], int, bool]:
    """The page's alerts, how many there are (at least), and whether there are more."""
    start = (opts["page"] - 1) * PAGE
    who = (opts["record"] or None, opts["entity"] or None)
    if opts["sort"] == "newest":  # the store's own order: read only this page (and one more)
        alerts = watch.alerts(opts["status"], *who, PAGE + 1, start)
        more = len(alerts) > PAGE
        return alerts[:PAGE], start + min(len(alerts), PAGE), more
    alerts = watch.alerts(opts["status"], *who, QUEUE_CAP)
    if opts["sort"] == "score":
        alerts.sort(key=lambda a: (-a.score, a.created_at))
    else:
        alerts.sort(key=lambda a: (a.created_at, a.id))
    return alerts[start : start + PAGE], len(alerts), len(alerts) >= QUEUE_CAP


def queue_view(watch: Watch, opts: dict[str, Any]) -> dict[str, Any]:
    alerts, total, more = _queue(watch, opts)
    rows = [
        {
            "id": a.id,
            "status": a.status,
            "score": round(a.score, 4),
            "record_id": a.record_id,
            "record_caption": a.record_caption,
            "entity_id": a.entity_id,
            "entity_caption": a.entity_caption,
            "dataset": a.dataset,
            "created_at": a.created_at,
        }
        for a in alerts
    ]
    pages = max(1, -(-total // PAGE))
    return {
        "filters": {k: opts[k] for k in ("status", "sort", "record", "entity")},
        "total": total,
        "capped": more,
        "page": opts["page"],
        "pages": pages + 1 if more and opts["sort"] == "newest" else pages,
        "alerts": rows,
        "statuses": STATUSES,
        "decisions": DECISIONS,
    }


@router.get("/ui/alerts", include_in_schema=False)
async def queue_page(request: Request) -> Response:
    viewer = await require(request, READ)
    opts = {
        "status": canonical_status(param(request, "status", 20) or "active"),
        "sort": param(request, "sort", 10) or "newest",
        "record": param(request, "record", 200),
        "entity": param(request, "entity", 200),
        "page": int_param(request, "page", 1, 1, 10_000),
    }
    if opts["status"] not in STATUSES:
        raise WebError(400, f"status: {opts['status']!r} is not one of {', '.join(STATUSES)}.")
    if opts["sort"] not in ("newest", "oldest", "score"):
        raise WebError(400, f"sort: {opts['sort']!r} is not newest, oldest or score.")
    data = await run_in_threadpool(queue_view, _watch(request, viewer), opts)
    data["may_decide"] = viewer.may(DECIDE)
    data["done"] = int_param(request, "done", 0, 0, MAX_BULK)
    return page(request, "alerts.html", data, viewer, section="alerts")


def alert_view(watch: Watch, alert_id: int) -> dict[str, Any]:
    try:
        alert = watch.alert(alert_id)
    except SanctionsError:
        raise WebError(404, f"No such alert: {alert_id}.") from None
    return {
        "alert": alert.to_dict(),
        "case": watch.alert_case(alert_id),
        "decisions": [d.to_dict() for d in watch.decisions(alert_id)],
        "choices": DECISIONS,
    }


def _alert_id(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 2**62:
        raise WebError(404, f"No such alert: {raw[:40]!r} (alert numbers are whole numbers).")
    return int(raw)


@router.get("/ui/alerts/{alert_id}", include_in_schema=False)
async def alert_page(request: Request, alert_id: str) -> Response:
    viewer = await require(request, READ)
    data = await run_in_threadpool(alert_view, _watch(request, viewer), _alert_id(alert_id))
    data["may_decide"] = viewer.may(DECIDE)
    data["error"] = ""
    return page(request, "alert.html", data, viewer, section="alerts")


def _decision_form(form: Any) -> tuple[str, str]:
    decision = canonical_status(str(form.get("decision") or ""))
    reason = str(form.get("reason") or "").strip()
    if decision not in DECISIONS:
        raise WebError(400, "Choose a decision: false positive, true match or escalate.")
    if not reason:
        raise WebError(400, "Give the reason for the decision (it goes to the audit trail).")
    if len(reason) > MAX_REASON:
        raise WebError(400, f"The reason is {len(reason)} characters (at most {MAX_REASON}).")
    return decision, reason


def _decide(watch: Watch, alert_id: int, decision: str, reason: str) -> None:
    alert = watch.alert(alert_id)
    if alert.status == "closed":
        raise WebError(
            409, f"Alert {alert_id} is closed ({alert.closed_reason}): nothing to decide."
        )
    watch.decide(alert_id, decision, reason)


@router.post("/ui/alerts/{alert_id}/decision", include_in_schema=False)
async def decide_page(request: Request, alert_id: str) -> Response:
    viewer = await require(request, DECIDE)
    form = await request.form()
    check_csrf(viewer, form)
    number = _alert_id(alert_id)
    watch = _watch(request, viewer)
    try:
        decision, reason = _decision_form(form)
    except WebError as exc:
        data = await run_in_threadpool(alert_view, watch, number)
        data.update(may_decide=True, error=exc.detail)
        return page(request, "alert.html", data, viewer, 400, "alerts")
    try:
        await run_in_threadpool(_decide, watch, number, decision, reason)
    except SanctionsError:
        raise WebError(404, f"No such alert: {number}.") from None
    return RedirectResponse(f"/ui/alerts/{number}", 303)


def _bulk_ids(form: Any) -> list[int]:
    raw = form.getlist("alert_id")
    if not raw:
        raise WebError(400, "Tick at least one alert to decide.")
    if len(raw) > MAX_BULK:
        raise WebError(400, f"{len(raw)} alerts ticked: at most {MAX_BULK} at once.")
    return sorted({_alert_id(str(x)) for x in raw})


def _check_bulk(watch: Watch, ids: list[int]) -> list[dict[str, Any]]:
    """Every chosen alert, or a refusal naming the first that cannot be decided."""
    chosen = []
    for number in ids:
        try:
            alert = watch.alert(number)
        except SanctionsError:
            raise WebError(404, f"No such alert: {number}; nothing was decided.") from None
        if alert.status == "closed":
            raise WebError(409, f"Alert {number} is closed: nothing was decided.")
        chosen.append(
            {
                "id": alert.id,
                "status": alert.status,
                "score": alert.score,
                "record_caption": alert.record_caption,
                "entity_caption": alert.entity_caption,
            }
        )
    return chosen


@router.post("/ui/alerts/bulk", include_in_schema=False)
async def bulk_page(request: Request) -> Response:
    viewer = await require(request, DECIDE)
    form = await request.form()
    check_csrf(viewer, form)
    ids = _bulk_ids(form)
    decision, reason = _decision_form(form)
    watch = _watch(request, viewer)
    chosen = await run_in_threadpool(_check_bulk, watch, ids)
    if form.get("confirm") != "yes":
        data = {
            "alerts": chosen,
            "decision": decision,
            "label": DECISIONS[decision],
            "reason": reason,
        }
        return page(request, "bulk_confirm.html", data, viewer, section="alerts")
    for number in ids:
        await run_in_threadpool(_decide, watch, number, decision, reason)
    return RedirectResponse(f"/ui/alerts?done={len(ids)}", 303)
