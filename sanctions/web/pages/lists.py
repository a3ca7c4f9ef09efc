"""The lists pages: datasets with their versions and counts; a version's diff (added,
removed, changed with the before and after of the changed fields), filterable by
change, programme and type; and what changed since yesterday across every list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions.errors import SanctionsError
from sanctions.model import DATASETS
from sanctions.store import Store

from ..render import page
from ..security import READ, WebError, require
from .common import field_changes, int_param, param

router = APIRouter()

PAGE = 50
KINDS = ("added", "removed", "changed")


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


def lists_view(store: Store) -> dict[str, Any]:
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


def _known(store: Store, dataset: str) -> None:
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


def _describe(entity: Any) -> tuple[str, list[str]]:
    return entity.schema, list(entity.listing.programs or entity.get("program"))


@lru_cache(maxsize=16)
def _version_meta(store: Store, version_id: int, ids: frozenset[str]) -> dict[str, Any]:
    """id -> (schema, programmes) of some entities of a version (versions never change)."""
    return {eid: _describe(e) for eid, e in store.get_entities(ids, version_id).items()}


def _metadata(store: Store, diff: Any, changes: list[Any]) -> dict[str, tuple[str, list[str]]]:
    """(schema, programmes) of each change's entity: as removed, or as in the new version."""
    removed = frozenset(c.entity_id for c in changes if c.change == "removed")
    present = frozenset(c.entity_id for c in changes if c.change != "removed")
    meta = dict(_version_meta(store, diff.to_version.id, present)) if present else {}
    if removed and diff.from_version is not None:
        meta.update(_version_meta(store, diff.from_version.id, removed))
    return meta


def _field_rows(store: Store, diff: Any, rows: list[dict[str, Any]]) -> None:
    """Add the before and after of the changed fields to the changed rows (two reads)."""
    changed = [r for r in rows if r["change"] == "changed"]
    if not changed:
        return
    ids = [r["entity_id"] for r in changed]
    before_id = diff.from_version.id if diff.from_version else diff.to_version.parent_id
    olds = store.get_entities(ids, before_id) if before_id else {}
    news = store.get_entities(ids, diff.to_version.id)
    for row in changed:
        eid = row["entity_id"]
        row["fields"] = field_changes(olds.get(eid), news.get(eid), row["properties"])


def diff_view(store: Store, dataset: str, ref: str, opts: dict[str, Any]) -> dict[str, Any]:
    try:
        diff = store.diff(dataset, opts["from"] or None, ref)
    except SanctionsError as exc:
        raise WebError(404, str(exc)) from None
    wanted = [c for c in diff.changes if not opts["change"] or c.change == opts["change"]]
    programme, schema = opts["programme"].lower(), opts["schema"]
    if programme or schema:
        meta = _metadata(store, diff, wanted)
        wanted = [
            c
            for c in wanted
            if (not schema or meta.get(c.entity_id, ("", []))[0] == schema)
            and (
                not programme
                or any(programme in p.lower() for p in meta.get(c.entity_id, ("", []))[1])
            )
        ]
    start = (opts["page"] - 1) * PAGE
    shown = wanted[start : start + PAGE]
    meta = _metadata(store, diff, shown)
    rows = [
        {
            **c.to_dict(),
            "schema": meta.get(c.entity_id, ("", []))[0],
            "programmes": meta.get(c.entity_id, ("", []))[1],
        }
        for c in shown
    ]
    _field_rows(store, diff, rows)
    counts = {k: sum(1 for c in diff.changes if c.change == k) for k in KINDS}
    return {
        "dataset": dataset,
        "title": DATASETS.get(dataset, dataset),
        "from": _version_row(diff.from_version) if diff.from_version else None,
        "to": _version_row(diff.to_version),
        "counts": counts,
        "filters": {k: opts[k] for k in ("change", "programme", "schema", "from")},
        "total": len(wanted),
        "page": opts["page"],
        "pages": max(1, -(-len(wanted) // PAGE)),
        "changes": rows,
    }


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
    data = await run_in_threadpool(diff_view, store, dataset, ref[:70], opts)
    return page(request, "diff.html", data, viewer, section="lists")


def since_view(store: Store, since: str) -> dict[str, Any]:
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
