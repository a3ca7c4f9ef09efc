"""The candidates of one query: records whose names may reach the floor, kept as arrays.

The index finds a hundred or so candidate records per query; top-k ranking
(:func:`finder.best_candidates`) scores a handful of them. :class:`CandidateSet`
keeps what ranking needs (each candidate's record, its names' ids and bounds) in
NumPy arrays, and makes a :class:`Candidate` only for the records that are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .forms import NameForm
from .score import Record

if TYPE_CHECKING:
    from .index import MatchIndex

__all__ = ["Candidate", "CandidateSet"]


@dataclass
class Candidate:
    """A record whose names may reach the floor, and which of its names to align."""

    record: Record
    names: list[NameForm]
    bound: float
    name_bounds: list[float] = field(default_factory=list)  # one per name (when known)
    name_ids: list[int] = field(default_factory=list)  # the index's ids of those names


class CandidateSet:
    """Candidates in the index's order: records found by their names (ascending record
    index), then records found by an identifier only.

    A record found by its names has the slice ``starts[i]:ends[i]`` of ``name_ids``
    and ``name_bounds`` (its names that may reach the floor); a record found by an
    identifier is a candidate with every name and a bound of 1.0, and no slice
    (``named[i]`` is False), even when its names found it too.
    """

    __slots__ = ("index", "rec", "named", "groups", "starts", "ends", "name_ids", "name_bounds")

    def __init__(
        self,
        index: MatchIndex,
        name_ids: np.ndarray,
        name_bounds: np.ndarray,
        keeps: Callable[[Record], bool],
        identified: Iterable[int],
    ) -> None:
        """``name_ids``/``name_bounds``: the kept names, sorted by record; ``keeps`` says
        which records' schemata the query may match; ``identified``: the in-scope records
        found by an identifier, in the order found."""
        self.index = index
        recs = index.name_record[name_ids]
        cuts = np.flatnonzero(recs[1:] != recs[:-1]) + 1
        starts = [0, *cuts.tolist()] if len(name_ids) else []
        ends = [*cuts.tolist(), len(name_ids)] if len(name_ids) else []
        records = index.records
        compatible: dict[str, bool] = {}
        rec: list[int] = []
        ok_groups: list[bool] = []
        for rec_idx in recs[starts].tolist():
            schema = records[rec_idx].schema
            ok = compatible.get(schema)
            if ok is None:
                ok = compatible[schema] = keeps(records[rec_idx])
            ok_groups.append(ok)
            if ok:
                rec.append(rec_idx)
        if not all(ok_groups):  # keep the names of compatible records only
            sizes = np.asarray(ends, dtype=np.int64) - np.asarray(starts, dtype=np.int64)
            kept = np.repeat(np.asarray(ok_groups, dtype=bool), sizes)
            name_ids, name_bounds = name_ids[kept], name_bounds[kept]
            lengths = sizes[np.asarray(ok_groups, dtype=bool)]
            ends = np.cumsum(lengths).tolist()
            starts = [0, *ends[:-1]] if ends else []
        self.name_ids = name_ids
        self.name_bounds = name_bounds
        self.starts: list[int] = list(starts)
        self.ends: list[int] = list(ends)
        self.groups = len(rec)  # the candidates found by their names come first
        named = [True] * len(rec)
        position = {rec_idx: i for i, rec_idx in enumerate(rec)}
        for rec_idx in identified:
            if not keeps(records[rec_idx]):
                continue
            i = position.get(rec_idx)
            if i is None:
                position[rec_idx] = len(rec)
                rec.append(rec_idx)
                named.append(False)
                self.starts.append(0)
                self.ends.append(0)
            else:
                named[i] = False
        self.rec = rec
        self.named = named

    def __len__(self) -> int:
        return len(self.rec)

    def bounds(self) -> list[float]:
        """Each candidate's bound: its best name's, or 1.0 (found by an identifier)."""
        best = self._max_per_candidate(self.name_bounds)
        return [b if ok else 1.0 for b, ok in zip(best, self.named, strict=True)]

    def _max_per_candidate(self, values: np.ndarray) -> list[float]:
        """The largest of ``values`` (one per kept name) in each candidate's slice."""
        best: list[float] = []
        if len(values) and self.groups:
            best = np.maximum.reduceat(values, self.starts[: self.groups]).tolist()
        return best + [0.0] * (len(self.rec) - self.groups)

    def named_slices(self) -> tuple[np.ndarray, list[int]]:
        """The name ids of the candidates found by their names (in order), and the
        number of names of each such candidate."""
        pick = [i for i, ok in enumerate(self.named) if ok]
        if all(self.named):  # every candidate found by its names: all the names
            return self.name_ids, [self.ends[i] - self.starts[i] for i in pick]
        parts = [self.name_ids[self.starts[i] : self.ends[i]] for i in pick]
        ids = np.concatenate(parts) if parts else self.name_ids[:0]
        return ids, [self.ends[i] - self.starts[i] for i in pick]

    def record(self, i: int) -> Record:
        return self.index.records[self.rec[i]]

    def candidate(self, i: int) -> Candidate:
        """The :class:`Candidate` of entry ``i``."""
        record = self.record(i)
        if not self.named[i]:
            return Candidate(record, list(record.names), 1.0)
        start, end = self.starts[i], self.ends[i]
        ids = self.name_ids[start:end].tolist()
        bounds = self.name_bounds[start:end].tolist()
        names = self.index.names
        return Candidate(record, [names[n] for n in ids], max(bounds), bounds, ids)

    def all(self) -> list[Candidate]:
        return [self.candidate(i) for i in range(len(self.rec))]
