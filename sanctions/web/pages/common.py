"""Helpers shared by the page modules: reading parameters and the cluster of an entity."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from fastapi import Request

from sanctions.coordination import get_cluster
from sanctions.errors import SanctionsError
from sanctions.store import Store

from ..security import WebError

__all__ = [
    "param",
    "int_param",
    "cluster_of",
    "cluster_summary",
    "snapshot_or_503",
    "MAX_FIELD",
]

MAX_FIELD = 500
CLUSTER_SECONDS = 300


def param(request: Request, name: str, max_chars: int = MAX_FIELD) -> str:
    """A query parameter, stripped ('' when absent); over ``max_chars`` is a 400 page."""
    value = request.query_params.get(name, "").strip()
    if len(value) > max_chars:
        raise WebError(400, f"{name}: {len(value)} characters (at most {max_chars}).")
    return value


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise WebError(400, f"{name}: {raw[:50]!r} is not a whole number from {low} to {high}.")
    return int(raw)


def cluster_of(store: Store, entity_id: str) -> dict[str, Any] | None:
    """The entity's cluster across lists, or None when the lists were not resolved."""
    try:
        return get_cluster(store, entity_id)
    except SanctionsError:
        return None


@lru_cache(maxsize=4096)
def _cluster_summary(store: Store, entity_id: str, epoch: int) -> dict[str, Any] | None:
    cluster = cluster_of(store, entity_id)
    if cluster is None:
        return None
    listings = [
        {"id": x["id"], "dataset": x["dataset"], "joined": x["joined"]["reason"]}
        for x in cluster["listings"]
    ]
    return {"id": cluster["id"], "listings": listings}


def cluster_summary(store: Store, entity_id: str) -> dict[str, Any] | None:
    """The listings of an entity's cluster, kept a few minutes (clusters change with
    ``sanctions resolve`` only): a screening page shows them for several hits."""
    return _cluster_summary(store, entity_id, int(time.monotonic() // CLUSTER_SECONDS))


def snapshot_or_503(request: Request) -> Any:
    holder = request.app.state.holder
    if holder.snapshot is None:
        raise WebError(503, "The index is being built: retry in a few seconds.")
    return holder.snapshot


def version_by_id(store: Store, dataset: str, version_id: int) -> Any:
    """A dataset's version by its store id (None when unknown)."""
    return next((v for v in store.versions(dataset) if v.id == version_id), None)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v not in (None, "", []))
    return str(value)


def values_of(entity: Any, prop: str) -> list[str]:
    """The values of a changed field as :meth:`Entity.diff_properties` names it."""
    if entity is None:
        return []
    if prop == "schema":
        return [entity.schema]
    if prop.startswith("listing."):
        value = entity.listing.to_dict().get(prop.split(".", 1)[1])
    elif prop in ("names", "dates"):
        value = entity.to_dict()[prop]
    else:
        value = entity.properties.get(prop, [])
    if value is None:
        return []
    return [_text(v) for v in value] if isinstance(value, list) else [_text(value)]


def field_changes(old: Any, new: Any, props: list[str]) -> list[dict[str, Any]]:
    """Each changed field of an entity with its values before and after."""
    rows = []
    for prop in props:
        if prop.startswith("("):
            continue
        before, after = values_of(old, prop), values_of(new, prop)
        rows.append(
            {
                "prop": prop,
                "before": before,
                "after": after,
                "removed": [v for v in before if v not in after],
                "added": [v for v in after if v not in before],
            }
        )
    return rows


def before_after(
    store: Store, entity_id: str, version: Any, props: list[str]
) -> list[dict[str, Any]]:
    """The changed fields of an entity in ``version``: each with its values before and after."""
    old = store.get_entity(entity_id, version.parent_id) if version.parent_id else None
    return field_changes(old, store.get_entity(entity_id, version.id), props)
