"""Candidate search under a score floor: skip the listed names of common query words.

:meth:`MatchIndex._form_bounds <sanctions.matching.index.MatchIndex._form_bounds>`
bounds every listed name sharing an aligned word with a query name. An
ordinary name ("John Smith", "Global Trading") shares words with thousands of
listed names, and almost none of them can reach the floor. Here (MaxScore, as
in search engines) the query words are split in two: the *optional* ones,
whose bounds together (with what initials may add) stay under the floor, and
the *essential* rest. A listed name holding optional words only cannot reach
the floor, so only the names holding an essential word are enumerated; the
most common words are made optional first. Each of those names is then probed
for every query word through its own vocabulary (a short row per name) and
gets exactly the bound the exhaustive path gives it, from the same pairs and
the same arithmetic (:meth:`MatchIndex._pair_bounds`).

The few listed names with one-letter tokens (whose initials may add to any
query's bound) are looked up for the optional words too, in postings of their
own. Results are the exhaustive path's (tested on real lists); when nothing
can be made optional, the exhaustive path is taken.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

import numpy as np

from . import alignment
from .forms import STRONG, NameForm, schema_kind

if TYPE_CHECKING:
    from .index import MatchIndex
    from .score import Record

__all__ = [
    "exhaustive",
    "extra_floors",
    "gather",
    "gather_positions",
    "member_of",
    "pruned_pairs",
    "switched_off",
    "tight_bounds",
    "unique_ids",
]

MARGIN = 1e-6  # float rounding: an optional set must stay this far under the floor
MAX_SPANS = 32  # longer query names (rare) take the exhaustive path
EXTRA_STEPS = (0.2, 0.4)  # lower floors tried for the best names under the floor
_ENABLED = [True]


@contextmanager
def switched_off(switch: list[bool]) -> Iterator[None]:
    """A process-wide switch (a one-item list) off inside, as it was after."""
    saved = switch[0]
    switch[0] = False
    try:
        yield
    finally:
        switch[0] = saved


def exhaustive() -> AbstractContextManager[None]:
    """Pruning off inside (process-wide): the exhaustive path, to compare results and speed."""
    return switched_off(_ENABLED)


def gather(
    data: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The concatenated ``rows`` of compressed sparse rows and each row's length."""
    positions, lengths = gather_positions(offsets, rows)
    return data[positions], lengths


