"""Screening one query against every current list: the Python API.

    >>> screener = Screener(Store.open("lists.db"))
    >>> result = screener.screen({"schema": "Person", "properties": {"name": ["Vladimir Putin"]}})
    >>> result.results[0].score, result.results[0].record.caption

The index over the current versions is built on first use (or loaded from the
on-disk cache) and rebuilt when a dataset gets a new version.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sanctions.errors import SanctionsError
from sanctions.matching import (
    ALGORITHM,
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD,
    MatchIndex,
    Record,
    Scope,
    Score,
    index_key,
    load_index,
    prepare_records,
    search,
    warm_taggers,
)
from sanctions.model import Entity
from sanctions.store import Store

from .query import parse_query

log = logging.getLogger(__name__)

__all__ = ["Screener", "ScreeningResult", "Match", "DEFAULT_LIMIT"]

DEFAULT_LIMIT = 5
REFRESH_SECONDS = 5.0
# One query through every part of the matcher (name, date, country): see Screener.warm.
WARM_QUERY = {
    "id": "warm-up",
    "schema": "Person",
    "properties": {"name": ["Warm Upton"], "birthDate": ["1970-01-01"], "nationality": ["us"]},
}


@dataclass
class Match:
    """One listed entity scored against the query."""

    record: Record
    score: Score

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.record.id,
            "caption": self.record.caption,
            "schema": self.record.schema,
            "score": self.score.score,
            "match": self.score.match,
            "datasets": list(self.record.datasets),
            "properties": self.record.properties,
            "explanations": [f.to_dict() for f in self.score.features],
        }


@dataclass
class ScreeningResult:
    """The best candidates for one query, sorted by score."""

    query_id: str
    query: Record
    threshold: float
    results: list[Match] = field(default_factory=list)

    @property
    def matches(self) -> list[Match]:
        return [m for m in self.results if m.score.match]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.query_id,
            "results": [m.to_dict() for m in self.results],
            "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION},
        }
        if self.query.warnings:
            data["warnings"] = list(self.query.warnings)
        return data


class Screener:
    """Screens queries against the current versions of every list in a store."""

    def __init__(
        self,
        store: Store | None = None,
        index: MatchIndex | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        if store is None and index is None:
            raise ValueError("a Screener needs a store or an index")
        self.store = store
        self.threshold = threshold
        self._index = index
        self._checked = 0.0
        self.versions: list[Any] = []  # the list versions the current index was built from

    @classmethod
    def from_entities(cls, entities: Iterable[Entity], **kwargs: Any) -> Screener:
        """A screener over given entities (no store): for tests, demos, ad-hoc lists."""
        return cls(index=MatchIndex(prepare_records(entities)), **kwargs)

    def require_store(self) -> Store:
        """The store screened against; a screener built without one raises `SanctionsError`
        (what needs the store, such as an audited run, cannot be done without it)."""
        if self.store is None:
            raise SanctionsError("this screener has no store (built from entities)")
        return self.store

    def _current_versions(self) -> list[Any]:
        return [d.current for d in self.require_store().datasets() if d.current is not None]

    @property
    def index(self) -> MatchIndex:
        """The index over the current versions, (re)built when they changed."""
        if self.store is None:
            assert self._index is not None
            return self._index
        now = time.monotonic()
        if self._index is not None and now - self._checked < REFRESH_SECONDS:
            return self._index
        self._checked = now
        versions = self._current_versions()
        if self._index is None or self._index.key != index_key(versions):
            started = time.perf_counter()
            self._index = load_index(self.store, versions)
            self.versions = versions
            gc.freeze()  # the index lives as long as the process: keep the GC off its objects
            log.info(
                "index of %d records ready in %.2fs",
                len(self._index.records),
                time.perf_counter() - started,
            )
        return self._index

    def warm(self) -> None:
        """Load now what a first query loads lazily (the index, the person-name symbol
        table, rigour's organisation tagger, the matcher's tables), then keep it out of
        the cyclic GC's sight.

        Called before forking workers: they then share all of it copy-on-write instead
        of each loading its own at its first row. Results do not change: it only fills
        caches that the first query would fill.
        """
        self.index  # noqa: B018 - loaded (and frozen) first
        warm_taggers()
        self.screen(WARM_QUERY)
        gc.freeze()

    def refresh(self) -> MatchIndex:
        """Check the store for new versions now (instead of at most every few seconds)."""
        self._checked = 0.0
        return self.index

    def screen(
        self,
        query: Mapping[str, Any] | Entity | Record,
        threshold: float | None = None,
        limit: int = DEFAULT_LIMIT,
        cutoff: float | None = None,
        scope: Scope | None = None,
    ) -> ScreeningResult:
        """The ``limit`` best candidates in ``scope`` for a query (those under ``cutoff``
        dropped); the scope is applied before scoring (see :class:`~sanctions.matching.Scope`)."""
        threshold = self.threshold if threshold is None else threshold
        record = parse_query(query)
        hits = search(
            self.index, record, threshold=threshold, limit=limit, cutoff=cutoff, scope=scope
        )
        matches = [Match(hit.record, hit.score) for hit in hits]
        return ScreeningResult(record.id, record, threshold, matches)
