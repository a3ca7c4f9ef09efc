"""The in-memory index over every name variant of the current list versions.

Candidate generation (blocking) is kept apart from scoring. Every token of
every name (and every pair of adjacent tokens, joined) is a vocabulary entry.
A query token finds the vocabulary entries it may align with through three
blocks: character bigrams (a q-gram count filter that is exact for the edit
distances the scorer accepts), the phonetic key, and the squeezed form
(doubled letters collapsed). Each found entry is verified with
:func:`similarity.token_similarity`, so the index knows every token pair the scorer
would align, and nothing else. From those, an upper bound of every touched
name's score prunes the names that cannot reach the floor; only the rest are
aligned and scored. A naive exhaustive scan finds the same matches (tested).

The prepared records of each dataset version are cached on disk
(``SANCTIONS_INDEX_CACHE``, default ``<data dir>/index-cache``), keyed by the
version's content hash: a new process loads them instead of normalising every
name again, and a new version of one dataset re-prepares that dataset only.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sanctions.cache import gc_paused, read_cache, write_cache
from sanctions.model import Entity
from sanctions.store.contract import EntitySource

from . import prune
from .affixes import AffixTable, DeletionTable, split_pieces
from .alignment import IndexedRows
from .bounds import candidate_initial_slack, query_initial_weight
from .candidates import Candidate, CandidateSet
from .forms import NameForm
from .frequency import TokenFrequency, activate
from .normalise import (
    consonant_key,
    given_name_forms,
    has_vowel,
    name_symbols,
    phonetic_key,
    remember_symbols,
    squeeze,
)
from .scope import Scope
from .score import Record, record_from_entity, schemata_compatible
from .similarity import (
    ABD_FORMS,
    ABJAD_KEY_MIN,
    GIVEN_NAME_SIMILARITY,
    JOINED_MIN,
    PHONETIC_MIN,
    TOKEN_THRESHOLD,
    cutoff_similarities,
    cutoff_similarity,
    equivalent_names,
    token_similarity,
)

log = logging.getLogger(__name__)

__all__ = [
    "MatchIndex",
    "Candidate",
    "cache_dir",
    "cached_records",
    "load_records",
    "load_index",
    "load_frequencies",
    "index_key",
]


def _code_version() -> str:
    """A hash of the code and reference data that shape prepared records and the index."""
    libraries = " ".join(f"{name} {metadata.version(name)}" for name in ("rigour", "ipadic"))
    digest = hashlib.sha256(libraries.encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*.yml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


CACHE_VERSION = _code_version()
TOKEN_CACHE_SIZE = 100_000  # query words whose look-up is kept
JOINED_CACHE_SIZE = 20_000  # joined pairs of query words whose look-up is kept
SCOPE_CACHE_SIZE = 64  # distinct scopes whose record masks are kept


def cache_dir() -> Path:
    """Where prepared records are cached (``SANCTIONS_INDEX_CACHE`` or the data dir)."""
    env = os.environ.get("SANCTIONS_INDEX_CACHE")
    if env:
        path = Path(env)
    else:
        from sanctions.config import data_dir

        path = data_dir() / "index-cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def joined_max_edits(length: int) -> int:
    """The most edits between a joined pair and a token that may still align."""
    return int((1.0 - JOINED_MIN) * length + 1e-9)


@lru_cache(maxsize=256)
def joined_lengths(length: int, max_len: int) -> tuple[tuple[int, int, int], ...]:
    """The lengths of entries (``low`` to ``high``) a joined pair of ``length`` letters may
    align with, by the edits accepted (``k``, :func:`joined_max_edits`): ``(k, low, high)``."""
    groups: dict[int, list[int]] = {}
    reach = joined_max_edits(max(length, max_len))
    for other in range(max(2, length - reach), min(max_len, length + reach) + 1):
        edits = joined_max_edits(max(length, other))
        if abs(length - other) <= edits:
            groups.setdefault(edits, []).append(other)
    return tuple((edits, found[0], found[-1]) for edits, found in groups.items())


def max_edits(length: int) -> int:
    """The most edits between tokens (longer one ``length``) the scorer may still align."""
    edits = int((1.0 - TOKEN_THRESHOLD) * length + 1e-9)
    if length >= 5:
        edits = max(edits, min(2, length - 4))  # inflection: putin ~ putinas
    return edits


def bigrams(token: str) -> list[str]:
    """Padded character bigrams, each numbered by occurrence (a multiset as a set)."""
    padded = f"^{token}$"
    grams = [padded[i : i + 2] for i in range(len(padded) - 1)]
    if len(set(grams)) == len(grams):  # no repeated bigram: nothing to number
        return grams
    seen: dict[str, int] = {}
    out = []
    for gram in grams:
        n = seen.get(gram, 0)
        seen[gram] = n + 1
        out.append(f"{gram}{n}" if n else gram)
    return out


def _abjad_keys(text: str) -> list[str]:
    """Block keys of a vocabulary token for :func:`similarity.abjad_similarity`.

    A token without vowels (``a:``) is found by Latin tokens, a Latin one
    (``b:``) by tokens without vowels: under its consonant key, and without
    a leading ``l`` (the article joined: ``lfytwry`` ~ ``fitouri``).
    """
    key = consonant_key(text)
    if len(key) < ABJAD_KEY_MIN:
        return []
    side = "b" if has_vowel(text) else "a"  # (the length rules are checked on the pair)
    keys = [f"{side}:{key}"]
    if key.startswith("l") and len(key) > ABJAD_KEY_MIN:
        keys.append(f"{side}:{key[1:]}")
    return keys


class _Csr:
    """Rows of int32 ids in one flat array (compressed sparse rows): compact, fast to pickle."""

    def __init__(self, data: np.ndarray, offsets: np.ndarray) -> None:
        self.data = data
        self.offsets = offsets

    @classmethod
    def build(cls, rows: list[int], values: list[int], size: int) -> _Csr:
        row_arr = np.asarray(rows, dtype=np.int64)
        order = np.argsort(row_arr, kind="stable")
        data = np.asarray(values, dtype=np.int32)[order]
        counts = np.bincount(row_arr, minlength=size)
        offsets = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(data, offsets)

    def row(self, idx: int) -> np.ndarray:
        return self.data[self.offsets[idx] : self.offsets[idx + 1]]


# entries, their ids, the most each may score against the word (:meth:`MatchIndex.similar_ids`)
# and the largest of these
_Lookup = tuple[dict[str, float], np.ndarray, np.ndarray, float]


class _LookupCache:
    """The look-ups of query words and of joined pairs, each in a bounded LRU of its own: in
    a long file the joined pair of a row's first and last names is new at almost every row,
    and would otherwise push out the words, which come back. Emptied by :meth:`clear`;
    never pickled (a forked worker keeps its own copy)."""

    def __init__(self) -> None:
        self.words: OrderedDict[str, _Lookup] = OrderedDict()
        self.pairs: OrderedDict[str, _Lookup] = OrderedDict()

    def clear(self) -> None:
        self.words.clear()
        self.pairs.clear()


class MatchIndex:
    """Token, phonetic and bigram blocking over the names of a list of records."""

    def __init__(
        self, records: list[Record], key: str = "", frequencies: TokenFrequency | None = None
    ) -> None:
        """``frequencies``: the listed words' frequencies to score with; counted over
        ``records`` when not given (a small index is given the full index's table)."""
        started = time.perf_counter()
        with gc_paused():
            self.key = key
            self.records = records
            if frequencies is None:
                frequencies = TokenFrequency.from_records(records)
            self.frequencies = frequencies
            self.names: list[NameForm] = []
            name_record: list[int] = []
            name_initials: list[int] = []
            vocab: dict[str, int] = {}
            pair_vid: list[int] = []
            pair_name: list[int] = []
            pair_weight: list[float] = []
            for rec_idx, record in enumerate(records):
                for form in record.names:
                    name_idx = len(self.names)
                    self.names.append(form)
                    name_record.append(rec_idx)
                    name_initials.append(sum(1 for t in form.tokens if len(t) == 1))
                    for start, end, text in form.spans:
                        if len(text) > 1:
                            pair_vid.append(vocab.setdefault(text, len(vocab)))
                            pair_name.append(name_idx)
                            pair_weight.append(sum(form.weights[start:end]))
            self.name_record = np.asarray(name_record, dtype=np.int32)
            # What a listed name's one-letter tokens (not in the vocabulary) may add.
            self.name_slack = np.asarray(
                [candidate_initial_slack(n) for n in name_initials], dtype=np.float64
            )
            self.vocab = list(vocab)
            self.vocab_id = vocab
            self.postings = _Csr.build(pair_vid, pair_name, len(vocab))
            # The weight of each posting's span in its name, in the postings' order.
            order = np.argsort(np.asarray(pair_vid, dtype=np.int64), kind="stable")
            self.posting_weights = np.asarray(pair_weight, dtype=np.float64)[order]
            self.name_weight = np.asarray(
                [form.total_weight for form in self.names], dtype=np.float64
            )
            self.name_letters = np.asarray(
                [query_initial_weight(form) for form in self.names], dtype=np.float64
            )
            self._build_blocks()
            self._build_identifiers()
        self._token_cache = _LookupCache()
        self._scopes: OrderedDict[Scope, np.ndarray] = OrderedDict()
        self.build_seconds = time.perf_counter() - started

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_token_cache"] = _LookupCache()
        state.pop("_gram_cut_lists", None)
        state.pop("_rank_lists_cache", None)  # made again where needed (large to ship)
        state.pop("_record_schemata", None)
        state.pop("_prune_probe", None)  # made again on first use (prune._probe)
        state["_scopes"] = OrderedDict()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickled (from the cache): its vocabulary's symbols spare this process rigour's
        person-name tagger for every listed token (see :func:`normalise.remember_symbols`)."""
        self.__dict__.update(state)
        remember_symbols(self.symbols)

    def vocabulary_only(self) -> MatchIndex:
        """This index without its records and names: a look-up of similar tokens only
        (:meth:`similar_tokens`), small to keep and quick to read from a cache."""
        self.records = []
        self.names = []
        self.identifiers: dict[tuple[str, str], list[int]] = {}
        self._scopes = OrderedDict()
        return self

    def _build_blocks(self) -> None:
        """Bigram postings ordered by (token length, id), and the sound/squeeze/prefix blocks.

        Vocabulary entries are ranked by length (then id), so the entries of one
        length are one contiguous range of ranks and every bigram's posting list
        (ranks, ascending) can be cut to the lengths a query token may reach.
        """
        vocab = self.vocab
        lengths = np.fromiter(map(len, vocab), dtype=np.int32, count=len(vocab))
        self.max_len = int(lengths.max()) if len(vocab) else 0
        rank_vid = np.argsort(lengths, kind="stable").astype(np.int32)
        self.rank_vid = rank_vid
        self.rank_len = lengths[rank_vid]
        # len_start[n] is the first rank of a token of length n (n in 0..max_len+1).
        self.len_start = np.searchsorted(self.rank_len, np.arange(self.max_len + 2)).astype(
            np.int64
        )
        grams: dict[str, int] = {}
        gram_ids: list[int] = []
        gram_ranks: list[int] = []
        keys: dict[str, int] = {}
        key_ids: list[int] = []
        vids: list[int] = []
        self.symbols: dict[str, frozenset[str]] = {}  # name_symbols of every entry
        for rank, vid in enumerate(rank_vid.tolist()):
            token_grams = bigrams(vocab[vid])
            gram_ids.extend([grams.setdefault(g, len(grams)) for g in token_grams])
            gram_ranks.extend([rank] * len(token_grams))
        for vid, text in enumerate(vocab):
            length = len(text)
            token_keys = ["s" + squeeze(text)]
            if length >= 6:
                token_keys.append("p" + text[:-1])
                if length - 2 >= 4:
                    token_keys.append("p" + text[:-2])
            if length >= 5 and len(phon := phonetic_key(text)) >= 3:
                token_keys.append("f" + phon)
            symbols = self.symbols[text] = name_symbols(text)
            token_keys.extend("y" + symbol for symbol in symbols)
            token_keys.extend(_abjad_keys(text))
            key_ids.extend([keys.setdefault(k, len(keys)) for k in token_keys])
            vids.extend([vid] * len(token_keys))
        self.gram_keys = grams
        self.grams = _Csr.build(gram_ids, gram_ranks, len(grams))
        self.affixes = AffixTable(vocab, self.len_start)
        self.deletions = DeletionTable(vocab, self._one_edit_lengths())
        self._build_gram_cuts()
        self.block_keys = keys
        self.blocks = _Csr.build(key_ids, vids, len(keys))

    def _one_edit_lengths(self) -> range:
        """The lengths of the entries a joined pair of any length may be one edit from
        (the ``k == 1`` groups of :func:`joined_lengths`): those the deletion table holds."""
        groups = [
            (low, high)
            for length in range(2, self.max_len + 2)
            for edits, low, high in joined_lengths(length, self.max_len)
            if edits == 1
        ]
        if not groups:
            return range(0)
        return range(min(low for low, _ in groups), max(high for _, high in groups) + 1)

    def _block(self, key: str) -> np.ndarray | None:
        """Vocabulary ids of a sound (``f``), squeezed (``s``), prefix (``p``) or name (``y``) key."""
        idx = self.block_keys.get(key)
        return None if idx is None else self.blocks.row(idx)

    def _build_identifiers(self) -> None:
        ids: dict[tuple[str, str], list[int]] = defaultdict(list)
        for rec_idx, record in enumerate(self.records):
            for ident in record.identifiers:
                ids[ident].append(rec_idx)
        self.identifiers = dict(ids)

    def __len__(self) -> int:
        return len(self.records)

    # -- token look-up ---------------------------------------------------------------

    def _gram_candidates(self, token: str) -> list[int]:
        """Vocabulary ids within the edit distance the scorer accepts (q-gram count filter).

        With padded bigrams, ``k`` edits leave at least ``m + 1 - 2k`` bigrams in
        common (``m`` the longer length); one adjacent transposition leaves ``m - 2``.
        The ids come ordered by (length, id).
        """
        length = len(token)
        reach = max_edits(max(length, self.max_len))
        needs: dict[int, int] = {}  # length of a vocabulary token -> bigrams it must share
        everything = []  # lengths where the filter keeps every token (never in use)
        for other in range(max(2, length - reach), min(self.max_len, length + reach) + 1):
            longest = max(length, other)
            edits = max_edits(longest)
            if abs(length - other) > edits:
                continue
            need = longest + 1 - 2 * edits
            if other == length and 1.0 - 1.0 / longest >= TOKEN_THRESHOLD:
                need = min(need, longest - 2)  # one swap of adjacent letters
            if need <= 0:
                everything.append(other)
            else:
                needs[other] = need
        if not needs and not everything:
            return []
        ranks = self._filter_lengths(token, needs, everything)
        vids: list[int] = self.rank_vid[ranks].tolist()
        return vids

    def _joined_candidates(self, token: str) -> list[int]:
        """Vocabulary ids that may be as close to a joined pair as the scorer accepts (at
        most ``k`` edits, ``k`` by length: :func:`joined_max_edits`), ordered by (length, id).

        No edit: the pair itself. One edit: the entries sharing a one-letter deletion with
        it (:class:`.affixes.DeletionTable`). More: cut into ``k + 1`` pieces, the pair
        keeps one whole in any entry ``k`` edits away, its first piece as the entry's
        prefix, its last as the suffix, an inner one inside (the entry holds the piece's
        bigrams). The few entries found are verified with the edit distance.
        """
        affixes = self.affixes
        vids: set[int] = set()
        ranks: set[int] = set()
        for edits, low, high in joined_lengths(len(token), self.max_len):
            if edits == 0:
                if (vid := self.vocab_id.get(token)) is not None:
                    vids.add(vid)
            elif edits == 1:
                vids.update(self.deletions.near(token))
            else:
                pieces = split_pieces(token, edits + 1)
                vids.update(affixes.affix_ids(pieces[0], False, low, high))
                vids.update(affixes.affix_ids(pieces[-1], True, low, high))
                for piece in pieces[1:-1]:
                    ranks.update(self._holding(piece, low, high))
        rank_vid, vid_rank = self._rank_lists()
        vids.update(rank_vid[rank] for rank in ranks)
        return sorted(vids, key=vid_rank.__getitem__)

    def _rank_lists(self) -> tuple[list[int], list[int]]:
        """:attr:`rank_vid` and its inverse as Python lists, made once per process."""
        found = self.__dict__.get("_rank_lists_cache")
        if found is None:
            vid_rank = np.empty(len(self.rank_vid), dtype=np.int64)
            vid_rank[self.rank_vid] = np.arange(len(self.rank_vid))
            found = self.__dict__["_rank_lists_cache"] = (self.rank_vid.tolist(), vid_rank.tolist())
        return found

    def _holding(self, piece: str, low: int, high: int) -> list[int]:
        """Ranks of the entries of ``low`` to ``high`` letters holding every bigram inside
        ``piece`` (every entry that holds ``piece``, and maybe a few others)."""
        keys, data, cuts = self.gram_keys, self.grams.data, self._gram_cut_rows()
        rows = []
        for gram in bigrams(piece)[1:-1]:  # not the padded ends: the piece is inside
            idx = keys.get(gram)
            if idx is None:
                return []
            lo, hi = cuts[idx][low], cuts[idx][high + 1]
            if hi <= lo:
                return []
            rows.append(data[lo:hi])
        if not rows:
            return list(range(self.len_start[low], self.len_start[high + 1]))
        rows.sort(key=len)
        found = rows[0]
        for row in rows[1:]:
            pos = row.searchsorted(found)
            np.minimum(pos, len(row) - 1, out=pos)
            found = found[row[pos] == found]
            if not len(found):
                break
        held: list[int] = found.tolist()
        return held

    def _filter_lengths(
        self, token: str, needs: dict[int, int], everything: list[int]
    ) -> np.ndarray:
        """Ranks of the entries of the lengths in ``needs`` sharing the bigrams they need
        (:meth:`_count_filter`), and every entry of the lengths in ``everything``."""
        low = min([*needs, *everything])
        high = max([*needs, *everything])
        never = len(token) + 2  # more bigrams than the token has
        need_table = np.asarray(
            [needs.get(other, never) for other in range(low, high + 1)], dtype=np.int64
        )
        start = self.len_start
        ranks = np.empty(0, dtype=np.int64)
        if needs:
            ranks = self._count_filter(bigrams(token), low, need_table, min(needs.values()))
        if everything:
            ranks = np.union1d(
                ranks, np.concatenate([np.arange(start[n], start[n + 1]) for n in everything])
            )
        return ranks

    def _count_filter(
        self, grams: list[str], low: int, need_table: np.ndarray, need: int
    ) -> np.ndarray:
        """Ranks of tokens sharing at least as many of ``grams`` as their length needs.

        ``need_table[n - low]`` is the count a token of length ``n`` needs (from
        ``low`` on), ``need`` its minimum. When a token must share all but two
        or three of the ``r`` grams found in that range, it holds one of the
        ``r - need + 1`` rarest (pigeonhole): those give the candidates, which are
        counted in every gram's list; otherwise every posting in range is counted.
        """
        keys = self.gram_keys
        data = self.grams.data
        start = self.len_start
        first, last = int(start[low]), int(start[low + len(need_table)])
        cuts = self._gram_cut_rows()
        high = low + len(need_table)
        rows = []
        for gram in grams:
            idx = keys.get(gram)
            if idx is None:
                continue
            cut = cuts[idx]
            lo, hi = cut[low], cut[high]
            if hi > lo:
                rows.append(data[lo:hi])
        take = len(rows) - need + 1  # grams absent from the index are shared by nobody
        if take <= 0:
            return np.empty(0, dtype=np.int64)
        if take <= 2 and take < len(rows):
            rows.sort(key=len)
            ranks = rows[0] if take == 1 else prune.unique_ids(np.concatenate(rows[:take]), last)
            counts = np.zeros(len(ranks), dtype=np.int64)
            for row in rows:
                pos = row.searchsorted(ranks)
                np.minimum(pos, len(row) - 1, out=pos)
                counts += row[pos] == ranks
            kept: np.ndarray = ranks[counts >= need_table[self.rank_len[ranks] - low]]
            return kept
        counts = np.bincount(np.concatenate(rows) - first, minlength=last - first)
        found = []
        for n, need_n in enumerate(need_table.tolist(), start=low):
            lo, hi = start[n] - first, start[n + 1] - first
            if hi > lo and need_n <= len(rows):
                found.append(np.flatnonzero(counts[lo:hi] >= need_n) + (lo + first))
        return np.concatenate(found) if found else np.empty(0, dtype=np.int64)

    def _build_gram_cuts(self) -> None:
        """``gram_cuts[g][n]``: where the ranks of tokens of length ``n`` begin in gram
        ``g``'s posting row (offsets into its data), so that a query cuts a row to the
        lengths it may reach without a binary search."""
        grams, start = self.grams, self.len_start
        cuts = [
            grams.row(g).searchsorted(start) + grams.offsets[g] for g in range(len(self.gram_keys))
        ]
        self.gram_cuts = np.stack(cuts) if cuts else np.zeros((0, len(start)), dtype=np.int64)

    def _gram_cut_rows(self) -> list[list[int]]:
        """:attr:`gram_cuts` as Python lists (indexed per gram and length in a query's
        loop, where NumPy scalars cost more), made once per process."""
        rows = self.__dict__.get("_gram_cut_lists")
        if rows is None:
            rows = self.__dict__["_gram_cut_lists"] = self.gram_cuts.tolist()
        return rows

    def record_schemata(self) -> tuple[np.ndarray, list[str]]:
        """Each record's schema as a number, and the schemata so numbered (made once per
        process): candidates are told apart by schema without a look at each record."""
        found = self.__dict__.get("_record_schemata")
        if found is None:
            numbers: dict[str, int] = {}
            ids = [numbers.setdefault(record.schema, len(numbers)) for record in self.records]
            found = (np.asarray(ids, dtype=np.int32), list(numbers))
            self.__dict__["_record_schemata"] = found
        return found

    def _block_candidates(self, token: str) -> set[int]:
        """Ids that only the name, sound, doubled-letter or inflection rules may bring close."""
        found: set[int] = set()
        keys = ["s" + squeeze(token), "p" + token]
        keys.extend("y" + symbol for symbol in name_symbols(token))
        key = phonetic_key(token)
        if len(key) >= 3 and len(token) >= 5:
            keys.append("f" + key)
        for block_key in keys:
            if (ids := self._block(block_key)) is not None:
                found.update(ids.tolist())
        for cut in (1, 2):
            if len(token) - cut >= 4 and (vid := self.vocab_id.get(token[:-cut])) is not None:
                found.add(vid)
        return found

    def _abjad_candidates(self, token: str) -> set[int]:
        """Ids that :func:`similarity.abjad_similarity` may bring close (the other side's keys),
        and the other spellings of "Abd" (:data:`similarity.ABD_FORMS`)."""
        found: set[int] = set()
        if token in ABD_FORMS:
            found = {vid for form in ABD_FORMS if (vid := self.vocab_id.get(form)) is not None}
        key = consonant_key(token)
        if len(key) < ABJAD_KEY_MIN:
            return found
        side = "a" if has_vowel(token) else "b"  # look up the tokens of the other kind
        keys = [key] + ([key[1:]] if key.startswith("l") else [])
        for wanted in keys:
            if (ids := self._block(f"{side}:{wanted}")) is not None:
                found.update(ids.tolist())
        return found

    def similar_tokens(self, token: str, joined: bool = False) -> dict[str, float]:
        """Vocabulary entries the token (or joined pair) aligns with, and their similarity."""
        return self._similar(token, joined)[0]

    def similar_ids(self, token: str, joined: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """The vocabulary ids of :meth:`similar_tokens`'s entries and the most each may score
        against ``token`` (two arrays in the order of its entries: bounds are computed over
        them): its similarity, raised to :data:`similarity.GIVEN_NAME_SIMILARITY` for the
        entries that are ``token`` in another language, which alignment pairs so where both
        are given names (``david`` ~ ``dawood``: 0.795 by spelling, 0.8 as one given name).
        Both arrays are the cache's own: read them only."""
        _entries, vids, most, _top = self._similar(token, joined)
        return vids, most

    def _similar(self, token: str, joined: bool) -> _Lookup:
        """:meth:`similar_tokens`, the vocabulary ids of its entries, the most each may score
        (:meth:`similar_ids`) and the largest of these (cached: :class:`_LookupCache`)."""
        cache = self._token_cache.pairs if joined else self._token_cache.words
        cached = cache.get(token)
        if cached is not None:
            cache.move_to_end(token)
            return cached
        result: dict[str, float] = {}
        vids: list[int] = []
        forms: tuple[str, ...] = ()
        checked = self._verify_grams(token, joined, result, vids)
        if not joined:
            self._verify_blocks(token, checked, result, vids)
            # One given name in another language (giuseppe ~ joseph): aligned at
            # GIVEN_NAME_SIMILARITY where both are given names, whatever their spelling
            # (alignment._given_name_pairs): a candidate, and its bound.
            forms = given_name_forms(token)
            for text in forms:
                if text not in result and (vid := self.vocab_id.get(text)) is not None:
                    result[text] = GIVEN_NAME_SIMILARITY
                    vids.append(vid)
        most = np.fromiter(
            (
                max(sim, GIVEN_NAME_SIMILARITY) if text in forms else sim
                for text, sim in result.items()
            ),
            dtype=np.float64,
            count=len(result),
        )
        top = float(most.max()) if len(most) else 0.0
        entry = (result, np.array(vids, dtype=np.int64), most, top)
        cache[token] = entry
        if len(cache) > (JOINED_CACHE_SIZE if joined else TOKEN_CACHE_SIZE):
            cache.popitem(last=False)
        return entry

    def _verify_grams(
        self, token: str, joined: bool, result: dict[str, float], vids: list[int]
    ) -> set[int]:
        """Add the q-gram candidates that align to ``result``/``vids``; return the ids
        whose :func:`similarity.token_similarity` was computed (the other paths skip them).

        Edit distance, computed for every candidate in one call into RapidFuzz, leaves
        those at least :data:`TOKEN_THRESHOLD` alike, and those of the same length one
        swap of adjacent letters apart (``jamli`` ~ ``jamil``, lifted by the scorer).
        Every other rule that can lift a less similar token (doubled letters,
        inflection, sound, names, abjad consonants) has a block of its own
        (:meth:`_verify_blocks`), which finds it whatever its edit distance.
        """
        vocab = self.vocab
        if joined:  # joined_similarity: edit similarity of at least JOINED_MIN (few: one by one)
            for vid in self._joined_candidates(token):
                sim = cutoff_similarity(token, text := vocab[vid], JOINED_MIN)
                if sim >= TOKEN_THRESHOLD:
                    result[text] = sim
                    vids.append(vid)
            return set()
        candidates = self._gram_candidates(token)
        texts = [vocab[vid] for vid in candidates]
        swap_floor = min(TOKEN_THRESHOLD, 1.0 - 2.0 / max(len(token), 2))
        sims = cutoff_similarities(token, texts, swap_floor)
        keep = sims >= TOKEN_THRESHOLD - 1e-9
        if swap_floor < TOKEN_THRESHOLD:
            keep |= self._one_swap(token, texts, sims > 0.0)
        passed = np.flatnonzero(keep).tolist()
        checked = set()
        for i in passed:
            vid = candidates[i]
            checked.add(vid)
            if (sim := token_similarity(token, text := texts[i])) >= TOKEN_THRESHOLD:
                result[text] = sim
                vids.append(vid)
        return checked

    @staticmethod
    def _one_swap(token: str, texts: list[str], mask: np.ndarray) -> np.ndarray:
        """Which of ``texts`` (where ``mask``) are as long as ``token`` and at most one
        edit or swap of adjacent letters from it (optimal string alignment distance)."""
        same = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) == len(token)
        pick = np.flatnonzero(mask & same)
        out = np.zeros(len(texts), dtype=bool)
        if len(pick):
            dist = process.cdist(
                [token], [texts[i] for i in pick.tolist()], scorer=OSA.distance, score_cutoff=1
            )[0]
            out[pick] = dist <= 1
        return out

    def _verify_blocks(
        self, token: str, checked: set[int], result: dict[str, float], vids: list[int]
    ) -> None:
        """Add the abjad and block candidates that align (those not ``checked`` yet)."""
        vocab = self.vocab
        for vid in self._abjad_candidates(token):  # Latin ~ Arabic/Hebrew reading
            if vid in checked:
                continue
            text = vocab[vid]
            if (sim := token_similarity(token, text)) >= TOKEN_THRESHOLD:
                result[text] = sim
                vids.append(vid)
            checked.add(vid)
        # Under PHONETIC_MIN of edit similarity only equal squeezed forms or
        # equivalent names align.
        squeezed = squeeze(token)
        block = [vid for vid in self._block_candidates(token) if vid not in checked]
        texts = [vocab[vid] for vid in block]
        alike = cutoff_similarities(token, texts, PHONETIC_MIN).tolist()
        for vid, text, edit in zip(block, texts, alike, strict=True):
            if edit == 0.0 and squeeze(text) != squeezed and not equivalent_names(token, text):
                continue
            if (sim := token_similarity(token, text)) >= TOKEN_THRESHOLD:
                result[text] = sim
                vids.append(vid)

    def rows_fn(self, query: Record) -> Any:
        """Similarity rows for aligning this query: look-ups instead of computation."""
        table: dict[tuple[str, bool], dict[str, float]] = {}
        for form in query.names:
            for start, end, text in form.spans:
                joined = end - start == 2
                if len(text) >= 2 and (text, joined) not in table:
                    table[(text, joined)] = self.similar_tokens(text, joined)
        return IndexedRows(table)

    # -- candidates ------------------------------------------------------------------

    def _names_of(self, vids: np.ndarray) -> np.ndarray:
        """The names holding any of these vocabulary entries (with repeats)."""
        if len(vids) <= 4:
            row = self.postings.row
            return np.concatenate([row(vid) for vid in vids.tolist()])
        return prune.gather(self.postings.data, self.postings.offsets, vids)[0]

    def _form_bounds(
        self, form: NameForm, floor: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Names sharing an aligned token with this query name, and their score bounds.

        A name's bound adds, for every query token it may align with, the best
        similarity any vocabulary entry has with that token times the token's
        weight, what initials may add on either side, over the query's weight
        (:mod:`.bounds`: the same bound the watch prefilter uses). With a
        ``floor``, names whose bound is under it may be left out (and are, when
        that spares enumerating the names of common words: :mod:`.prune`).
        """
        total = form.total_weight or 1.0
        size = len(form.tokens)
        best = [0.0] * size
        found: list[tuple[int, int, np.ndarray]] = []
        for start, end, text in form.spans:
            if len(text) < 2:
                continue
            matches, vids, _most, top = self._similar(text, end - start == 2)
            if not matches:
                continue
            found.append((start, end, vids))
            for i in range(start, end):
                best[i] = max(best[i], top)
        if not found:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        initials = query_initial_weight(form)
        token_bound = np.array(
            [b * w for b, w in zip(best, form.weights, strict=True)], dtype=np.float32
        )
        pairs = None
        if floor is not None:
            pairs = prune.pruned_pairs(self, found, token_bound, initials, total, floor)
        if pairs is None:  # every listed name sharing a token: (name, query token) pairs
            keys: list[np.ndarray] = []
            for start, end, vids in found:
                names = self._names_of(vids) * size
                keys.extend(names + i for i in range(start, end))
            pairs = prune.unique_ids(np.concatenate(keys), len(self.name_record) * size)
        return self._pair_bounds(pairs, size, token_bound, initials, total)

    def _pair_bounds(
        self, pairs: np.ndarray, size: int, token_bound: np.ndarray, initials: float, total: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Names and bounds from sorted unique ``name * size + query token`` pairs."""
        if not len(pairs):
            return np.empty(0, np.int32), np.empty(0, np.float32)
        names = pairs // size
        first = np.ones(len(names), dtype=bool)
        first[1:] = names[1:] != names[:-1]
        starts = np.flatnonzero(first)
        sums = np.add.reduceat(token_bound[pairs % size].astype(np.float64), starts)
        names = names[starts]
        bounds = (sums + initials + self.name_slack[names]) / total
        return names.astype(np.int32), bounds.astype(np.float32)

    def name_bounds(
        self, query: Record, floor: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every name sharing an aligned token with the query, and a bound of its score
        (with a ``floor``: every such name whose bound reaches it, and maybe others)."""
        parts = [self._form_bounds(form, floor) for form in query.names]
        parts = [p for p in parts if len(p[0])]
        if not parts:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        ids = np.concatenate([p[0] for p in parts])
        bounds = np.concatenate([p[1] for p in parts])
        if len(parts) > 1:
            order = np.lexsort((-bounds, ids))
            ids, bounds = ids[order], bounds[order]
            first = np.ones(len(ids), dtype=bool)
            first[1:] = ids[1:] != ids[:-1]
            ids, bounds = ids[first], bounds[first]
        return ids, bounds

    def _scoped_bounds(
        self, query: Record, floor: float, extra: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`name_bounds` in scope: every name reaching ``floor``, and enough of the
        others that the ``extra * 4`` best of them are the same as among all names."""
        for low in prune.extra_floors(floor, extra):
            ids, bounds = self.name_bounds(query, low)
            if mask is not None:
                inside = mask[self.name_record[ids]]
                ids, bounds = ids[inside], bounds[inside]
            if low is None:
                return ids, bounds
            sure = bounds >= low  # every name above ``low`` is here (others may be too)
            if not extra or np.count_nonzero(sure & (bounds < floor)) >= extra * 4:
                return ids[sure], bounds[sure]
        raise AssertionError("extra_floors ends with None")  # pragma: no cover

    def scope_mask(self, scope: Scope | None) -> np.ndarray | None:
        """Which records are in scope (``None``: all of them); cached per scope."""
        if scope is None or scope.everything:
            return None
        mask = self._scopes.get(scope)
        if mask is None:
            mask = np.fromiter(map(scope.keeps, self.records), dtype=bool, count=len(self.records))
            self._scopes[scope] = mask
            if len(self._scopes) > SCOPE_CACHE_SIZE:
                self._scopes.popitem(last=False)
        else:
            self._scopes.move_to_end(scope)
        return mask

    def candidates(
        self, query: Record, floor: float, extra: int = 0, scope: Scope | None = None
    ) -> list[Candidate]:
        """Records in ``scope`` that may score at least ``floor`` (plus the ``extra``
        best-bound others in scope). Out-of-scope records are dropped before the
        floor and the ``extra`` are applied: they never cost scoring, and never
        take the place of an in-scope candidate."""
        return self.candidate_set(query, floor, extra, scope).all()

    def candidate_set(
        self, query: Record, floor: float, extra: int = 0, scope: Scope | None = None
    ) -> CandidateSet:
        """:meth:`candidates` as arrays: a :class:`Candidate` is made for those asked for."""
        mask = self.scope_mask(scope)
        ids, bounds = self._scoped_bounds(query, floor, extra, mask)
        keep = bounds >= floor
        if extra and (~keep).any():
            rest = np.nonzero(~keep)[0]
            top = rest[np.argsort(-bounds[rest], kind="stable")[: extra * 4]]
            keep[top] = True
        kept = ids[keep]
        kept_bounds = bounds[keep]
        # Names are numbered record by record and come sorted: one group per record.
        order = np.argsort(self.name_record[kept], kind="stable")
        identified = [
            rec_idx
            for ident in query.identifiers
            for rec_idx in self.identifiers.get(ident, ())
            if mask is None or mask[rec_idx]
        ]
        return CandidateSet(
            self,
            kept[order],
            kept_bounds[order],
            lambda schema: schemata_compatible(query.schema, schema),
            identified,
        )


# -- building from a store, with the on-disk cache ---------------------------------------


def _cache_file(dataset: str, content_hash: str) -> Path:
    return cache_dir() / f"{CACHE_VERSION}-{dataset}-{content_hash[:24]}.pickle"


def load_records(store: EntitySource, versions: Iterable[Any]) -> tuple[list[Record], str]:
    """Prepared records of the given dataset versions, from the cache or the store."""
    records: list[Record] = []
    keys = []
    for version in sorted(versions, key=lambda v: v.dataset):
        keys.append(f"{version.dataset}:{version.content_hash}")
        path = _cache_file(version.dataset, version.content_hash)
        part = _read_cache(path)
        if part is None:
            entities = store.iter_entities(version_ids=[version.id])
            part = prepare_records(entities)
            _write_cache(path, part)
        records.extend(part)
    return records, "|".join(keys)


def cached_records(version: Any) -> list[Record] | None:
    """The prepared records of one dataset version if the on-disk cache holds them (a
    screen or a server prepared them), else None: a read-only look-up that never
    prepares a record nor writes a file (what :func:`load_records` would build)."""
    part = _read_cache(_cache_file(version.dataset, version.content_hash))
    return part if isinstance(part, list) else None


def index_key(versions: Iterable[Any]) -> str:
    """The cache key of an index: the set of current version hashes."""
    return "|".join(sorted(f"{v.dataset}:{v.content_hash}" for v in versions))


def load_index(store: EntitySource, versions: list[Any]) -> MatchIndex:
    """The index over these versions: from the whole-index cache, or built (and cached).

    When one dataset has a new version, the records of the others come from
    their own caches and only the new version's entities are prepared.
    """
    key = index_key(versions)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = cache_dir() / f"{CACHE_VERSION}-index-{digest}.pickle"
    cached = _read_cache(path)
    if isinstance(cached, MatchIndex) and cached.key == key:
        activate(cached.frequencies)
        return cached
    # One process builds, the others (server workers starting together) wait and read it.
    with open(cache_dir() / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = _read_cache(path)
        if isinstance(cached, MatchIndex) and cached.key == key:
            activate(cached.frequencies)
            return cached
        records, _ = load_records(store, versions)
        index = MatchIndex(records, key)
        _write_cache(path, index)
        _write_cache(_frequency_file(key), index.frequencies)
    keep = {path.name, _frequency_file(key).name}
    _prune_cache(keep | {_cache_file(v.dataset, v.content_hash).name for v in versions})
    activate(index.frequencies)
    return index


def _frequency_file(key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    return cache_dir() / f"{CACHE_VERSION}-freq-{digest}.pickle"


def load_frequencies(store: EntitySource, versions: list[Any]) -> TokenFrequency:
    """The listed words' frequencies of the full index over these versions (cached with it).

    What a small index (the watch delta run's) scores with, so that a pair
    scores the same in a delta run as in a full one. Read from the cache the
    full index wrote, or counted over the versions' prepared records (the
    same table: :meth:`TokenFrequency.from_records` over the same records in
    the same order) and cached.
    """
    key = index_key(versions)
    path = _frequency_file(key)
    cached = _read_cache(path)
    if isinstance(cached, TokenFrequency):
        return cached
    records, _ = load_records(store, versions)
    table = TokenFrequency.from_records(records)
    _write_cache(path, table)
    return table


def _prune_cache(keep: set[str]) -> None:
    """Remove whole-index caches of other version sets (record caches are kept)."""
    for pattern in (f"{CACHE_VERSION}-index-*.pickle", f"{CACHE_VERSION}-freq-*.pickle"):
        for old in cache_dir().glob(pattern):
            if old.name not in keep:
                old.unlink(missing_ok=True)


def prepare_records(entities: Iterable[Entity]) -> list[Record]:
    """Records of the entities that have names (relations and the like are skipped)."""
    out = []
    for entity in entities:
        record = record_from_entity(entity)
        if record.names or record.identifiers:
            out.append(record)
    return out


def _read_cache(path: Path) -> Any:
    """A signed cache file's content, or None (see :mod:`sanctions.cache`)."""
    return read_cache(path, "index cache")


def _write_cache(path: Path, data: Any) -> None:
    write_cache(path, data, "index cache")
