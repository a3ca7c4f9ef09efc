"""The in-memory index over every name variant of the current list versions.

Candidate generation (blocking) is kept apart from scoring. Every token of
every name (and every pair of adjacent tokens, joined) is a vocabulary entry.
A query token finds the vocabulary entries it may align with through three
blocks: character bigrams (a q-gram count filter that is exact for the edit
distances the scorer accepts), the phonetic key, and the squeezed form
(doubled letters collapsed). Each found entry is verified with
:func:`names.token_similarity`, so the index knows every token pair the scorer
would align, and nothing else. From those, an upper bound of every touched
name's score prunes the names that cannot reach the floor; only the rest are
aligned and scored. A naive exhaustive scan finds the same matches (tested).

The prepared records of each dataset version are cached on disk
(``SANCTIONS_INDEX_CACHE``, default ``<data dir>/index-cache``), keyed by the
version's content hash: a new process loads them instead of normalising every
name again, and a new version of one dataset re-prepares that dataset only.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import time
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from sanctions.model import Entity

from .names import JOINED_MIN, TOKEN_THRESHOLD, NameForm, token_similarity
from .normalise import phonetic_key, squeeze
from .score import Record, record_from_entity, schemata_compatible

log = logging.getLogger(__name__)

__all__ = ["MatchIndex", "Candidate", "cache_dir", "load_records", "load_index", "index_key"]


def _code_version() -> str:
    """A hash of the code and reference data that shape prepared records and the index."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*.yml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


CACHE_VERSION = _code_version()
TOKEN_CACHE_SIZE = 100_000


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


def max_edits(length: int) -> int:
    """The most edits between tokens (longer one ``length``) the scorer may still align."""
    edits = int((1.0 - TOKEN_THRESHOLD) * length + 1e-9)
    if length >= 5:
        edits = max(edits, min(2, length - 4))  # inflection: putin ~ putinas
    return edits


def bigrams(token: str) -> list[str]:
    """Padded character bigrams, each numbered by occurrence (a multiset as a set)."""
    padded = f"^{token}$"
    seen: dict[str, int] = {}
    out = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        n = seen.get(gram, 0)
        seen[gram] = n + 1
        out.append(f"{gram}{n}" if n else gram)
    return out


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Building or loading millions of small objects: the cyclic GC only slows it down."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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


@dataclass
class Candidate:
    """A record whose names may reach the floor, and which of its names to align."""

    record: Record
    names: list[NameForm]
    bound: float


