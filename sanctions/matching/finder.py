"""Candidate search, scoring and explanation of one query against an index.

    >>> hits = search(index, query, scope=Scope.of(datasets=["un_sc_sanctions"]), limit=5)
    >>> hits[0].record.caption, hits[0].score.score, hits[0].score.features[0].describe()

The index proposes the in-scope records whose names may reach the floor
(:func:`bounds.name_floor` of the threshold or cutoff); each is ranked by its
score alone (:func:`score.score_value`), and only the ``limit`` best are
explained (:func:`score.compare_records`), so explaining costs nothing for
the candidates that are not returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from .bounds import name_floor
from .index import MatchIndex
from .scope import Scope
from .score import DEFAULT_THRESHOLD, Record, Score, compare_records, score_value

__all__ = ["Hit", "search"]


@dataclass
class Hit:
    """One listed record found for a query, with its explained score."""

    record: Record
    score: Score


def search(
    index: MatchIndex,
    query: Record,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 5,
    cutoff: float | None = None,
    scope: Scope | None = None,
) -> list[Hit]:
    """The ``limit`` best-scoring records in ``scope`` (those under ``cutoff`` left out).

    Without a cutoff the best candidates are returned even under the
    threshold (a few near misses, as yente does); with one, every record in
    scope scoring at least ``cutoff`` is a candidate, however many.
    """
    floor = threshold if cutoff is None else min(threshold, cutoff)
    candidates = index.candidates(
        query, name_floor(floor), extra=limit if cutoff is None else 0, scope=scope
    )
    rows = index.rows_fn(query)
    ranked = []
    for cand in candidates:
        value = score_value(query, cand.record, rows, cand.names, index.frequencies)
        if cutoff is not None and value < cutoff:
            continue
        if value > 0.0:
            ranked.append((value, cand))
    ranked.sort(key=lambda pair: (-pair[0], pair[1].record.id))
    return [
        Hit(
            cand.record,
            compare_records(query, cand.record, threshold, rows, cand.names, index.frequencies),
        )
        for _, cand in ranked[:limit]
    ]
