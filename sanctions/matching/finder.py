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
from .bounds import name_floor, score_ceiling
from .candidates import Candidate, CandidateSet
from .forms import NameForm, schema_kind
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
    name_bounds: list[list[float]] | None = None
    if _TOP_K[0] and count > TIGHTEN_FROM * limit:
        name_bounds, tops = _tight_name_bounds(index, query, candidates)
    else:
        tops = candidates.bounds()
    ceilings = [score_ceiling(query, candidates.record(i), top) for i, top in enumerate(tops)]
    order = sorted(range(count), key=ceilings.__getitem__, reverse=True)
    floor = 0.0 if cutoff is None else cutoff
    kept: list[float] = []  # the ``limit`` best scores so far (a min-heap)
    ranked = []
    for i in order:
        if ceilings[i] < floor and _TOP_K[0]:
            break  # no candidate left can reach the limit-th score, nor tie it
        cand = candidates.candidate(i)
        names = cand.names
        if name_bounds and name_bounds[i]:
            names = _names_to_align(query, cand, name_bounds[i], floor)
        value = score_value(query, cand.record, rows, names, index.frequencies)
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


def _tight_name_bounds(
    index: MatchIndex, query: Record, candidates: CandidateSet
) -> tuple[list[list[float]], list[float]]:
    """Each candidate's names' bounds (:func:`prune.tight_bounds`), empty for a candidate
    found by an identifier (its names are not bounded: it may match without them); and
    each candidate's best bound (1.0 for one found by an identifier)."""
    ids, sizes = candidates.named_slices()
    lambdas = alignment.LAMBDA
    lam_of: dict[str, float] = {}
    lams: list[float] = []
    named = candidates.named
    for i, ok in enumerate(named):
        if ok:
            schema = candidates.record(i).schema
            lam = lam_of.get(schema)
            if lam is None:
                lam = lam_of[schema] = lambdas.get(schema_kind(schema), lambdas["any"])
            lams.append(lam)
    bounds = candidates.name_bounds
    if not all(named):
        bounds = np.concatenate(
            [bounds[candidates.starts[i] : candidates.ends[i]] for i, ok in enumerate(named) if ok]
            or [bounds[:0]]
        )
    tight = prune.tight_bounds(
        index,
        query,
        ids.astype(np.int64),
        bounds.astype(np.float64),
        np.repeat(np.asarray(lams, dtype=np.float64), sizes),
    )
    starts = np.zeros(len(sizes), dtype=np.int64)
    if len(sizes) > 1:
        np.cumsum(sizes[:-1], out=starts[1:])
    tops = np.maximum.reduceat(tight, starts).tolist() if len(tight) else []
    flat = tight.tolist()
    out: list[list[float]] = []
    best: list[float] = []
    at = 0
    it = iter(zip(sizes, tops, strict=True))
    for ok in named:
        if not ok:
            out.append([])
            best.append(1.0)
            continue
        size, top = next(it)
        out.append(flat[at : at + size])
        best.append(top)
        at += size
    return out, best


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
