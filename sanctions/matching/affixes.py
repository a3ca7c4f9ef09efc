"""The vocabulary sorted forwards and backwards, length by length: entries by prefix and suffix.

A string ``k`` edits at most from a token (insertions, deletions, substitutions) keeps
one of any ``k + 1`` pieces the token is cut into whole: the first piece whole is its
prefix, the last piece whole its suffix (an inner piece whole is somewhere inside it,
:meth:`MatchIndex._joined_candidates`). So the entries ``k`` edits away from a token are
among those that begin with its first piece, end with its last, or hold an inner one:
bisections in the vocabulary sorted forwards and sorted read backwards, each sorted
within its lengths. The index looks up a joined pair of words this way (the scorer
accepts a few edits at most there, :data:`similarity.JOINED_MIN`) and verifies the
entries as it verifies the q-gram candidates, so the aligned entries are the same; the
look-up spares the count over every bigram's postings.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

_LAST_CHAR = "\U0010ffff"  # after every character: ``prefix + _LAST_CHAR`` ends its range


def split_pieces(token: str, count: int) -> list[str]:
    """``token`` cut into ``count`` pieces of nearly equal length (the later ones longer)."""
    size = len(token)
    return [token[size * i // count : size * (i + 1) // count] for i in range(count)]


class AffixTable:
    """The vocabulary sorted by (length, text), forwards and read backwards, with the ranks
    of its entries (their order by length, then id: :attr:`MatchIndex.rank_vid`): the
    entries of one length hold the same range of positions as of ranks (``len_start``)."""

    def __init__(self, vocab: Sequence[str], rank_vid: np.ndarray, len_start: np.ndarray) -> None:
        vid_rank = np.empty(len(rank_vid), dtype=np.int64)
        vid_rank[rank_vid] = np.arange(len(rank_vid))
        self.rank_vid: list[int] = rank_vid.tolist()
        self.vid_rank: list[int] = vid_rank.tolist()
        self.start: list[int] = len_start.tolist()
        self.sides: list[tuple[list[str], list[int]]] = []
        for texts in (list(vocab), [text[::-1] for text in vocab]):
            order = sorted(range(len(texts)), key=lambda vid: (len(texts[vid]), texts[vid]))
            self.sides.append(([texts[i] for i in order], vid_rank[order].tolist()))

    def affix_ranks(self, affix: str, backward: bool, low: int, high: int) -> list[int]:
        """Ranks of the entries of ``low`` to ``high`` letters that begin with ``affix`` (or
        end with it, ``backward``)."""
        texts, ranks = self.sides[backward]
        if backward:
            affix = affix[::-1]
        start, found = self.start, []
        for n in range(max(low, len(affix)), min(high, len(start) - 2) + 1):
            lo = bisect_left(texts, affix, start[n], start[n + 1])
            hi = bisect_left(texts, affix + _LAST_CHAR, lo, start[n + 1])
            found.extend(ranks[lo:hi])
        return found


def one_deletions(token: str) -> set[str]:
    """``token`` and every string one letter shorter that it holds in order."""
    return {token, *(token[:i] + token[i + 1 :] for i in range(len(token)))}


class DeletionTable:
    """The entries of some lengths under the hash of each of :func:`one_deletions`: two
    strings one edit apart at most (an insertion, a deletion or a substitution) share one
    of their deletions (symmetric deletion), so the entries one edit from a token are among
    those sharing a hash with it. Hashes are this process's (never kept on disk)."""

    def __init__(self, vocab: Sequence[str], lengths: range) -> None:
        hashes: list[int] = []
        vids: list[int] = []
        for vid, text in enumerate(vocab):
            if len(text) in lengths:
                keys = one_deletions(text)
                hashes.extend(map(hash, keys))
                vids.extend([vid] * len(keys))
        found = np.asarray(hashes, dtype=np.int64)
        order = np.argsort(found, kind="stable")
        self.hashes = found[order]
        self.vids = np.asarray(vids, dtype=np.int32)[order]

    def near(self, token: str) -> list[int]:
        """Ids of the entries sharing a deletion's hash with ``token`` (every entry one edit
        away at most, and maybe a few more)."""
        keys = np.fromiter(map(hash, one_deletions(token)), dtype=np.int64)
        low = self.hashes.searchsorted(keys).tolist()
        high = self.hashes.searchsorted(keys, "right").tolist()
        found: list[int] = []
        for lo, hi in zip(low, high, strict=True):
            if hi > lo:
                found.extend(self.vids[lo:hi].tolist())
        return found