def gather_positions(offsets: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the ``rows`` of compressed sparse rows are in their data, and each one's length
    (to take several arrays of one layout at once)."""
    starts = offsets[rows]
    lengths = offsets[rows + 1] - starts
    ends = np.cumsum(lengths)
    if not len(ends):
        return np.zeros(0, dtype=np.int64), lengths
    shift = np.repeat(starts - (ends - lengths), lengths)
    return np.arange(ends[-1]) + shift, lengths


def unique_ids(values: np.ndarray, size: int) -> np.ndarray:
    """The sorted distinct ``values`` (ids in ``[0, size)``) as int64, as ``np.unique`` gives
    them: a bitmap when they are dense, else a sort (``np.unique`` hashes, many times slower
    on the arrays met here)."""
    if len(values) * 4 >= size:
        seen = np.zeros(size, dtype=bool)
        seen[values] = True
        return np.flatnonzero(seen)
    ordered = np.sort(values).astype(np.int64, copy=False)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def member_of(values: np.ndarray, wanted: np.ndarray, size: int) -> np.ndarray:
    """Which of ``values`` (ids in ``[0, size)``) are in ``wanted`` (a look-up table when
    the values are many, else a binary search in the sorted ``wanted``)."""
    if len(values) * 4 >= size:
        table = np.zeros(size, dtype=bool)
        table[wanted] = True
        found: np.ndarray = table[values]
        return found
    ordered = np.sort(wanted)
    pos = ordered.searchsorted(values)
    np.minimum(pos, len(ordered) - 1, out=pos)
    present: np.ndarray = ordered[pos] == values
    return present


def extra_floors(floor: float, extra: int) -> list[float | None]:
    """Floors to try in turn for ``floor`` and ``extra`` names under it (``None``: all names)."""
    if not _ENABLED[0]:
        return [None]
    if not extra:
        return [floor]
    return [floor - step for step in EXTRA_STEPS if floor - step > 0] + [None]


class _Probe:
    """What pruning needs from an index, built once per index on first use."""

    def __init__(self, index: MatchIndex) -> None:
        postings = index.postings
        count = len(index.name_record)
        vid_of = np.repeat(
            np.arange(len(postings.offsets) - 1, dtype=np.int32), np.diff(postings.offsets)
        )
        order = np.argsort(postings.data, kind="stable")
        offsets = np.zeros(count + 1, dtype=np.int64)
        np.cumsum(np.bincount(postings.data, minlength=count), out=offsets[1:])
        self.name_vids = (vid_of[order], offsets)  # each name's vocabulary ids
        self.name_span_weights = index.posting_weights[order]  # ... and their spans' weights
        with_initials = index.name_slack > 0.0
        self.slack = 0.0 if with_initials.all() else float(index.name_slack[~with_initials].max())
        # The postings of names with initials only: a small index, probed for every word.
        kept = with_initials[postings.data]
        self.initials_postings = (
            postings.data[kept],
            np.concatenate(([0], np.cumsum(kept, dtype=np.int64)))[postings.offsets],
        )
        schema_ids, schemata = index.record_schemata()
        lam = np.asarray([alignment.lambda_of(schema_kind(s)) for s in schemata])
        self.name_lambda = lam[schema_ids][index.name_record]  # each name's record's LAMBDA


def _probe(index: MatchIndex) -> _Probe:
    probe = index.__dict__.get("_prune_probe")
    if probe is None:
        probe = index.__dict__["_prune_probe"] = _Probe(index)
    return probe


def _optional_tokens(
    index: MatchIndex,
    found: list[tuple[int, int, np.ndarray]],
    token_bound: np.ndarray,
    room: float,
) -> set[int]:
    """Query tokens whose bounds sum under ``room``, the most common first (greedy)."""
    offsets = index.postings.offsets
    cost = [0] * len(token_bound)
    for start, end, vids in found:
        postings = int((offsets[vids + 1] - offsets[vids]).sum())
        for i in range(start, end):
            cost[i] += postings
    optional: set[int] = set()
    used = 0.0
    for i in sorted(range(len(cost)), key=lambda i: -cost[i]):
        if cost[i] and used + float(token_bound[i]) < room:
            optional.add(i)
            used += float(token_bound[i])
    return optional


def pruned_pairs(
    index: MatchIndex,
    found: list[tuple[int, int, np.ndarray]],
    token_bound: np.ndarray,
    initials: float,
    total: float,
    floor: float,
) -> np.ndarray | None:
    """Sorted ``name * size + token`` pairs of every name that may reach ``floor``
    (and of some that cannot), or None when pruning would spare nothing.

    ``found`` holds each query span aligning with the vocabulary: its first and
    end token and the vocabulary ids it aligns with.
    """
    if len(found) > MAX_SPANS or not _ENABLED[0]:
        return None
    probe = _probe(index)
    room = (floor - MARGIN) * total - initials - probe.slack
    optional = _optional_tokens(index, found, token_bound, room)
    if not optional:
        return None
    essential = [vids for s, e, vids in found if any(i not in optional for i in range(s, e))]
    parts = [index._names_of(vids) for vids in essential]
    optional_vids = [vids for s, e, vids in found if all(i in optional for i in range(s, e))]
    parts.extend(gather(*probe.initials_postings, vids)[0] for vids in optional_vids)
    names = unique_ids(np.concatenate(parts), len(index.name_record))
    vids_of, lengths = gather(*probe.name_vids, names)
    seg = np.zeros(len(names), dtype=np.int64)
    np.cumsum(lengths[:-1], out=seg[1:])
    size = len(token_bound)
    touched = np.zeros((len(names), size), dtype=bool)
    for start, end, vids in found:
        member = member_of(vids_of, vids, len(index.vocab))
        hit = np.logical_or.reduceat(member, seg) if len(seg) else seg > 0
        touched[:, start:end] |= hit[:, None]
    cells = np.flatnonzero(touched)
    return names[cells // size] * size + cells % size


def tight_bounds(
    index: MatchIndex, query: Record, ids: np.ndarray, bounds: np.ndarray
) -> np.ndarray:
    """Bounds of the listed names ``ids`` (index name ids) at most ``bounds``, closer to
    their scores: what top-k ranking (:func:`finder.best_candidates`) orders and stops by.

    ``bounds`` are the index's (each query word meets its most similar listed word).
    Per query name, three more facts of :func:`alignment.align_score` bound the score
    of each listed name:

    * each listed word aligns once: the numerator is at most the sum, over the
      listed name's words, of the best similarity times query weight it may meet;
    * its words that meet no query word are not given, and weigh in the
      denominator at least ``LAMBDA`` (:func:`alignment.lambda_of` its record's kind)
      times their weight;
    * a name that meets no distinctive query word is capped at :data:`alignment.WEAK_CAP`
      (a listed initial may meet any word: not for names with initials).

    Query names with one-letter tokens (which may meet any listed word) keep
    the index's bounds.
    """
    forms = query.names
    if not len(ids) or any(len(t) == 1 for form in forms for t in form.tokens):
        return bounds
    probe = _probe(index)
    positions, lengths = gather_positions(probe.name_vids[1], ids)
    vids_of, weights = probe.name_vids[0][positions], probe.name_span_weights[positions]
    seg = np.zeros(len(ids), dtype=np.int64)
    np.cumsum(lengths[:-1], out=seg[1:])
    slack = index.name_slack[ids]
    lams = probe.name_lambda[ids]
    best = np.zeros(len(ids), dtype=np.float64)
    for form in forms:
        total = form.total_weight or 1.0
        met = _best_gains(index, form)
        if met is None:  # only a listed initial may meet this query name
            np.maximum(best, np.minimum(bounds, slack / total), out=best)
            continue
        found, gains, is_strong = met
        pos = np.minimum(found.searchsorted(vids_of), len(found) - 1)
        hit = found[pos] == vids_of
        numerator = np.add.reduceat(np.where(hit, gains[pos], 0.0), seg) + slack
        alignable = np.add.reduceat(np.where(hit, weights, 0.0), seg) + index.name_letters[ids]
        unmet = np.maximum(0.0, index.name_weight[ids] - alignable)
        value = np.minimum(bounds, numerator / total) * (total / (total + lams * unmet))
        if form.strong_weight > 0.0 and is_strong.any():
            touched = np.logical_or.reduceat(hit & is_strong[pos], seg)
            value = np.where(
                ~touched & (slack == 0.0), np.minimum(value, alignment.WEAK_CAP), value
            )
        np.maximum(best, value, out=best)
    result: np.ndarray = np.minimum(best, bounds)
    return result


def _best_gains(
    index: MatchIndex, form: NameForm
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The vocabulary ids some span of ``form`` aligns with (sorted), the best similarity
    times span weight each may gain, and whether a distinctive span meets it; None when
    no span meets any."""
    vid_parts, gain_parts, strong_parts = [], [], []
    for start, end, text in form.spans:
        if len(text) < 2:
            continue
        vids, sims = index.similar_ids(text, end - start == 2)
        if not len(vids):
            continue
        weights = form.weights[start:end]
        vid_parts.append(vids)
        gain_parts.append(sims * sum(weights))
        strong_parts.append(np.full(len(vids), max(weights) >= STRONG))
    if not vid_parts:
        return None
    vids = np.concatenate(vid_parts)
    order = np.argsort(vids, kind="stable")
    vids = vids[order]
    first = np.ones(len(vids), dtype=bool)
    np.not_equal(vids[1:], vids[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    gains = np.maximum.reduceat(np.concatenate(gain_parts)[order], starts)
    strong = np.logical_or.reduceat(np.concatenate(strong_parts)[order], starts)
    return vids[starts], gains, strong
