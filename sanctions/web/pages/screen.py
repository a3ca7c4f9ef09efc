"""The screen page: one subject by form (the search lives in the URL), or a CSV file in
the background with a progress bar and a downloadable result."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sanctions.matching import DEFAULT_THRESHOLD, identifier_properties
from sanctions.screening import QueryError, Screener
from sanctions.screening.evidence import RunEvidence, canonical_sha256, list_versions, record_run
from sanctions.store import Store

from ..jobs import UploadError
from ..render import page
from ..security import SCREEN, WebError, check_csrf, require
from .common import cluster_summary, int_param, param, snapshot_or_503

router = APIRouter()

SCHEMATA = ("", "Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane")
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
CLUSTERED_HITS = 5  # hits whose cluster is shown (each is a few store reads)


def _form(request: Request) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": param(request, "name"),
        "schema": param(request, "schema", 30),
        "birth_date": param(request, "birth_date", 10),
        "country": param(request, "country", 60),
        "identifier": param(request, "identifier", 100),
        "limit": int_param(request, "limit", 10, 1, 50),
    }
    if form["schema"] not in SCHEMATA:
        raise WebError(400, f"schema: {form['schema']!r} is not one of {', '.join(SCHEMATA[1:])}.")
    if form["birth_date"] and not DATE.match(form["birth_date"]):
        raise WebError(
            400, f"birth_date: {form['birth_date']!r} is not YYYY, YYYY-MM or YYYY-MM-DD."
        )
    return form


def _query(form: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, list[str]] = {}
    if form["name"]:
        props["name"] = [form["name"]]
    if form["birth_date"]:
        props["birthDate"] = [form["birth_date"]]
    if form["country"]:
        props["country"] = [form["country"]]
    if form["identifier"]:
        found = identifier_properties(form["identifier"])
        if not found:
            raise WebError(400, f"identifier: {form['identifier']!r} holds no identifier.")
        for prop, values in found.items():
            props.setdefault(prop, []).extend(values)
    query: dict[str, Any] = {"id": "web", "properties": props}
    if form["schema"]:
        query["schema"] = form["schema"]
    elif {"imoNumber", "mmsi"} & props.keys():
        query["schema"] = "Thing"
    return query


def _hit(match: Any) -> dict[str, Any]:
    data = match.to_dict()
    explanations = [dict(e) for e in data["explanations"]]
    names = (
        f.candidate_value
        for f in match.score.features
        if f.feature == "name" and f.query_value is not None
    )
    matched = sorted({name for name in names if name})
    return {
        "id": data["id"],
        "caption": data["caption"],
        "schema": data["schema"],
        "score": round(float(data["score"]), 4),
        "match": bool(data["match"]),
        "datasets": list(data["datasets"]),
        "matched_names": matched,
        "explanations": explanations,
    }


def _screen(snapshot: Any, query: dict[str, Any], limit: int) -> Any:
    return snapshot.screener.screen(query, threshold=DEFAULT_THRESHOLD, limit=limit)


def _audit(store: Store, snapshot: Any, query: dict[str, Any], result: Any, actor: str) -> str:
    run = RunEvidence(
        kind="web-screen",
        threshold=DEFAULT_THRESHOLD,
        list_versions=list_versions(snapshot.versions.values()),
        actor=actor,
        input_sha256=canonical_sha256(query),
        rows=1,
        screened=1,
        matched=int(bool(result.matches)),
    )
    record_run(store, run)
    return run.run_id


async def _results(request: Request, form: dict[str, Any], actor: str) -> dict[str, Any]:
    holder = request.app.state.holder
    snapshot = snapshot_or_503(request)
    query = _query(form)
    try:
        result = await holder.run(_screen, snapshot, query, form["limit"])
    except QueryError as exc:
        raise WebError(400, exc.message) from None
    hits = [_hit(m) for m in result.results]
    store = request.app.state.store
    for hit in hits[:CLUSTERED_HITS]:
        cluster = await run_in_threadpool(cluster_summary, store, hit["id"])
        if cluster is not None:
            hit["cluster"] = cluster
    run_id = await run_in_threadpool(_audit, store, snapshot, query, result, actor)
    return {
        "threshold": DEFAULT_THRESHOLD,
        "warnings": list(result.query.warnings),
        "results": hits,
        "run_id": run_id,
    }


@router.get("/ui/screen", include_in_schema=False)
async def screen_page(request: Request) -> Response:
    viewer = await require(request, SCREEN)
    data: dict[str, Any] = {"schemata": SCHEMATA, "error": "", "screened": False}
    status = 200
    try:
        form = _form(request)
        data["form"] = form
        if form["name"] or form["identifier"]:
            data.update(await _results(request, form, viewer.actor), screened=True)
        elif any(k in request.query_params for k in ("name", "identifier")):
            raise WebError(400, "Give a name or an identifier to screen.")
    except WebError as exc:
        if exc.status != 400:
            raise
        data.setdefault("form", {k: request.query_params.get(k, "")[:500] for k in ("name",)})
        data["error"], status = exc.detail, 400
    data["max_upload"] = request.app.state.settings.max_body_bytes
    return page(request, "screen.html", data, viewer, status, "screen")


@router.post("/ui/screen/file", include_in_schema=False)
async def screen_file_upload(request: Request) -> Response:
    viewer = await require(request, SCREEN)
    form = await request.form()
    check_csrf(viewer, form)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise WebError(400, "Choose a CSV file to screen.")
    data = await upload.read()
    jobs = request.app.state.web_jobs
    try:
        job = await run_in_threadpool(jobs.create, viewer.key_id, upload.filename or "", data)
    except UploadError as exc:
        raise WebError(400, str(exc)) from None
    snapshot = snapshot_or_503(request)
    screener = Screener(store=request.app.state.store, index=snapshot.screener.index)
    screener.versions = list(snapshot.versions.values())
    task = asyncio.ensure_future(
        request.app.state.holder.run(jobs.run, job, screener, viewer.actor)
    )
    running = request.app.state.web_tasks  # keep a reference until the task ends
    running.add(task)
    task.add_done_callback(running.discard)
    return RedirectResponse(f"/ui/screen/jobs/{job.id}", 303)


def _job_or_404(request: Request, job_id: str, key_id: int | None) -> Any:
    job = request.app.state.web_jobs.get(job_id, key_id)
    if job is None:
        raise WebError(404, f"No such screening job: {job_id[:40]!r} (or it is not yours).")
    return job


@router.get("/ui/screen/jobs/{job_id}", include_in_schema=False)
async def job_page(request: Request, job_id: str) -> Response:
    viewer = await require(request, SCREEN)
    job = await run_in_threadpool(_job_or_404, request, job_id, viewer.key_id)
    return page(request, "job.html", {"job": job.to_dict()}, viewer, section="screen")


@router.get("/ui/screen/jobs/{job_id}/results.csv", include_in_schema=False)
async def job_results(request: Request, job_id: str) -> Response:
    viewer = await require(request, SCREEN)
    jobs = request.app.state.web_jobs
    job = await run_in_threadpool(_job_or_404, request, job_id, viewer.key_id)
    if job.state != "done":
        raise WebError(409, f"The job is {job.state}: its results are not ready.")
    name = f"screened-{job.filename.rsplit('.', 1)[0]}.csv"
    return FileResponse(jobs.results_path(job), media_type="text/csv", filename=name)
