"""The coordination pages: coverage (overlap heatmap and intersection chart), gaps
between two jurisdictions for a programme, and the timeline of designations, as
tables plus SVG charts. Roles: ``analyst`` and ``admin`` (the reports have no API
route; they are analysis, not screening).

A report over every list takes seconds (it reads every cluster member), so reports
are kept (:class:`Reports`) until a list gets a new version or ``REPORT_SECONDS``
pass (a new ``sanctions resolve`` shows within that time). A page whose report is
not ready starts it in the background and says so (it reloads itself); the JSON
twin waits for it."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions import coordination
from sanctions.errors import SanctionsError
from sanctions.model import SCHEMATA
from sanctions.store import Store

from ..render import page, wants_json
from ..security import ANALYSE, WebError, require
from ..svg import heatmap, intersection_bars, timeline_lines
from .common import int_param, param

router = APIRouter()
log = logging.getLogger(__name__)

GAP_PAGE = 100
REPORT_SECONDS = 300.0
Key = tuple[Any, ...]


def _scope(request: Request) -> dict[str, str]:
    scope = {"programme": param(request, "programme", 100), "schema": param(request, "schema", 30)}
    if scope["schema"] and scope["schema"] not in SCHEMATA:
        raise WebError(400, f"schema: {scope['schema']!r} is not a schema ({', '.join(SCHEMATA)}).")
    return scope


class Reports:
    """Reports kept per (kind, scope), valid for one set of list versions and a while."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: dict[Key, tuple[Any, float, Any]] = {}  # key -> (versions, at, value)
        self.running: set[Key] = set()

    def _compute(self, key: Key, versions: Any, fn: Any, args: tuple[Any, ...]) -> None:
        try:
            value: Any = fn(*args)
        except SanctionsError as exc:
            value = WebError(400, str(exc))
        except Exception as exc:  # said on the page; the traceback goes to the log
            log.exception("coordination report failed")
            value = WebError(500, f"The report failed ({exc.__class__.__name__}).")
        with self.lock:
            self.done[key] = (versions, time.monotonic(), value)
            self.running.discard(key)

    def get(self, request: Request, key: tuple[Any, ...], fn: Any, *args: Any) -> Any:
        """The report, or None while it is computed in the background (JSON twins wait)."""
        holder = request.app.state.holder
        versions = holder.snapshot.key if holder.snapshot is not None else None
        key = (id(request.app.state.store), *key)  # one store per application
        with self.lock:
            kept = self.done.get(key)
            if kept is not None and isinstance(kept[2], WebError):
                del self.done[key]  # an error is shown once, then the report is tried again
                raise kept[2]
            if kept and kept[0] == versions and time.monotonic() - kept[1] < REPORT_SECONDS:
                return kept[2]
            if not wants_json(request):  # a page: compute in the background, say so
                if key not in self.running:
                    self.running.add(key)
                    thread = threading.Thread(
                        target=self._compute, args=(key, versions, fn, args), daemon=True
                    )
                    thread.start()
                return None
        self._compute(key, versions, fn, args)  # a JSON twin waits for its report
        with self.lock:
            value = self.done[key][2]
            if isinstance(value, WebError):
                del self.done[key]
                raise value
            return value


REPORTS = Reports()


def _pending(request: Request, viewer: Any, kind: str, filters: dict[str, Any]) -> Response:
    data = {"filters": filters, "report_kind": kind, "computing": True}
    return page(request, "computing.html", data, viewer, section="coordination")


def coverage_view(store: Store, programme: str | None, schema: str | None) -> dict[str, Any]:
    """The coverage report as the page shows it, charts included (computed once, kept)."""
    cov = coordination.coverage(store, programme, schema)
    data = cov.to_dict()
    charts = {
        "heatmap": heatmap(cov.datasets, cov.totals, cov.pairs),
        "bars": intersection_bars(data["intersections"]),
    }
    return {"coverage": data, "charts": charts}


def gaps_view(store: Store, *args: Any) -> dict[str, Any]:
    return coordination.gaps(store, *args).to_dict()


def timeline_view(store: Store, programme: str | None, schema: str | None) -> dict[str, Any]:
    tl = coordination.timeline(store, programme, schema)
    full = tl.to_dict()
    return {
        "summary": full["summary"],
        "as_of": full["as_of"],
        "left_out": tl.left_out,
        "leads": full["leads"][:100],
        "designations": {ds: pts[-1][2] if pts else 0 for ds, pts in tl.designations.items()},
        "timeline": full,
        "charts": {"chart": timeline_lines(tl.designations)},
    }


def _shown(request: Request, view: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """The page's data: the charts for the page, the full report for the JSON twin."""
    data = {"filters": scope, **view}
    charts = data.pop("charts")
    if wants_json(request):
        return data
    data.pop("timeline", None)
    return {**data, **charts}


async def _scoped_report(request: Request, kind: str, view_of: Any) -> Response:
    """A report over a scope (programme, type): coverage or timeline."""
    viewer = await require(request, ANALYSE)
    scope = _scope(request)
    key = (kind, scope["programme"], scope["schema"])
    args = (request.app.state.store, scope["programme"] or None, scope["schema"] or None)
    view = await run_in_threadpool(REPORTS.get, request, key, view_of, *args)
    if view is None:
        return _pending(request, viewer, kind, scope)
    data = _shown(request, view, scope)
    return page(request, f"{kind}.html", data, viewer, section="coordination")


@router.get("/ui/coordination/coverage", include_in_schema=False)
async def coverage_page(request: Request) -> Response:
    return await _scoped_report(request, "coverage", coverage_view)


@router.get("/ui/coordination/gaps", include_in_schema=False)
async def gaps_page(request: Request) -> Response:
    viewer = await require(request, ANALYSE)
    scope = _scope(request)
    listed_by, not_listed_by = param(request, "listed_by", 60), param(request, "not_listed_by", 60)
    pageno = int_param(request, "page", 1, 1, 100_000)
    data: dict[str, Any] = {
        "filters": {**scope, "listed_by": listed_by, "not_listed_by": not_listed_by},
        "report": None,
    }
    if listed_by and not_listed_by:
        key = ("gaps", listed_by, not_listed_by, scope["programme"], scope["schema"])
        args = (listed_by, not_listed_by, scope["programme"] or None, scope["schema"] or None)
        store = request.app.state.store
        full = await run_in_threadpool(REPORTS.get, request, key, gaps_view, store, *args)
        if full is None:
            return _pending(request, viewer, "gaps", data["filters"])
        start = (pageno - 1) * GAP_PAGE
        report = {
            **full,
            "total": len(full["rows"]),
            "rows": full["rows"][start : start + GAP_PAGE],
        }
        data.update(report=report, page=pageno, pages=max(1, -(-report["total"] // GAP_PAGE)))
    elif listed_by or not_listed_by:
        raise WebError(400, "Give both: the jurisdiction that lists and the one that does not.")
    return page(request, "gaps.html", data, viewer, section="coordination")


@router.get("/ui/coordination/timeline", include_in_schema=False)
async def timeline_page(request: Request) -> Response:
    return await _scoped_report(request, "timeline", timeline_view)
