"""The vocabulary sorted forwards and backwards, length by length: entries by prefix and suffix.

A string ``k`` edits at most from a token (insertions, deletions, substitutions) keeps
one of any ``k + 1`` pieces the token is cut into whole: the first piece whole is its
prefix, the last piece whole its suffix (an inner piece whole is somewhere inside it,
:meth:`MatchIndex._joined_candidates`). So the entries ``k`` edits away from a token are
among those that begin with its first piece, end with its last, or hold an inner one:
bisections in the vocabulary sorted forwards and sorted read backwards, each sorted
within its lengths. Entries one edit away share a one-letter deletion with the token
(:class:`DeletionTable`). The index looks up a joined pair of words this way (the
scorer accepts a few edits at most there, :data:`similarity.JOINED_MIN`) and verifies
the entries as it verifies the q-gram candidates, so the aligned entries are the same;
the look-up spares the count over every bigram's postings.
"""

from __future__ import annotations

import zlib
from bisect import bisect_left
from collections.abc import Sequence

import numpy as np

_LAST_CHAR = "\U0010ffff"  # after every character: ``prefix + _LAST_CHAR`` ends its range


def split_pieces(token: str, count: int) -> list[str]:
    """``token`` cut into ``count`` pieces of nearly equal length (the later ones longer)."""
    size = len(token)
    return [token[size * i // count : size * (i + 1) // count] for i in range(count)]


class AffixTable:
    """The vocabulary's ids sorted by (length, text), forwards and read backwards (kept with
    the index: small arrays, and the index's own vocabulary, pickled once with it). The
    entries of one length take the same range of positions as of ranks (their order by
    length, then id: ``len_start``), so a bisection within that range finds the entries
    of that length with a prefix (or suffix)."""

    def __init__(self, vocab: Sequence[str], len_start: np.ndarray) -> None:
        self.vocab = vocab
        self.start = len_start
        self.orders = []
        for texts in (vocab, [text[::-1] for text in vocab]):
            order = sorted(range(len(texts)), key=lambda vid: (len(texts[vid]), texts[vid]))
            self.orders.append(np.asarray(order, dtype=np.int32))

    def __getstate__(self) -> dict[str, object]:
        return {"vocab": self.vocab, "start": self.start, "orders": self.orders}

    def _sorted(self) -> tuple[list[int], list[tuple[list[str], list[int]]]]:
        """Length starts, and each side's texts (read backwards for suffixes) and ids in
        their sorted order as Python lists (bisected in a query's loop): made once per
        process from the kept orders, without sorting again."""
        found = self.__dict__.get("_as_lists")
        if found is None:
            vocab = self.vocab
            forward, backward = (order.tolist() for order in self.orders)
            sides = [
                ([vocab[vid] for vid in forward], forward),
                ([vocab[vid][::-1] for vid in backward], backward),
            ]
            found = self.__dict__["_as_lists"] = (self.start.tolist(), sides)
        return found

    def affix_ids(self, affix: str, backward: bool, low: int, high: int) -> list[int]:
        """Ids of the entries of ``low`` to ``high`` letters that begin with ``affix`` (or end
        with it, ``backward``)."""
        start, sides = self._sorted()
        texts, ids = sides[backward]
        if backward:
            affix = affix[::-1]
        found: list[int] = []
        for n in range(max(low, len(affix)), min(high, len(start) - 2) + 1):
            lo = bisect_left(texts, affix, start[n], start[n + 1])
            hi = bisect_left(texts, affix + _LAST_CHAR, lo, start[n + 1])
            found.extend(ids[lo:hi])
        return found


def one_deletions(token: str) -> set[str]:
    """``token`` and every string one letter shorter that it holds in order."""
    return {token, *(token[:i] + token[i + 1 :] for i in range(len(token)))}


def _key(text: str) -> int:
    """A hash of a string that is the same in every process (kept with the index)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class DeletionTable:
    """The entries of some lengths under a hash of each of :func:`one_deletions`: two
    strings one edit apart at most (an insertion, a deletion or a substitution) share one
    of their deletions (symmetric deletion), so the entries one edit from a token are among
    those sharing a hash with it (a hash shared by chance adds an entry to verify)."""

    def __init__(self, vocab: Sequence[str], lengths: range) -> None:
        hashes: list[int] = []
        vids: list[int] = []
        for vid, text in enumerate(vocab):
            if len(text) in lengths:
                keys = one_deletions(text)
                hashes.extend(map(_key, keys))
                vids.extend([vid] * len(keys))
        found = np.asarray(hashes, dtype=np.int64)
        order = np.argsort(found, kind="stable")
        self.hashes = found[order]
        self.vids = np.asarray(vids, dtype=np.int32)[order]

    def near(self, token: str) -> list[int]:
        """Ids of the entries sharing a deletion's hash with ``token`` (every entry one edit
        away at most, and maybe a few more)."""
        keys = np.fromiter(map(_key, one_deletions(token)), dtype=np.int64)
        low = self.hashes.searchsorted(keys).tolist()
        high = self.hashes.searchsorted(keys, "right").tolist()
        found: list[int] = []
        for lo, hi in zip(low, high, strict=True):
            if hi > lo:
                found.extend(self.vids[lo:hi].tolist())
        return found
