"""Screening results and stored entities in yente's JSON shapes (no matching here).

The screener's machine shape (``Match.to_dict()``: ``id, caption, schema, score,
match, datasets, properties, explanations``, with explanations as a list of
``{feature, contribution, detail}``) becomes yente's scored entity: the same
fields plus ``referents``, ``target``, ``first_seen``, ``last_seen``,
``last_change``, and explanations keyed by feature as ``{score, detail, query,
candidate, weight}`` (:meth:`sanctions.matching.Feature.to_yente`).
"""

from __future__ import annotations

from typing import Any

from sanctions.matching import yente_explanations, yente_features
from sanctions.model import Entity

from .holder import Snapshot

__all__ = [
    "scored_entity",
    "entity_response",
    "record_response",
]


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
        "explanations": yente_explanations(match.score.features),
        "features": yente_features(match.score.features),
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
