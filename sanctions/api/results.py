"""Screening results and stored entities in yente's JSON shapes (no matching here).

The screener's machine shape (``Match.to_dict()``: ``id, caption, schema, score,
match, datasets, properties, explanations``, with explanations as a list of
``{feature, contribution, detail}``) becomes yente's scored entity: the same
fields plus ``referents``, ``target``, ``first_seen``, ``last_seen``,
``last_change``, and explanations keyed by feature as ``{score, detail, query,
candidate, weight}``.
"""

from __future__ import annotations

from typing import Any

from sanctions.model import Entity

from .holder import Snapshot

__all__ = [
    "scored_entity",
    "explanations_by_feature",
    "features_by_name",
    "entity_response",
    "record_response",
]


def explanations_by_feature(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Our list of feature explanations as yente's mapping feature -> result."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        name = str(item.get("feature", "feature"))
        key, n = name, 2
        while key in out:  # never overwrite: a second explanation of the same feature
            key, n = f"{name}_{n}", n + 1
        out[key] = {
            "score": float(item.get("contribution", 0.0)),
            "detail": item.get("detail"),
            "query": item.get("query_name"),
            "candidate": item.get("matched_name"),
            "weight": 1.0,
        }
    return out


def features_by_name(items: list[dict[str, Any]]) -> dict[str, float]:
    """yente's older ``features`` map: feature -> its contribution (summed when repeated)."""
    out: dict[str, float] = {}
    for item in items:
        name = str(item.get("feature", "feature"))
        out[name] = round(out.get(name, 0.0) + float(item.get("contribution", 0.0)), 6)
    return out


def _dataset_of(data: dict[str, Any]) -> str:
    datasets = data.get("datasets") or []
    return datasets[0] if datasets else ""


def scored_entity(match: Any, snapshot: Snapshot) -> dict[str, Any]:
    """A :class:`~sanctions.screening.Match` as a yente ``ScoredEntityResponse``."""
    data = match.to_dict()
    return {
        "id": data["id"],
        "caption": data["caption"],
        "schema": data["schema"],
        "properties": data["properties"],
        "datasets": list(data["datasets"]),
        "referents": [],
        "target": True,
        **snapshot.entity_dates(data["id"], _dataset_of(data)),
        "score": data["score"],
        "match": data["match"],
        "explanations": explanations_by_feature(data["explanations"]),
        "features": features_by_name(data["explanations"]),
    }


def record_response(record: Any, snapshot: Snapshot, score: float | None = None) -> dict[str, Any]:
    """A prepared record (search result) as a yente ``EntityResponse``."""
    dataset = record.datasets[0] if record.datasets else ""
    data = {
        "id": record.id,
        "caption": record.caption,
        "schema": record.schema,
        "properties": record.properties,
        "datasets": list(record.datasets),
        "referents": [],
        "target": True,
        **snapshot.entity_dates(record.id, dataset),
    }
    if score is not None:
        data["score"] = score
    return data


def entity_response(
    entity: Entity, history: list[dict[str, Any]], snapshot: Snapshot | None
) -> dict[str, Any]:
    """A stored entity with its listing, name variants, dates and change history."""
    data = entity.to_ftm()
    dataset = entity.listing.dataset
    if snapshot is not None:
        data.update(snapshot.entity_dates(entity.id, dataset))
    data["listing"] = entity.listing.to_dict()
    data["names"] = [n.to_dict() for n in entity.names]
    data["dates"] = [d.to_dict() for d in entity.dates]
    data["history"] = history
    return data
