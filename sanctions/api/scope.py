"""Which results a request may see: dataset scope, schemata, ids, dates, topics.

The request's datasets, schemata, topics and excluded ids become the matcher's
:class:`sanctions.matching.Scope` (:meth:`Scope.matching_scope`), applied in
candidate generation before scoring: a scoped request never loses an in-scope
result to out-of-scope ones. The filters the matcher does not know
(``changed_since``, which needs the store's history; ``countries`` on
``/search``) are applied to the results afterwards, by :meth:`Scope.keeps`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException

from sanctions import matching
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION
from sanctions.model import DATASETS, SCHEMATA, TOPICS

from .holder import Snapshot

__all__ = [
    "COLLECTIONS",
    "ALGORITHM_ALIASES",
    "Scope",
    "check_schemata",
    "check_topics",
    "resolve_algorithm",
    "resolve_datasets",
]

# Collections: names for sets of datasets, as in OpenSanctions' catalog.
COLLECTIONS = {
    "default": "Every list in the store",
    "sanctions": "Every sanctions list in the store",
}

# yente's algorithm names: each runs our one algorithm, and the response says so.
ALGORITHM_ALIASES = (
    "best",
    "logic-v2",
    "logic-v1",
    "name-based",
    "name-matcher",
    "name-qualified",
    "regression-v1",
)


def resolve_algorithm(name: str) -> str:
    """Our algorithm's name for a requested one; 400 for a name nobody knows."""
    clean = (name or "best").strip().lower()
    if clean == ALGORITHM or clean in ALGORITHM_ALIASES:
        return f"{ALGORITHM} {ALGORITHM_VERSION}"
    known = ", ".join((ALGORITHM, *ALGORITHM_ALIASES))
    raise HTTPException(400, detail=f"Invalid algorithm: {name!r} (known: {known})")


def _unknown(param: str, values: Iterable[str], known: Iterable[str]) -> HTTPException:
    listed = ", ".join(sorted(known))
    bad = ", ".join(repr(v) for v in values)
    return HTTPException(400, detail=f"Unknown {param}: {bad} (known: {listed})")


def check_schemata(values: Iterable[str], param: str = "schema") -> None:
    """400 naming any value that is not a schema: a typo must not filter nothing."""
    bad = [v for v in values if v not in SCHEMATA]
    if bad:
        raise _unknown(param, bad, SCHEMATA)


def check_topics(values: Iterable[str]) -> None:
    """400 naming any value that is not an FtM topic: a typo must not empty the results."""
    bad = [v for v in values if v not in TOPICS]
    if bad:
        raise _unknown("topics", bad, TOPICS)


def resolve_datasets(
    snapshot: Snapshot,
    dataset: str,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> set[str]:
    """The datasets a request covers: the path's dataset or collection, narrowed.

    Fails closed: an ``include`` that is not a loaded list, an ``exclude`` that is
    no list at all, or filters that leave no list are a 400 naming the values.
    """
    loaded = set(snapshot.versions)
    if dataset in COLLECTIONS:
        scope = set(loaded)
    elif dataset in loaded:
        scope = {dataset}
    else:
        known = ", ".join([*COLLECTIONS, *snapshot.datasets])
        raise HTTPException(404, detail=f"No such dataset: {dataset!r} (known: {known})")
    wanted = {d for d in include if d}
    bad = sorted(wanted - loaded - set(COLLECTIONS))
    if bad:
        raise _unknown("include_dataset", bad, loaded)
    unwanted = {d for d in exclude if d}
    bad = sorted(unwanted - loaded - set(DATASETS))
    if bad:
        raise _unknown("exclude_dataset", bad, loaded | set(DATASETS))
    if wanted and not wanted & set(COLLECTIONS):
        scope &= wanted
    scope -= unwanted
    if not scope:
        raise HTTPException(
            400, detail=f"The dataset filters leave no list to screen against in {dataset!r}."
        )
    return scope


@dataclass
class Scope:
    """The filters of one request, applied to each result."""

    datasets: set[str]
    all_datasets: bool = True
    exclude_schemata: set[str] = field(default_factory=set)
    exclude_ids: set[str] = field(default_factory=set)
    changed_since: str | None = None
    topics: set[str] = field(default_factory=set)
    schemata: set[str] | None = None
    countries: set[str] = field(default_factory=set)

    @property
    def filtering(self) -> bool:
        return not self.all_datasets or bool(
            self.exclude_schemata
            or self.exclude_ids
            or self.changed_since
            or self.topics
            or self.schemata
            or self.countries
        )

    def matching_scope(self) -> matching.Scope:
        """The filters the matcher applies before scoring (datasets, schemata, topics, ids)."""
        schemata = set(SCHEMATA) if self.schemata is None else set(self.schemata)
        schemata -= self.exclude_schemata
        return matching.Scope.of(
            datasets=None if self.all_datasets else self.datasets,
            schemata=None if schemata == set(SCHEMATA) else schemata,
            topics=self.topics or None,
            exclude_ids=self.exclude_ids,
        )

    def keeps(self, record: Any, snapshot: Snapshot) -> bool:
        """Whether a listed record passes every filter of the request."""
        if not self.datasets.intersection(record.datasets):
            return False
        if record.schema in self.exclude_schemata or record.id in self.exclude_ids:
            return False
        if self.schemata is not None and record.schema not in self.schemata:
            return False
        if self.countries and not self.countries & record.countries:
            return False
        if self.topics:
            topics = set(record.properties.get("topics") or ["sanction"])
            if not topics & self.topics:
                return False
        if self.changed_since:
            dataset = record.datasets[0] if record.datasets else ""
            changed = snapshot.entity_dates(record.id, dataset)["last_change"]
            if changed is None or changed < self.changed_since:
                return False
        return True
