"""System routes: /healthz, /readyz, /algorithms, /catalog and /updatez (admin)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sanctions import matching as scoring
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION, DEFAULT_THRESHOLD
from sanctions.update import UpdateJob

from ..auth import GuardedRoute, guarded, request_actor
from ..holder import IndexHolder
from ..models import (
    AlgorithmResponse,
    CatalogResponse,
    ErrorResponse,
    ReadyResponse,
    StatusResponse,
)
from ..scope import ALGORITHM_ALIASES, COLLECTIONS

log = logging.getLogger(__name__)

router = APIRouter(route_class=GuardedRoute)

FEATURES = {
    "name": (
        "Best alignment of a query name with a listed name (0..1); weak aliases count "
        f"{scoring.KIND_FACTOR['weak']}, former names {scoring.KIND_FACTOR['previous']}",
        1.0,
    ),
    "birth_date": (
        "Birth dates: same day up to contradiction, with the precision each side "
        "gives (a year, a month, a day); confirms a name, never makes one",
        0.06,
    ),
    "country": (
        f"Nationality or country in common (+{scoring.COUNTRY_MATCH}) or none in "
        f"common ({scoring.COUNTRY_MISMATCH})",
        scoring.COUNTRY_MATCH,
    ),
    "gender": (f"Both given and different ({scoring.GENDER_MISMATCH})", scoring.GENDER_MISMATCH),
    "identifier": (
        f"Same strong identifier: IMO, MMSI, BIC, LEI, UN reference, or a passport, national "
        f"id, tax or registration number with a country in common "
        f"(+{scoring.STRONG_IDENTIFIER_MATCH}, a match alone); same such number without a "
        f"shared country (+{scoring.IDENTIFIER_MATCH}, evidence only)",
        scoring.STRONG_IDENTIFIER_MATCH,
    ),
}


@router.get("/healthz", tags=["System information"], response_model=StatusResponse)
async def healthz() -> dict[str, str]:
    """The process is up (no key needed: for load balancers and orchestrators)."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["System information"],
    response_model=ReadyResponse,
    responses={
        503: {
            "model": ErrorResponse,
            "description": "Index not ready, or the shared rate limits cannot be checked",
        }
    },
)
async def readyz(request: Request) -> dict[str, Any]:
    """The index is built and serving (503 until then, and while the shared rate limits
    cannot be checked), with the list versions it serves and its digest: replicas that
    agree show the same. No key needed."""
    holder: IndexHolder = request.app.state.holder
    snapshot = holder.snapshot
    if snapshot is None:  # the error itself is logged and shown to keys, not to anyone
        state = "the last build failed (see the server log)" if holder.error else "being built"
        raise HTTPException(503, detail=f"Index not ready: {state}.")
    limits_down = await request.app.state.guard.limits_ready()
    if limits_down is not None:  # every keyed request would be refused: take no traffic
        raise HTTPException(503, detail=f"Not ready: {limits_down}.")
    return {
        "status": "ok",
        "generation": snapshot.generation,
        "records": len(snapshot.records),
        "built_at": snapshot.built_at,
        "build_seconds": snapshot.build_seconds,
        "index_digest": snapshot.digest,
        "versions": snapshot.version_labels(),
        "announce": holder.announce,
    }


def describe_algorithm() -> dict[str, Any]:
    """The algorithm as yente describes its matchers (name, description, features)."""
    features = {
        name: {"description": text, "coefficient": coef, "url": None}
        for name, (text, coef) in FEATURES.items()
    }
    return {
        "name": ALGORITHM,
        "description": f"{ALGORITHM} {ALGORITHM_VERSION}: name alignment (transliteration, "
        "reordering, misspellings) plus birth date, country, gender and identifier evidence; "
        f"a match from {DEFAULT_THRESHOLD}. Every explanation says which feature moved the score.",
        "features": features,
        "docs": {name: {"description": f["description"]} for name, f in features.items()},
        "aliases": list(ALGORITHM_ALIASES),
    }


@router.get(
    "/algorithms",
    tags=["System information"],
    response_model=AlgorithmResponse,
    openapi_extra=guarded("screen", "analyst", "admin"),
)
async def algorithms() -> dict[str, Any]:
    """The matching algorithm; yente's names (`best`, `logic-v2`, ...) all run it."""
    return {"algorithms": [describe_algorithm()], "default": ALGORITHM, "best": ALGORITHM}


