"""The audit page: the log with filters (action, actor, subject, dates), newest first,
and the hash chain verified on the page. Admin only, as ``/audit/verify`` and
``/audit/export`` in the API.

Verifying the whole chain (and the alert and decision state against it) takes time
proportional to the log; it runs on a background thread whenever the log's head has
moved, and the page shows the last result with the head it covers: "verified up to
entry N", or "checking entries up to M" while a check runs (reload to see it)."""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions import audit
from sanctions.store import Store
from sanctions.watch import Watch

from ..render import page
from ..security import ADMIN, require
from .common import int_param, param

router = APIRouter()
log = logging.getLogger(__name__)

PAGE = 50
ACTIONS = ("alert.decided", "key.created", "list.loaded", "run.completed", "screening.run")


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


class ChainCheck:
    """The last verification of the audit chain, redone in the background when the head moves."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.head: str | None = None  # the head the result covers ("id:hash")
        self.result: dict[str, Any] | None = None
        self.running: str | None = None  # the head being checked

    def _run(self, store: Store, head: str) -> None:
        try:
            result = Watch(store).verify_audit()
            done = {**result.to_dict(), "summary": result.summary()}
        except Exception as exc:  # the page says the check failed, and the log has it
            log.exception("audit chain check failed")
            done = {"ok": False, "summary": f"the check failed: {exc.__class__.__name__}"}
        with self.lock:
            self.head, self.result, self.running = head, done, None

    def status(self, store: Store) -> dict[str, Any]:
        """The latest result, and whether it covers the current head (else one is started)."""
        head = str(audit.head(store.engine))
        with self.lock:
            current = self.head == head
            if not current and self.running is None:
                self.running = head
                threading.Thread(target=self._run, args=(store, head), daemon=True).start()
            return {
                "head": head,
                "checked_head": self.head,
                "current": current,
                "result": self.result,
                "running": self.running,
            }


CHECKS: dict[int, ChainCheck] = {}  # one per store


def _entries(store: Store, opts: dict[str, Any]) -> tuple[list[Any], set[str], int]:
    """The page's entries (newest first), the actions seen, and how many match."""
    filtered = any(opts[k] for k in ("action", "actor", "subject", "since", "until"))
    start = (opts["page"] - 1) * PAGE
    if not filtered:  # read only the page's own entries, from the end of the log
        last = audit.head(store.engine).last_id
        since = max(0, last - start - PAGE)
        page = list(audit.iter_entries(store.engine, since))[: max(0, last - start - since)]
        return page[::-1], {e.action for e in page}, last
    entries, actions = [], set()
    for entry in audit.iter_entries(store.engine):
        actions.add(entry.action)
        if _keeps(entry, opts):
            entries.append(entry)
    entries.reverse()
    return entries[start : start + PAGE], actions, len(entries)


def audit_view(store: Store, opts: dict[str, Any]) -> dict[str, Any]:
    entries, actions, total = _entries(store, opts)
    check = CHECKS.setdefault(id(store), ChainCheck()).status(store)
    return {
        "filters": {k: opts[k] for k in ("action", "actor", "subject", "since", "until")},
        "actions": sorted(actions | set(ACTIONS) | ({opts["action"]} - {""})),
        "total": total,
        "page": opts["page"],
        "pages": max(1, -(-total // PAGE)),
        "entries": [e.to_dict() for e in entries],
        "verify": check,
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
