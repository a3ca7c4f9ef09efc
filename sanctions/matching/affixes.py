"""The vocabulary sorted forwards and backwards: every entry one edit from a token.

A string one edit away from a token (an insertion, deletion or substitution) keeps one
half of the token whole, at its own end: the edit falls in the other half. So the entries
one edit away are among those that begin with the token's first half or end with its
second half, two bisections in the vocabulary sorted forwards and sorted read backwards.
The index looks up a joined pair of words this way where the scorer accepts one edit at
most (:data:`similarity.JOINED_MIN`), and verifies the entries as it verifies the q-gram
candidates, so the aligned entries are the same; the look-up spares the count over every
bigram's postings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

_LAST_CHAR = "\U0010ffff"  # after every character: ``prefix + _LAST_CHAR`` ends its range


class AffixTable:
    """The vocabulary sorted forwards and backwards with the ranks of its entries (their
    order by length, then id: :attr:`MatchIndex.rank_vid`)."""

    def __init__(self, vocab: Sequence[str], rank_vid: np.ndarray) -> None:
        vid_rank = np.empty(len(rank_vid), dtype=np.int64)
        vid_rank[rank_vid] = np.arange(len(rank_vid))
        self.sides: list[tuple[list[str], np.ndarray]] = []
        for texts in (list(vocab), [text[::-1] for text in vocab]):
            order = sorted(range(len(texts)), key=texts.__getitem__)
            self.sides.append(([texts[i] for i in order], vid_rank[order]))

    def one_edit_ranks(self, token: str, rank_len: np.ndarray, low: int, high: int) -> np.ndarray:
        """Sorted ranks of the entries of ``low`` to ``high`` letters that begin with the
        first half of ``token`` or end with its second half: every
        entry one edit away, and some more."""
        half = len(token) // 2
        affixes = (token[:half], token[half:][::-1])
        parts = []
        for (texts, ranks), affix in zip(self.sides, affixes, strict=True):
            lo = bisect_left(texts, affix)
            parts.append(ranks[lo : bisect_left(texts, affix + _LAST_CHAR, lo)])
        found = np.concatenate(parts)
        lengths = rank_len[found]
        return np.unique(found[(lengths >= low) & (lengths <= high)])
