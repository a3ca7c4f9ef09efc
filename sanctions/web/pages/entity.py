"""The entity page: names, identifiers, dates, programmes and provenance of one listing,
its history across list versions (with the values each change replaced), and the same
subject on the other lists (its cluster, with the reason each listing joined)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sanctions.matching.identifiers import LABELS, PROPERTY_TYPES
from sanctions.model import DATASETS
from sanctions.store import Store

from ..render import page
from ..security import READ, WebError, require
from .common import before_after, cluster_of, version_by_id

router = APIRouter()

MAX_ID = 300


def _history(store: Store, entity_id: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = dict(row)
        if row["change"] == "changed" and row["properties"]:
            version = version_by_id(store, row["dataset"], row["version_id"])
            if version is not None:
                item["fields"] = before_after(store, entity_id, version, row["properties"])
        out.append(item)
    return out


def _removed_entity(store: Store, history: list[dict[str, Any]], entity_id: str) -> Any:
    """The entity as in the last version that listed it (it was removed since)."""
    last = history[-1]
    version = version_by_id(store, last["dataset"], last["version_id"])
    if version is None or not version.parent_id:
        return None
    return store.get_entity(entity_id, version.parent_id)


def entity_view(store: Store, entity_id: str) -> tuple[dict[str, Any] | None, int]:
    """The page's data and status (404 with the history when no longer listed)."""
    entity = store.get_entity(entity_id)
    rows = store.entity_history(entity_id)
    status = 200
    if entity is None:
        if not rows or rows[-1]["change"] != "removed":
            return None, 404
        entity, status = _removed_entity(store, rows, entity_id), 404
        if entity is None:
            return None, 404
    data = entity.to_dict()
    data["dataset_title"] = DATASETS.get(entity.listing.dataset, entity.listing.dataset)
    data["identifiers"] = [
        {"prop": prop, "type": LABELS.get(kind, kind), "value": value}
        for prop, kind in PROPERTY_TYPES.items()
        for value in entity.properties.get(prop, [])
    ]
    data["listed"] = status == 200
    data["history"] = _history(store, entity_id, rows)
    data["cluster"] = cluster_of(store, entity_id)
    return data, status


@router.get("/ui/entity/{entity_id:path}", include_in_schema=False)
async def entity_page(request: Request, entity_id: str) -> Response:
    viewer = await require(request, READ)
    if not entity_id.strip() or len(entity_id) > MAX_ID:
        raise WebError(404, "No such entity: give an id such as un_sc_sanctions-QDi.001.")
    data, status = await run_in_threadpool(entity_view, request.app.state.store, entity_id)
    if data is None:
        raise WebError(
            404,
            f"No such entity: {entity_id!r}. Ids are the dataset and the authority's own id "
            "(us_ofac_sdn-36); search for it on the Screen page.",
        )
    return page(request, "entity.html", data, viewer, status, "lists")