def _catalog(request: Request) -> dict[str, Any]:
    store = request.app.state.store
    snapshot = request.app.state.holder.snapshot
    entries: list[dict[str, Any]] = []
    current: list[str] = []
    outdated: list[str] = []
    for info in store.datasets():
        if info.current is None:
            continue
        version = f"v{info.current.seq}-{info.current.content_hash[:12]}"
        index_version = snapshot.version_label(info.id) if snapshot else None
        (current if index_version == version else outdated).append(info.id)
        entries.append(
            {
                "name": info.id,
                "title": info.title,
                "version": version,
                "index_version": index_version,
                "index_current": index_version == version,
                "load": True,
                "entity_count": info.current.entity_count,
                "updated_at": info.current.loaded_at,
                "published": info.current.published,
                "published_from": info.current.published_from,  # file | path | option
                "version_count": info.version_count,
                "children": [],
            }
        )
    names = [e["name"] for e in entries]
    total = sum(e["entity_count"] for e in entries)
    for name, title in COLLECTIONS.items():
        entries.append(
            {
                "name": name,
                "title": title,
                "load": False,
                "index_current": not outdated,
                "entity_count": total,
                "children": names,
                "version_count": 0,
            }
        )
    return {
        "datasets": entries,
        "current": current,
        "outdated": outdated,
        "index_stale": bool(outdated),
    }


@router.get(
    "/catalog",
    tags=["Data access"],
    response_model=CatalogResponse,
    openapi_extra=guarded("screen", "analyst", "admin"),
)
async def catalog(request: Request) -> JSONResponse:
    """Every dataset: its current version in the store, the version the index serves,
    entity count, number of versions and last update; plus the collections."""
    return JSONResponse(await run_in_threadpool(_catalog, request))


def _run_update(request: Request, job: UpdateJob) -> dict[str, Any]:
    app = request.app
    reports: list[Any] = []  # the lists done before a failure are still reported
    try:
        result = job.run(
            app.state.store, on_report=reports.append, announce=app.state.holder.wake
        ).to_dict()
        result["error"] = None
    except Exception as exc:  # noqa: BLE001 - reported in the status, and logged
        log.exception("update failed")
        result = {
            "reports": [report.to_dict() for report in reports],
            "rescreen": None,
            "error": f"{exc.__class__.__name__}: {exc}",
        }
    return result


def _update_in_background(request: Request, job: UpdateJob) -> None:
    state = request.app.state.update
    try:
        state.update(_run_update(request, job))
    finally:
        state["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        state["running"] = False


@router.post(
    "/updatez",
    tags=["System information"],
    summary="Fetch and load new list versions (admin)",
    responses={400: {"model": ErrorResponse, "description": "Unknown dataset"}},
    openapi_extra=guarded("admin"),
)
async def updatez(
    request: Request,
    dataset: Annotated[list[str], Query(description="Datasets to update (default: all)")] = [],  # noqa: B006
    sync: Annotated[bool, Query(description="Wait until the update is done")] = False,
    rescreen: Annotated[
        bool, Query(description="Then re-screen the watched records, as `update --rescreen`")
    ] = False,
) -> JSONResponse:
    """Download each list (from `SANCTIONS_MIRROR` if set) and load new versions through the
    gates, as `sanctions update` does; every worker then swaps to the new index. Returns at
    once unless `sync=true`."""
    actor = request_actor(request)
    mirror = request.app.state.settings.mirror
    job = UpdateJob(dataset or None, mirror=mirror, rescreen=rescreen, actor=actor)  # 400: unknown
    state = request.app.state.update
    with request.app.state.update_lock:
        if state.get("running"):
            return JSONResponse({"status": "running", **state}, status_code=202)
        state.clear()
        state.update(running=True, started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    if sync:
        await run_in_threadpool(_update_in_background, request, job)
        return JSONResponse({"status": "ok", **state})
    threading.Thread(target=_update_in_background, args=(request, job), daemon=True).start()
    return JSONResponse({"status": "started", **state}, status_code=202)
