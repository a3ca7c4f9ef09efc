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
:func:`bounds.ceiling_of`), and scoring stops once the next ceiling is
under the ``limit``-th score found: no candidate left can reach or tie it, so
the result (records, order, scores) is the one scoring every candidate gives
(tested on real lists; :func:`score_every_candidate` turns the stop off).
Before a candidate is scored, its ceiling is worked out again with the
evidence beside its names known exactly (:func:`bounds.secondary_bounds`: a
date of birth years apart, another country or gender): most candidates of an
ordinary customer fall under the cutoff so, without a name aligned.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import prune
from .bounds import ceiling_of, loose_ceilings, name_floor, secondary_bounds
from .candidates import Candidate, CandidateSet
from .forms import NameForm
from .index import MatchIndex
from .scope import Scope
from .score import DEFAULT_THRESHOLD, Record, Score, compare_records, score_value
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
    floor = 0.0 if cutoff is None else cutoff
    evidence = _Evidence(query, candidates)
    tight: list[float] | None = None  # every name's tight bound, candidate by candidate
    at: list[int] = []  # where each candidate's names begin in ``tight``
    if _TOP_K[0] and count > TIGHTEN_FROM * limit:
        tight, at, tops = _tight_name_bounds(index, query, candidates, floor)
    else:
        tops = candidates.bounds()
    ceilings = _ceilings(tops)
    pruning = _TOP_K[0]  # no candidate under the floor is scored: only those above ordered
    order = sorted(
        (i for i in range(count) if not pruning or ceilings[i] >= floor),
        key=ceilings.__getitem__,
        reverse=True,
    )
    kept: list[float] = []  # the ``limit`` best scores so far (a min-heap)
    ranked = []
    for i in order:
        if ceilings[i] < floor and _TOP_K[0]:
            break  # no candidate left can reach the limit-th score, nor tie it
        if _TOP_K[0] and floor > 0.0 and evidence.ceiling(i, tops[i]) < floor:
            continue  # its dates, countries or gender keep it under: not scored
        cand = candidates.candidate(i)
        names = cand.names
        if tight is not None and candidates.named[i]:
            bounds = tight[at[i] : at[i] + len(cand.names)]
            names = _names_to_align(cand, bounds, floor, partial(evidence.ceiling, i))
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


class _Evidence:
    """Each candidate's ceiling from a bound of its names and the evidence beside them
    (:func:`bounds.secondary_bounds`), worked out once per candidate when asked."""

    def __init__(self, query: Record, candidates: CandidateSet) -> None:
        self.query = query
        self.candidates = candidates
        self.found: dict[int, tuple[float, float]] = {}

    def ceiling(self, i: int, name_bound: float) -> float:
        found = self.found.get(i)
        if found is None:
            found = self.found[i] = secondary_bounds(self.query, self.candidates.record(i))
        return ceiling_of(name_bound, *found)


def _ceilings(tops: list[float]) -> list[float]:
    """A ceiling of each candidate from its best name bound (``tops``), whatever its dates
    and countries (:func:`bounds.loose_ceilings`)."""
    ceilings: list[float] = loose_ceilings(np.asarray(tops, dtype=np.float64)).tolist()
    return ceilings


def _tight_name_bounds(
    index: MatchIndex, query: Record, candidates: CandidateSet, floor: float
) -> tuple[list[float], list[int], list[float]]:
    """The bounds (:func:`prune.tight_bounds`) of the names of the candidates found by
    their names, in order; where each candidate's begin (0 for a candidate found by an
    identifier: its names are not bounded, it may match without them); and each
    candidate's best bound (1.0 for one found by an identifier).

    A name whose index bound cannot reach ``floor`` whatever dates and countries add
    keeps that bound (it is left out all the same): only the others are tightened.
    """
    ids, bounds, starts = candidates.named_arrays()
    tight = bounds
    if len(bounds):
        wanted = None
        if floor > 0.0:  # the names whose ceiling may reach it
            wanted = np.flatnonzero(loose_ceilings(bounds) >= floor)
        if wanted is None or len(wanted) == len(bounds):
            tight = prune.tight_bounds(index, query, ids, bounds)
        elif len(wanted):
            tight = bounds.copy()
            tight[wanted] = prune.tight_bounds(index, query, ids[wanted], bounds[wanted])
    tops = np.maximum.reduceat(tight, starts).tolist() if len(tight) else []
    named = candidates.named
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
    cand: Candidate, bounds: list[float], floor: float, ceiling: Callable[[float], float]
) -> list[NameForm]:
    """The names of ``cand`` whose ``ceiling`` (from their ``bounds``) reaches ``floor``.

    A record scores as its best name does, and its score never falls as that
    name's score rises; so when the names kept score at least ``floor``, the
    names left out (ceilings under it) cannot score more, and the value is
    the one all names give; when they score under it, so does the record.
    """
    if floor <= 0.0 or len(cand.names) < 2:
        return cand.names
    return [form for form, bound in zip(cand.names, bounds, strict=True) if ceiling(bound) >= floor]
