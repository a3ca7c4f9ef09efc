"""The candidates of one query: records whose names may reach the floor, kept as arrays.

The index finds a hundred or so candidate records per query; top-k ranking
(:func:`finder.best_candidates`) scores a handful of them. :class:`CandidateSet`
keeps what ranking needs (each candidate's record, its names' ids and bounds) in
NumPy arrays, and makes a :class:`Candidate` only for the records that are scored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .forms import NameForm
from .prune import gather_positions
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
        keeps: Callable[[str], bool],
        identified: Sequence[int],
    ) -> None:
        """``name_ids``/``name_bounds``: the kept names, sorted by record; ``keeps`` says
        which schemata the query may match; ``identified``: the in-scope records
        found by an identifier, in the order found."""
        self.index = index
        recs = index.name_record[name_ids]
        first = np.ones(len(recs), dtype=bool)
        np.not_equal(recs[1:], recs[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        schema_ids, schemata = index.record_schemata()
        compatible = np.zeros(len(schemata), dtype=bool)
        for number, schema in enumerate(schemata):
            compatible[number] = keeps(schema)
        group_rec = recs[starts]
        ok_groups = compatible[schema_ids[group_rec]]
        sizes = np.diff(np.append(starts, len(recs)))
        if not ok_groups.all():  # keep the names of compatible records only
            kept = np.repeat(ok_groups, sizes)
            name_ids, name_bounds = name_ids[kept], name_bounds[kept]
            sizes, group_rec = sizes[ok_groups], group_rec[ok_groups]
        ends = np.cumsum(sizes)
        self.name_ids = name_ids
        self.name_bounds = name_bounds
        self.starts: list[int] = (ends - sizes).tolist()
        self.ends: list[int] = ends.tolist()
        rec: list[int] = group_rec.tolist()
        self.groups = len(rec)  # the candidates found by their names come first
        named = [True] * len(rec)
        position = {rec_idx: i for i, rec_idx in enumerate(rec)} if identified else {}
        for rec_idx in identified:
            if not compatible[schema_ids[rec_idx]]:
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

    def named_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The name ids and bounds (float64) of the candidates found by their names (in
        order), and where each such candidate's names begin in them."""
        if all(self.named):  # every candidate found by its names: all the names
            starts = np.asarray(self.starts, dtype=np.int64)
            return self.name_ids, self.name_bounds.astype(np.float64), starts
        # the candidates found by their names and an identifier too lose their slice
        pick = np.asarray(
            [i for i, ok in enumerate(self.named[: self.groups]) if ok], dtype=np.int64
        )
        offsets = np.asarray(
            self.starts[: self.groups] + self.ends[self.groups - 1 : self.groups][:1],
            dtype=np.int64,
        )
        rows, sizes = gather_positions(offsets, pick)
        starts = np.cumsum(sizes) - sizes
        return self.name_ids[rows], self.name_bounds[rows].astype(np.float64), starts

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