class MatchIndex:
    """Token, phonetic and bigram blocking over the names of a list of records."""

    def __init__(self, records: list[Record], key: str = "") -> None:
        started = time.perf_counter()
        with _gc_paused():
            self.key = key
            self.records = records
            self.names: list[NameForm] = []
            name_record: list[int] = []
            vocab: dict[str, int] = {}
            pair_vid: list[int] = []
            pair_name: list[int] = []
            for rec_idx, record in enumerate(records):
                for form in record.names:
                    name_idx = len(self.names)
                    self.names.append(form)
                    name_record.append(rec_idx)
                    for _start, _end, text in form.spans:
                        if len(text) > 1:
                            pair_vid.append(vocab.setdefault(text, len(vocab)))
                            pair_name.append(name_idx)
            self.name_record = np.asarray(name_record, dtype=np.int32)
            self.vocab = list(vocab)
            self.vocab_id = vocab
            self.postings = _Csr.build(pair_vid, pair_name, len(vocab))
            self._build_blocks()
            self._build_identifiers()
        self._token_cache: OrderedDict[str, dict[str, float]] = OrderedDict()
        self.build_seconds = time.perf_counter() - started

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_token_cache"] = OrderedDict()
        return state

    def _build_blocks(self) -> None:
        keys: dict[Any, int] = {}
        key_ids: list[int] = []
        vids: list[int] = []
        for vid, text in enumerate(self.vocab):
            length = len(text)
            key_ids.append(keys.setdefault(("#len", length), len(keys)))
            vids.append(vid)
            for gram in bigrams(text):
                key_ids.append(keys.setdefault((gram, length), len(keys)))
                vids.append(vid)
            if length >= 6:
                key_ids.append(keys.setdefault(("#pre", text[:-1]), len(keys)))
                vids.append(vid)
            if length >= 6 and length - 2 >= 4:
                key_ids.append(keys.setdefault(("#pre", text[:-2]), len(keys)))
                vids.append(vid)
            phon = phonetic_key(text)
            if len(phon) >= 3 and length >= 5:
                key_ids.append(keys.setdefault(("#phon", phon), len(keys)))
                vids.append(vid)
            key_ids.append(keys.setdefault(("#squeeze", squeeze(text)), len(keys)))
            vids.append(vid)
        self.block_keys = keys
        self.blocks = _Csr.build(key_ids, vids, len(keys))
        self.max_len = max((len(t) for t in self.vocab), default=0)

    def _block(self, key: Any) -> np.ndarray | None:
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

    def _gram_candidates(self, token: str, joined: bool) -> Iterator[np.ndarray]:
        """Vocabulary ids within the edit distance the scorer accepts (q-gram count filter).

        With padded bigrams, ``k`` edits leave at least ``m + 1 - 2k`` bigrams in
        common (``m`` the longer length); one adjacent transposition leaves ``m - 2``.
        """
        grams = bigrams(token)
        length = len(token)
        edit_fn = joined_max_edits if joined else max_edits
        reach = edit_fn(max(length, self.max_len))
        for other in range(max(2, length - reach), min(self.max_len, length + reach) + 1):
            longest = max(length, other)
            edits = edit_fn(longest)
            if abs(length - other) > edits:
                continue
            need = longest + 1 - 2 * edits
            if not joined and other == length and 1.0 - 1.0 / longest >= TOKEN_THRESHOLD:
                need = min(need, longest - 2)  # one swap of adjacent letters
            if need <= 0:  # every token of that length (never with the thresholds in use)
                if (everything := self._block(("#len", other))) is not None:
                    yield everything
                continue
            arrays = [a for g in grams if (a := self._block((g, other))) is not None]
            if len(arrays) < need:
                continue
            ids, counts = np.unique(np.concatenate(arrays), return_counts=True)
            yield ids[counts >= need]

    def _block_candidates(self, token: str) -> set[int]:
        """Ids that only the sound, doubled-letter or inflection rules may bring close."""
        found: set[int] = set()
        keys: list[Any] = [("#squeeze", squeeze(token)), ("#pre", token)]
        key = phonetic_key(token)
        if len(key) >= 3 and len(token) >= 5:
            keys.append(("#phon", key))
        for block_key in keys:
            if (ids := self._block(block_key)) is not None:
                found.update(ids.tolist())
        for cut in (1, 2):
            if len(token) - cut >= 4 and (vid := self.vocab_id.get(token[:-cut])) is not None:
                found.add(vid)
        return found

    def similar_tokens(self, token: str, joined: bool = False) -> dict[str, float]:
        """Vocabulary entries the token (or joined pair) aligns with, and their similarity."""
        cache_key = f"+{token}" if joined else token
        cached = self._token_cache.get(cache_key)
        if cached is not None:
            self._token_cache.move_to_end(cache_key)
            return cached
        vocab = self.vocab
        result: dict[str, float] = {}
        # A quick edit-distance check in C rejects most candidates; the rules that can
        # lift a less similar token (sound, inflection, doubled letters) have blocks.
        swap_floor = min(TOKEN_THRESHOLD, 1.0 - 2.0 / max(len(token), 2))
        quick = Levenshtein.normalized_similarity
        for ids in self._gram_candidates(token, joined):
            for vid in ids.tolist():
                text = vocab[vid]
                if joined:
                    sim = quick(token, text, score_cutoff=JOINED_MIN)
                elif quick(token, text, score_cutoff=swap_floor) == 0.0:
                    continue
                else:
                    sim = token_similarity(token, text)
                if sim >= TOKEN_THRESHOLD:
                    result[text] = sim
        if not joined:
            for vid in self._block_candidates(token):
                text = vocab[vid]
                if text not in result and (sim := token_similarity(token, text)) >= TOKEN_THRESHOLD:
                    result[text] = sim
        self._token_cache[cache_key] = result
        if len(self._token_cache) > TOKEN_CACHE_SIZE:
            self._token_cache.popitem(last=False)
        return result

    def rows_fn(self, query: Record) -> Any:
        """Similarity rows for aligning this query: look-ups instead of computation."""
        table: dict[tuple[str, bool], dict[str, float]] = {}
        for form in query.names:
            for start, end, text in form.spans:
                joined = end - start == 2
                if len(text) >= 2 and (text, joined) not in table:
                    table[(text, joined)] = self.similar_tokens(text, joined)
        empty: dict[str, float] = {}
        return lambda token, joined=False: table.get((token, joined), empty)

    # -- candidates ------------------------------------------------------------------

    def _form_bounds(self, form: NameForm) -> tuple[np.ndarray, np.ndarray]:
        total = form.total_weight or 1.0
        per_token: list[list[np.ndarray]] = [[] for _ in form.tokens]
        best = [0.0] * len(form.tokens)
        for start, end, text in form.spans:
            if len(text) < 2:
                continue
            matches = self.similar_tokens(text, end - start == 2)
            if not matches:
                continue
            arrays = [self.postings.row(self.vocab_id[text]) for text in matches]
            top = max(matches.values())
            for i in range(start, end):
                per_token[i].extend(arrays)
                best[i] = max(best[i], top)
        ids_parts, bound_parts = [], []
        initials = sum(
            0.9 * w for t, w in zip(form.tokens, form.weights, strict=True) if len(t) == 1
        )
        for i, arrays in enumerate(per_token):
            if not arrays:
                continue
            ids = np.unique(np.concatenate(arrays))
            ids_parts.append(ids)
            bound_parts.append(np.full(len(ids), best[i] * form.weights[i], dtype=np.float32))
        if not ids_parts:
            return np.empty(0, np.int32), np.empty(0, np.float32)
        ids, inverse = np.unique(np.concatenate(ids_parts), return_inverse=True)
        sums = np.bincount(inverse, weights=np.concatenate(bound_parts))
        return ids, ((sums + initials) / total).astype(np.float32)

    def name_bounds(self, query: Record) -> tuple[np.ndarray, np.ndarray]:
        """Every name sharing an aligned token with the query, and a bound of its score."""
        parts = [self._form_bounds(form) for form in query.names]
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

    def candidates(self, query: Record, floor: float, extra: int = 0) -> list[Candidate]:
        """Records that may score at least ``floor`` (plus the ``extra`` best-bound others)."""
        ids, bounds = self.name_bounds(query)
        keep = bounds >= floor
        if extra and (~keep).any():
            rest = np.nonzero(~keep)[0]
            top = rest[np.argsort(-bounds[rest], kind="stable")[: extra * 4]]
            keep[top] = True
        by_record: dict[int, Candidate] = {}
        for name_idx, bound in zip(ids[keep].tolist(), bounds[keep].tolist(), strict=True):
            rec_idx = int(self.name_record[name_idx])
            record = self.records[rec_idx]
            if not schemata_compatible(query.schema, record.schema):
                continue
            cand = by_record.get(rec_idx)
            if cand is None:
                by_record[rec_idx] = Candidate(record, [self.names[name_idx]], bound)
            else:
                cand.names.append(self.names[name_idx])
                cand.bound = max(cand.bound, bound)
        for ident in query.identifiers:
            for rec_idx in self.identifiers.get(ident, ()):
                record = self.records[rec_idx]
                if schemata_compatible(query.schema, record.schema):
                    by_record[rec_idx] = Candidate(record, list(record.names), 1.0)
        return list(by_record.values())


