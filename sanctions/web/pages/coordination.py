"""The coordination pages: coverage (overlap heatmap and intersection chart), gaps
between two jurisdictions for a programme, and the timeline of designations, as
tables plus SVG charts. Roles: ``analyst`` and ``admin`` (the reports have no API
route; they are analysis, not screening)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions import coordination
from sanctions.errors import SanctionsError
from sanctions.model import SCHEMATA

from ..render import page
from ..security import ANALYSE, WebError, require
from ..svg import PALETTE, heatmap, intersection_bars, timeline_lines
from .common import int_param, param

router = APIRouter()

GAP_PAGE = 100


def _scope(request: Request) -> dict[str, str]:
    scope = {"programme": param(request, "programme", 100), "schema": param(request, "schema", 30)}
    if scope["schema"] and scope["schema"] not in SCHEMATA:
        raise WebError(400, f"schema: {scope['schema']!r} is not a schema ({', '.join(SCHEMATA)}).")
    return scope


def _run(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except SanctionsError as exc:
        raise WebError(400, str(exc)) from None


@router.get("/ui/coordination/coverage", include_in_schema=False)
async def coverage_page(request: Request) -> Response:
    viewer = await require(request, ANALYSE)
    scope = _scope(request)
    store = request.app.state.store
    cov = await run_in_threadpool(
        _run, coordination.coverage, store, scope["programme"] or None, scope["schema"] or None
    )
    data = {"filters": scope, "coverage": cov.to_dict()}
    if request.query_params.get("format") != "json":
        data["heatmap"] = heatmap(cov.datasets, cov.totals, cov.pairs)
        data["bars"] = intersection_bars(data["coverage"]["intersections"])
    return page(request, "coverage.html", data, viewer, section="coordination")


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
        report = await run_in_threadpool(
            _run,
            coordination.gaps,
            request.app.state.store,
            listed_by,
            not_listed_by,
            scope["programme"] or None,
            scope["schema"] or None,
        )
        full = report.to_dict()
        start = (pageno - 1) * GAP_PAGE
        full["total"] = len(full["rows"])
        full["rows"] = full["rows"][start : start + GAP_PAGE]
        data.update(report=full, page=pageno, pages=max(1, -(-full["total"] // GAP_PAGE)))
    elif listed_by or not_listed_by:
        raise WebError(400, "Give both: the jurisdiction that lists and the one that does not.")
    return page(request, "gaps.html", data, viewer, section="coordination")


@router.get("/ui/coordination/timeline", include_in_schema=False)
async def timeline_page(request: Request) -> Response:
    viewer = await require(request, ANALYSE)
    scope = _scope(request)
    tl = await run_in_threadpool(
        _run,
        coordination.timeline,
        request.app.state.store,
        scope["programme"] or None,
        scope["schema"] or None,
    )
    full = tl.to_dict()
    data = {
        "filters": scope,
        "summary": full["summary"],
        "as_of": full["as_of"],
        "left_out": tl.left_out,
        "leads": full["leads"][:100],
        "designations": {ds: pts[-1][2] if pts else 0 for ds, pts in tl.designations.items()},
    }
    if request.query_params.get("format") == "json":
        data["timeline"] = full
    else:
        data["chart"] = timeline_lines(tl.designations)
        data["palette"] = PALETTE
    return page(request, "timeline.html", data, viewer, section="coordination")
