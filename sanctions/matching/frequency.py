"""How common each word of the listed names is: one table over every list, shared by all scorers.

A name agreement made only of common words ("Lee", "Wang", "Samuel", "Mohammed")
says less than one made of a rare word ("Ryabkov"): thousands of ordinary
people share it. :class:`TokenFrequency` counts, for every folded token of
2+ letters, how many listed records carry it in any of their names (a record
with twenty aliases counts once), over every dataset's current version.

The table is built with the full index (:func:`sanctions.matching.load_index`),
cached beside it, and handed to every other scorer so that a pair scores the
same everywhere:

* the full index scores with the table of its own records;
* a small index (the watch delta run's index over the changed entities) is
  given the full table (:func:`sanctions.matching.load_frequencies`) instead
  of counting its few records;
* the pair scorer without an index (:func:`sanctions.matching.compare_records`
  of the public API, coordination, payments) uses the table made
  :func:`active` by the last full index loaded in the process (or one passed
  explicitly).

The table is a plain dict built in a fixed order from the records: the same
versions give the same table (its :attr:`TokenFrequency.digest` says so),
and a look-up is one dict access.

How the scorer uses it is in :mod:`.alignment` (:func:`alignment.align_score`):
:meth:`TokenFrequency.commonness` grades a token from 0 (rare) to 1 (at least
:data:`COMMON_COUNT` records carry it), on a log scale.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .score import Record

__all__ = [
    "COMMON_COUNT",
    "RARE_COUNT",
    "TokenFrequency",
    "EMPTY",
    "active",
    "activate",
]

RARE_COUNT = 10  # a token on at most this many records is rare: commonness 0
COMMON_COUNT = 80  # a token on this many records or more is common: commonness 1


class TokenFrequency:
    """Records per folded token over all listed names, with each token's commonness."""

    __slots__ = ("counts", "records", "_common", "digest")

    def __init__(self, counts: Mapping[str, int], records: int) -> None:
        self.counts = dict(sorted(counts.items()))
        self.records = records
        span = math.log(COMMON_COUNT / RARE_COUNT)
        self._common = {
            token: min(1.0, math.log(count / RARE_COUNT) / span)
            for token, count in self.counts.items()
            if count > RARE_COUNT
        }
        text = "\n".join(f"{t}\t{c}" for t, c in self.counts.items())
        self.digest = hashlib.sha256(f"{records}\n{text}".encode()).hexdigest()[:16]

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> TokenFrequency:
        """Count the records carrying each token of 2+ letters in any of their names."""
        counts: Counter[str] = Counter()
        total = 0
        for record in records:
            total += 1
            counts.update({t for form in record.names for t in form.tokens if len(t) > 1})
        return cls(counts, total)

    def commonness(self, token: str) -> float:
        """0 for a rare (or unknown) token, 1 for a common one, log-graded between."""
        return self._common.get(token, 0.0)

    def count(self, token: str) -> int:
        """How many listed records carry this token."""
        return self.counts.get(token, 0)

    def __len__(self) -> int:
        return len(self.counts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TokenFrequency) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __getstate__(self) -> tuple[dict[str, int], int]:
        return self.counts, self.records

    def __setstate__(self, state: tuple[dict[str, int], int]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"TokenFrequency({len(self.counts)} tokens, {self.records} records, {self.digest})"


EMPTY = TokenFrequency({}, 0)
_ACTIVE: list[TokenFrequency] = [EMPTY]


def active() -> TokenFrequency:
    """The table of the last full index loaded in this process (:data:`EMPTY` before one)."""
    return _ACTIVE[0]


def activate(table: TokenFrequency) -> TokenFrequency:
    """Make ``table`` the one pair scorers without an index use; returns the previous one."""
    previous = _ACTIVE[0]
    _ACTIVE[0] = table
    return previous


# Listed words not given cost up to (1 + this) times more when the words that agree are
# common: "Luis Hernandez" meeting "HERNANDEZ ZEA, Luis Antonio". By the kind of the
# listed party (:func:`forms.schema_kind`); not for organisations, whose names customers
# give short (the distinctive words without the listed generic ones). Only when every
# distinctive query word was found: a word not found already costs its full weight.
COMMON_LAMBDA = {"person": 3.0, "org": 0.0, "any": 3.0}


def agreement_commonness(
    table: TokenFrequency,
    chosen: Iterable[tuple[tuple[int, int, str], tuple[int, int, str], float]],
    weights: tuple[float, ...],
    strong: float,
) -> float:
    """How common the listed words are that a query's distinctive words met (0 to 1).

    The mean :meth:`TokenFrequency.commonness` of the listed side of each
    aligned pair whose query token weighs at least ``strong``, weighted by the
    query token's weight times the pair's similarity.
    """
    num = den = 0.0
    for qs, cs, sim in chosen:
        weight = max(weights[qs[0] : qs[1]])
        if weight < strong:
            continue
        share = weight * sim
        num += share * table.commonness(cs[2])
        den += share
    return num / den if den > 0.0 else 0.0