# -- building from a store, with the on-disk cache ---------------------------------------


def _cache_file(dataset: str, content_hash: str) -> Path:
    return cache_dir() / f"{CACHE_VERSION}-{dataset}-{content_hash[:24]}.pickle"


def load_records(store: Any, versions: Iterable[Any]) -> tuple[list[Record], str]:
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


def index_key(versions: Iterable[Any]) -> str:
    """The cache key of an index: the set of current version hashes."""
    return "|".join(sorted(f"{v.dataset}:{v.content_hash}" for v in versions))


def load_index(store: Any, versions: list[Any]) -> MatchIndex:
    """The index over these versions: from the whole-index cache, or built (and cached).

    When one dataset has a new version, the records of the others come from
    their own caches and only the new version's entities are prepared.
    """
    key = index_key(versions)
    digest = hashlib.sha256(key.encode()).hexdigest()[:24]
    path = cache_dir() / f"{CACHE_VERSION}-index-{digest}.pickle"
    cached = _read_cache(path)
    if isinstance(cached, MatchIndex) and cached.key == key:
        return cached
    records, _ = load_records(store, versions)
    index = MatchIndex(records, key)
    _write_cache(path, index)
    _prune_cache(keep={path.name} | {_cache_file(v.dataset, v.content_hash).name for v in versions})
    return index


def _prune_cache(keep: set[str]) -> None:
    """Remove whole-index caches of other version sets (record caches are kept)."""
    for old in cache_dir().glob(f"{CACHE_VERSION}-index-*.pickle"):
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
    if not path.exists():
        return None
    try:
        with open(path, "rb") as fh, _gc_paused():
            return pickle.load(fh)  # noqa: S301 - our own cache file
    except Exception as exc:  # noqa: BLE001 - a bad cache file is rebuilt, never fatal
        log.warning("index cache %s unreadable (%s); rebuilding", path, exc)
        return None


def _write_cache(path: Path, data: Any) -> None:
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("cannot write index cache %s: %s", path, exc)
        tmp.unlink(missing_ok=True)
