"""Candidate search, scoring and explanation of one query against an index.

    >>> hits = search(index, query, scope=Scope.of(datasets=["un_sc_sanctions"]), limit=5)
    >>> hits[0].record.caption, hits[0].score.score, hits[0].score.features[0].describe()

The index proposes the in-scope records whose names may reach the floor
(:func:`bounds.name_floor` of the threshold or cutoff); they are ranked by
their score alone (:func:`score.score_value`), and only the ``limit`` best are
explained (:func:`score.compare_records`), so explaining costs nothing for
the candidates that are not returned.

Top-k: the candidates are scored in decreasing order of their ceiling (the
index's bound of their names plus what dates and countries may add,
:func:`bounds.score_ceiling`), and scoring stops once the next ceiling is
under the ``limit``-th score found: no candidate left can reach or tie it, so
the result (records, order, scores) is the one scoring every candidate gives
(tested on real lists; :func:`score_every_candidate` turns the stop off).
"""

from __future__ import annotations

import heapq
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from . import alignment, prune
from .bounds import CEILING_MARGIN, name_floor, score_ceiling
from .candidates import Candidate, CandidateSet
from .forms import NameForm, schema_kind
from .index import MatchIndex
from .scope import Scope
from .score import CONFIRM_FLOOR, DEFAULT_THRESHOLD, Record, Score, compare_records, score_value
from .similarity import RowFn

__all__ = ["Hit", "best_candidates", "score_every_candidate", "search"]

_TOP_K = [True]
TIGHTEN_FROM = 4  # candidates per result from which their bounds are tightened first


def score_every_candidate() -> AbstractContextManager[None]:
    """The top-k stop off inside (process-wide): every candidate scored, to compare."""
    return prune.switched_off(_TOP_K)


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
    candidates = index.candidate_set(
        query, name_floor(floor), extra=limit if cutoff is None else 0, scope=scope
    )
    rows = index.rows_fn(query)
    ranked = best_candidates(index, query, candidates, rows, limit, cutoff)
    return [
        Hit(
            cand.record,
            compare_records(query, cand.record, threshold, rows, cand.names, index.frequencies),
        )
        for _, cand in ranked
    ]


def best_candidates(
    index: MatchIndex,
    query: Record,
    candidates: CandidateSet,
    rows: RowFn,
    limit: int,
    cutoff: float | None = None,
) -> list[tuple[float, Candidate]]:
    """The ``limit`` best (score, candidate) scoring above 0 (and at least ``cutoff``),
    best first, ties by listed id; candidates whose ceiling cannot reach the
    ``limit``-th score found are not scored (see the module's docstring)."""
    if limit <= 0:
        return []
    count = len(candidates)
    tight: list[float] | None = None  # every name's tight bound, candidate by candidate
    at: list[int] = []  # where each candidate's names begin in ``tight``
    if _TOP_K[0] and count > TIGHTEN_FROM * limit:
        tight, at, tops = _tight_name_bounds(index, query, candidates)
    else:
        tops = candidates.bounds()
    ceilings = _ceilings(query, candidates, tops)
    order = sorted(range(count), key=ceilings.__getitem__, reverse=True)
    floor = 0.0 if cutoff is None else cutoff
    kept: list[float] = []  # the ``limit`` best scores so far (a min-heap)
    ranked = []
    for i in order:
        if ceilings[i] < floor and _TOP_K[0]:
            break  # no candidate left can reach the limit-th score, nor tie it
        cand = candidates.candidate(i)
        names = cand.names
        if tight is not None and candidates.named[i]:
            bounds = tight[at[i] : at[i] + len(cand.names)]
            names = _names_to_align(query, cand, bounds, floor)
        value = score_value(query, cand.record, rows, names, index.frequencies, floor)
        if (cutoff is not None and value < cutoff) or value <= 0.0:
            continue
        if len(names) < len(cand.names) and value < floor:
            continue  # a name left out may score more, but not enough to reach the floor
        ranked.append((value, cand))
        if len(kept) < limit:
            heapq.heappush(kept, value)
        elif value > kept[0]:
            heapq.heapreplace(kept, value)
        if len(kept) == limit:
            floor = max(floor, kept[0])
    ranked.sort(key=lambda pair: (-pair[0], pair[1].record.id))
    return ranked[:limit]


def _ceilings(query: Record, candidates: CandidateSet, tops: list[float]) -> list[float]:
    """:func:`bounds.score_ceiling` of each candidate from its best name bound (``tops``):
    only those reaching :data:`score.CONFIRM_FLOOR` are looked at one by one."""
    values = np.asarray(tops, dtype=np.float64) + CEILING_MARGIN
    out: list[float] = values.tolist()
    for i in np.flatnonzero(values >= CONFIRM_FLOOR).tolist():
        out[i] = score_ceiling(query, candidates.record(i), tops[i])
    return out


def _tight_name_bounds(
    index: MatchIndex, query: Record, candidates: CandidateSet
) -> tuple[list[float], list[int], list[float]]:
    """The bounds (:func:`prune.tight_bounds`) of the names of the candidates found by
    their names, in order; where each candidate's begin (0 for a candidate found by an
    identifier: its names are not bounded, it may match without them); and each
    candidate's best bound (1.0 for one found by an identifier)."""
    ids, sizes = candidates.named_slices()
    schema_ids, schemata = index.record_schemata()
    lambdas = alignment.LAMBDA
    lam_of = np.asarray(
        [lambdas.get(schema_kind(schema), lambdas["any"]) for schema in schemata],
        dtype=np.float64,
    )
    named = candidates.named
    recs = np.asarray(candidates.rec, dtype=np.int64)
    bounds = candidates.name_bounds
    if not all(named):
        recs = recs[np.asarray(named, dtype=bool)]
        bounds = np.concatenate(
            [bounds[candidates.starts[i] : candidates.ends[i]] for i, ok in enumerate(named) if ok]
            or [bounds[:0]]
        )
    tight = prune.tight_bounds(
        index,
        query,
        ids.astype(np.int64),
        bounds.astype(np.float64),
        np.repeat(lam_of[schema_ids[recs]], sizes),
    )
    ends = np.cumsum(sizes, dtype=np.int64)
    starts = ends - np.asarray(sizes, dtype=np.int64)
    tops = np.maximum.reduceat(tight, starts).tolist() if len(tight) else []
    if all(named):
        return tight.tolist(), starts.tolist(), tops
    at: list[int] = []
    best: list[float] = []
    found = iter(zip(starts.tolist(), tops, strict=True))
    for ok in named:
        start, top = next(found) if ok else (0, 1.0)
        at.append(start)
        best.append(top)
    return tight.tolist(), at, best


def _names_to_align(
    query: Record, cand: Candidate, bounds: list[float], floor: float
) -> list[NameForm]:
    """The names of ``cand`` whose ceiling (from their ``bounds``) reaches ``floor``.

    A record scores as its best name does, and its score never falls as that
    name's score rises; so when the names kept score at least ``floor``, the
    names left out (ceilings under it) cannot score more, and the value is
    the one all names give; when they score under it, so does the record.
    """
    if floor <= 0.0 or len(cand.names) < 2:
        return cand.names
    return [
        form
        for form, bound in zip(cand.names, bounds, strict=True)
        if score_ceiling(query, cand.record, bound) >= floor
    ]
