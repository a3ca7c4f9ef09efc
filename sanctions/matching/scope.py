"""Which listed records a search may return: applied in candidate generation, before scoring.

A :class:`Scope` narrows a search to some datasets, schemata and topics (and
leaves out some entity ids). The index drops out-of-scope records from its
candidates before any name is aligned, so a scoped search spends no scoring on
them, and its ``limit`` best results are the best *in-scope* results: never
fewer than scoring everything and filtering afterwards would give.

``None`` means "no restriction" for each field; an empty set means "nothing"
(a caller that resolved its filters to nothing must say so itself, as the API
does with a 400). Schemata are matched exactly: a caller that filters on a
parent schema (``Organization``) expands it to its descendants first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Scope", "DEFAULT_TOPIC"]

DEFAULT_TOPIC = "sanction"  # the topic of a listed record that carries none


def _frozen(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


@dataclass(frozen=True)
class Scope:
    """Datasets, schemata and topics a search covers (``None``: all), ids it leaves out."""

    datasets: frozenset[str] | None = None
    schemata: frozenset[str] | None = None
    topics: frozenset[str] | None = None
    exclude_ids: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        datasets: Iterable[str] | None = None,
        schemata: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
        exclude_ids: Iterable[str] = (),
    ) -> Scope:
        """A scope from any iterables (sets, lists); ``None`` leaves a field open."""
        return cls(_frozen(datasets), _frozen(schemata), _frozen(topics), frozenset(exclude_ids))

    @property
    def everything(self) -> bool:
        """True when the scope restricts nothing."""
        return (
            self.datasets is None
            and self.schemata is None
            and self.topics is None
            and not self.exclude_ids
        )

    def keeps(self, record: Any) -> bool:
        """Whether a prepared listed record (:class:`~sanctions.matching.Record`) is in scope."""
        if self.datasets is not None and self.datasets.isdisjoint(record.datasets):
            return False
        if self.schemata is not None and record.schema not in self.schemata:
            return False
        if self.topics is not None:
            topics = record.properties.get("topics") or (DEFAULT_TOPIC,)
            if self.topics.isdisjoint(topics):
                return False
        return record.id not in self.exclude_ids
