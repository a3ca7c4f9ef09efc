"""The audit page: the log with filters (action, actor, subject, dates), newest first,
and the hash chain verified on the page. Admin only, as ``/audit/verify`` and
``/audit/export`` in the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions import audit
from sanctions.watch import Watch

from ..render import page
from ..security import ADMIN, require
from .common import int_param, param

router = APIRouter()

PAGE = 50


def _keeps(entry: Any, opts: dict[str, Any]) -> bool:
    if opts["action"] and opts["action"] != entry.action:
        return False
    if opts["actor"] and opts["actor"].lower() not in entry.actor.lower():
        return False
    if opts["subject"] and opts["subject"].lower() not in entry.subject.lower():
        return False
    if opts["since"] and entry.at[:10] < opts["since"]:
        return False
    return not (opts["until"] and entry.at[:10] > opts["until"])


def audit_view(store: Any, opts: dict[str, Any]) -> dict[str, Any]:
    entries, actions = [], set()
    for entry in audit.iter_entries(store.engine):
        actions.add(entry.action)
        if _keeps(entry, opts):
            entries.append(entry)
    entries.reverse()
    start = (opts["page"] - 1) * PAGE
    result = Watch(store).verify_audit()
    return {
        "filters": {k: opts[k] for k in ("action", "actor", "subject", "since", "until")},
        "actions": sorted(actions),
        "total": len(entries),
        "page": opts["page"],
        "pages": max(1, -(-len(entries) // PAGE)),
        "entries": [e.to_dict() for e in entries[start : start + PAGE]],
        "verify": {**result.to_dict(), "summary": result.summary()},
    }


@router.get("/ui/audit", include_in_schema=False)
async def audit_page(request: Request) -> Response:
    viewer = await require(request, ADMIN)
    opts = {
        "action": param(request, "action", 100),
        "actor": param(request, "actor", 200),
        "subject": param(request, "subject", 200),
        "since": param(request, "since", 10),
        "until": param(request, "until", 10),
        "page": int_param(request, "page", 1, 1, 1_000_000),
    }
    data = await run_in_threadpool(audit_view, request.app.state.store, opts)
    return page(request, "audit.html", data, viewer, section="audit")
