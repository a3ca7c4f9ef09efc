"""The lists pages: datasets with their versions and counts; a version's diff (added,
removed, changed with the before and after of the changed fields), filterable by
change, programme and type; and what changed since yesterday across every list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions.errors import SanctionsError
from sanctions.model import DATASETS
from sanctions.store import Change

from ..render import page
from ..security import READ, WebError, require
from .common import before_after, int_param, param

router = APIRouter()

PAGE = 50
KINDS = ("added", "removed", "changed")
_META: dict[int, dict[str, tuple[str, list[str]]]] = {}  # snapshot generation -> id -> meta


def _version_row(v: Any) -> dict[str, Any]:
    keep = ("id", "dataset", "seq", "content_hash", "format", "source_file", "published")
    row = {k: getattr(v, k) for k in keep}
    row.update(
        loaded_at=v.loaded_at,
        entities=v.entity_count,
        added=v.added,
        removed=v.removed,
        changed=v.changed,
        status=v.status,
        current=v.current,
        label=f"v{v.seq}",
    )
    return row


def lists_view(store: Any) -> dict[str, Any]:
    rows = []
    for info in store.datasets():
        current = _version_row(info.current) if info.current else None
        rows.append(
            {"id": info.id, "title": info.title, "versions": info.version_count, "current": current}
        )
    return {"datasets": rows}


@router.get("/ui/lists", include_in_schema=False)
async def lists_page(request: Request) -> Response:
    viewer = await require(request, READ)
    data = await run_in_threadpool(lists_view, request.app.state.store)
    return page(request, "lists.html", data, viewer, section="lists")


def _known(store: Any, dataset: str) -> None:
    if dataset not in {d.id for d in store.datasets()}:
        raise WebError(404, f"No such list: {dataset!r} (known: {', '.join(sorted(DATASETS))}).")


@router.get("/ui/lists/{dataset}", include_in_schema=False)
async def versions_page(request: Request, dataset: str) -> Response:
    viewer = await require(request, READ)
    store = request.app.state.store
    await run_in_threadpool(_known, store, dataset)
    versions = await run_in_threadpool(store.versions, dataset)
    data = {
        "dataset": dataset,
        "title": DATASETS.get(dataset, dataset),
        "versions": [_version_row(v) for v in reversed(versions)],
    }
    return page(request, "versions.html", data, viewer, section="lists")


def _meta(snapshot: Any) -> dict[str, tuple[str, list[str]]]:
    """id -> (schema, programmes) of every current record (cached per index generation)."""
    if snapshot is None:
        return {}
    cached = _META.get(snapshot.generation)
    if cached is None:
        cached = {r.id: (r.schema, list(r.properties.get("program", []))) for r in snapshot.records}
        _META.clear()
        _META[snapshot.generation] = cached
    return cached


def _describe(store: Any, diff: Any, change: Any, meta: dict[str, Any]) -> tuple[str, list[str]]:
    found = meta.get(change.entity_id) if change.change != "removed" else None
    if found is not None:
        return found
    version = diff.from_version if change.change == "removed" else diff.to_version
    entity = store.get_entity(change.entity_id, version.id) if version is not None else None
    if entity is None:
        return "", []
    return entity.schema, list(entity.listing.programs or entity.get("program"))


def diff_view(store: Any, snapshot: Any, dataset: str, ref: str, opts: dict[str, Any]) -> Any:
    try:
        diff = store.diff(dataset, opts["from"] or None, ref)
    except SanctionsError as exc:
        raise WebError(404, str(exc)) from None
    meta = _meta(snapshot) if diff.to_version.current else {}
    wanted = [c for c in diff.changes if not opts["change"] or c.change == opts["change"]]
    rows = []
    programme, schema = opts["programme"].lower(), opts["schema"]
    for c in wanted:
        needs = programme or schema
        kind, programmes = _describe(store, diff, c, meta) if needs else ("", [])
        if schema and kind != schema:
            continue
        if programme and not any(programme in p.lower() for p in programmes):
            continue
        rows.append({**c.to_dict(), "schema": kind, "programmes": programmes})
    start = (opts["page"] - 1) * PAGE
    shown = rows[start : start + PAGE]
    for row in shown:
        if not row["schema"]:
            row["schema"], row["programmes"] = _describe(store, diff, _change(row), meta)
        if row["change"] == "changed":
            row["fields"] = before_after(
                store, row["entity_id"], diff.to_version, row["properties"]
            )
    counts = {k: sum(1 for c in diff.changes if c.change == k) for k in KINDS}
    return {
        "dataset": dataset,
        "title": DATASETS.get(dataset, dataset),
        "from": _version_row(diff.from_version) if diff.from_version else None,
        "to": _version_row(diff.to_version),
        "counts": counts,
        "filters": {k: opts[k] for k in ("change", "programme", "schema", "from")},
        "total": len(rows),
        "page": opts["page"],
        "pages": max(1, -(-len(rows) // PAGE)),
        "changes": shown,
    }


def _change(row: dict[str, Any]) -> Change:
    return Change(row["entity_id"], row["change"], row["caption"], row["properties"])


@router.get("/ui/lists/{dataset}/versions/{ref}", include_in_schema=False)
async def diff_page(request: Request, dataset: str, ref: str) -> Response:
    viewer = await require(request, READ)
    store = request.app.state.store
    await run_in_threadpool(_known, store, dataset)
    opts = {
        "change": param(request, "change", 10),
        "programme": param(request, "programme", 100),
        "schema": param(request, "schema", 30),
        "from": param(request, "from", 70),
        "page": int_param(request, "page", 1, 1, 100_000),
    }
    if opts["change"] and opts["change"] not in KINDS:
        raise WebError(400, f"change: {opts['change']!r} is not one of {', '.join(KINDS)}.")
    snapshot = request.app.state.holder.snapshot
    data = await run_in_threadpool(diff_view, store, snapshot, dataset, ref[:70], opts)
    return page(request, "diff.html", data, viewer, section="lists")


def since_view(store: Any, since: str) -> dict[str, Any]:
    """Every version loaded since ``since`` (ISO), per list, with its counts."""
    rows = [
        _version_row(v)
        for v in store.versions()
        if v.loaded_at >= since and v.status not in ("held", "older", "rejected")
    ]
    rows.sort(key=lambda r: r["loaded_at"], reverse=True)
    totals = {k: sum(r[k] for r in rows) for k in KINDS}
    return {"since": since, "versions": rows, "totals": totals}


@router.get("/ui/changes", include_in_schema=False)
async def since_page(request: Request) -> Response:
    viewer = await require(request, READ)
    since = param(request, "since", 25)
    if since:
        try:
            datetime.fromisoformat(since)
        except ValueError:
            raise WebError(400, f"since: {since!r} is not a date (YYYY-MM-DD).") from None
    else:
        since = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    data = await run_in_threadpool(since_view, request.app.state.store, since)
    return page(request, "changes.html", data, viewer, section="lists")
