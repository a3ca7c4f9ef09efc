"""Which watched records can a handful of new list entries touch? (the delta prefilter)

A delta run screens every unchanged record against only the added and changed
list entries. Preparing 100,000 records and probing the small index with each
of their name tokens would cost as much as a full run, so the question is
asked the other way round: a :class:`~sanctions.matching.MatchIndex` over the
*watched records'* names is probed with the new entries' name tokens.

The matcher's token similarity and its blocks (bigram count filter, phonetic
and squeezed keys) are symmetric, so a record token the small index would
align with a new entry's token is found by this reverse look-up (a test
checks it on real data). The prefilter only narrows the records to screen;
each of them is then screened exactly as a full run would screen it.

:class:`RecordKeys` is built by full runs (which prepare every record anyway)
and cached on disk beside the matcher's index cache, named by a digest that
the run stores. Records added or changed since it was built are screened
directly, without the prefilter.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sanctions.cache import read_cache, write_cache
from sanctions.matching.index import CACHE_VERSION, MatchIndex, cache_dir
from sanctions.matching.names import INITIAL_SIMILARITY, W_INITIAL
from sanctions.matching.score import ALGORITHM, ALGORITHM_VERSION, Record, compare_records
from sanctions.screening.query import parse_query

__all__ = ["RecordKeys", "keys_digest", "matcher_fingerprint", "name_tokens", "load_keys"]

log = logging.getLogger(__name__)

KEYS_FORMAT = "k2"
_PROBES = (
    {"schema": "Person", "properties": {"name": ["Vladimir Vladimirovich PUTIN"]}},
    {"schema": "Person", "properties": {"name": ["Abd al-Rahman O'Neil-Smith"]}},
    {
        "schema": "Person",
        "properties": {"name": ["Jean-Pierre de la Fontaine"], "birthDate": ["1952-10"]},
    },
    {
        "schema": "Person",
        "properties": {"name": ["Путин Владимир Владимирович"], "nationality": ["Russia"]},
    },
    {"schema": "Person", "properties": {"name": ["习近平"], "passportNumber": ["E 1234567"]}},
    {"schema": "Company", "properties": {"name": ["VTB Bank PJSC"], "swiftBic": ["VTBRRUMM"]}},
    {"schema": "Organization", "properties": {"name": ["Mohammed bin Salman Al Saud Foundation"]}},
)
_fingerprint: str | None = None


def _span_text(span: Any) -> str:
    return span[2] if isinstance(span, tuple) else str(span.text)


def name_tokens(record: Record) -> set[str]:
    """Every token and joined token pair of a prepared record's names (the index vocabulary)."""
    return {
        text for form in record.names for span in form.spans if len(text := _span_text(span)) > 1
    }


def matcher_fingerprint() -> str:
    """A digest of how the matcher prepares and scores a few probe names.

    When normalisation or scoring changes (with or without a version bump), the
    fingerprint changes: delta runs then fall back to a full run, and cached
    prefilters are rebuilt.
    """
    global _fingerprint
    if _fingerprint is None:
        probes = [parse_query({"id": f"p{i}", **p}) for i, p in enumerate(_PROBES)]
        parts: list[Any] = [ALGORITHM, ALGORITHM_VERSION, CACHE_VERSION, KEYS_FORMAT]
        for record in probes:
            parts.append(sorted(name_tokens(record)))
            parts.append([(f.tokens, f.weights) for f in record.names])
            parts.append(sorted(map(repr, record.dates)))
            parts.append(sorted(record.identifiers) + sorted(record.countries))
        for a in probes:
            parts.append([compare_records(a, b).score for b in probes])
        _fingerprint = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return _fingerprint


# A name form, compact: (total weight, weight of initials, token weights, spans).
_Form = tuple[float, float, tuple[float, ...], tuple[tuple[int, int, str], ...]]


def _compact(form: Any) -> _Form:
    weights = tuple(form.weights)
    initials = sum(
        INITIAL_SIMILARITY * w for t, w in zip(form.tokens, weights, strict=True) if len(t) == 1
    )
    spans = []
    for span in form.spans:
        start, end, text = span if isinstance(span, tuple) else (span.start, span.end, span.text)
        if len(text) > 1:
            spans.append((start, end, text))
    return (form.total_weight or 1.0, initials, weights, tuple(spans))


def _bound(form: _Form, best: dict[str, float]) -> float:
    """The most a name could score if each token aligned with its most similar new token."""
    total, initials, weights, spans = form
    tops = [0.0] * len(weights)
    for start, end, text in spans:
        sim = best.get(text)
        if sim:
            for i in range(start, end):
                tops[i] = max(tops[i], sim)
    return (sum(t * w for t, w in zip(tops, weights, strict=True)) + initials) / total


def keys_digest(keys: Iterable[tuple[str, str]]) -> str:
    """The name of the prefilter over these (record id, hash) pairs with this matcher."""
    return hashlib.sha256(repr((matcher_fingerprint(), sorted(keys))).encode()).hexdigest()[:32]


class _NewNames:
    """The new entries' name forms: which contain a token, and how many initials each has."""

    def __init__(self, names: Iterable[Any]) -> None:
        self.containing: dict[str, list[int]] = defaultdict(list)
        self.initials: list[int] = []
        for number, form in enumerate(names):
            self.initials.append(sum(1 for t in form.tokens if len(t) == 1))
            for text in {_span_text(span) for span in form.spans}:
                if len(text) > 1:
                    self.containing[text].append(number)

    def bound(self, form: _Form, pairs: dict[str, list[tuple[str, float]]]) -> float:
        """The best bound of a record name against any single new name.

        Against one name, each record token scores at most its best similarity
        with a token of that name, and each single-letter token of that name
        adds at most ``INITIAL_SIMILARITY * W_INITIAL`` (it aligns with one
        record token): an upper bound of the alignment score whatever the
        rest of the index holds.
        """
        total, initials, weights, spans = form
        tops: dict[int, list[float]] = {}
        for start, end, text in spans:
            for token, sim in pairs.get(text, ()):
                for number in self.containing.get(token, ()):
                    row = tops.setdefault(number, [0.0] * len(weights))
                    for i in range(start, end):
                        if sim > row[i]:
                            row[i] = sim
        best = 0.0
        for number, row in tops.items():
            aligned = sum(t * w for t, w in zip(row, weights, strict=True))
            slack = self.initials[number] * INITIAL_SIMILARITY * W_INITIAL
            best = max(best, (aligned + slack + initials) / total)
        return best


class RecordKeys:
    """A reverse index over the name tokens and identifiers of watched records."""

    def __init__(self, records: Iterable[tuple[str, str, Record]]) -> None:
        self.fingerprint = matcher_fingerprint()
        self.keys: list[tuple[str, str]] = []
        self.forms: list[list[_Form]] = []
        prepared: list[Record] = []
        owners: dict[str, list[int]] = defaultdict(list)
        idents: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, (record_id, digest, record) in enumerate(records):
            self.keys.append((record_id, digest))
            self.forms.append([_compact(form) for form in record.names])
            prepared.append(record)
            for text in name_tokens(record):
                owners[text].append(position)
            for ident in record.identifiers:
                idents[ident].append(position)
        self.index = MatchIndex(prepared)
        # The look-up needs only the vocabulary and its blocks: drop the records
        # and name forms so that the cache file stays small and quick to read.
        self.index.records = []
        self.index.names = []
        self.owners = dict(owners)
        self.identifiers = dict(idents)
        self.position = {key: i for i, key in enumerate(self.keys)}
        self.digest = keys_digest(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def covers(self, record_id: str, digest: str) -> bool:
        return (record_id, digest) in self.position

    def touched_by(
        self,
        tokens: Iterable[str],
        identifiers: Iterable[tuple[str, str]],
        floor: float,
        names: Iterable[Any] | None = None,
    ) -> set[tuple[str, str]]:
        """(record id, hash) of the records that may score ``floor`` against these tokens.

        A record is kept when one of its names could reach ``floor`` if every
        token aligned with its most similar new token (the index's own pruning
        bound, taken over all new names at once), or when it shares an
        identifier with the new entries. Given the new ``names`` (name forms),
        the bound is then taken name by name (see :func:`_name_bound`).
        """
        pairs: dict[str, list[tuple[str, float]]] = defaultdict(list)
        best: dict[str, float] = {}
        for token in tokens:
            for similar, sim in self.index.similar_tokens(token).items():
                pairs[similar].append((token, sim))
                if sim > best.get(similar, 0.0):
                    best[similar] = sim
        positions: set[int] = set()
        for similar in best:
            positions.update(self.owners.get(similar, ()))
        kept = {p for p in positions if any(_bound(f, best) >= floor for f in self.forms[p])}
        if names is not None:
            new_names = _NewNames(names)
            kept = {
                p for p in kept if any(new_names.bound(f, pairs) >= floor for f in self.forms[p])
            }
        for ident in identifiers:
            kept.update(self.identifiers.get(ident, ()))
        return {self.keys[p] for p in kept}

    # -- the on-disk cache -------------------------------------------------------

    @staticmethod
    def path_for(digest: str) -> Path:
        return cache_dir() / f"watch-keys-{KEYS_FORMAT}-{digest}.pickle"

    def save(self) -> None:
        path = self.path_for(self.digest)
        if not path.exists():  # a cache: when it cannot be written the next run rebuilds it
            write_cache(path, self, "watch prefilter cache")


def load_keys(digest: str | None) -> RecordKeys | None:
    """The cached prefilter of a run, or None (missing, unsigned, unreadable, other matcher)."""
    if not digest:
        return None
    keys = read_cache(RecordKeys.path_for(digest), "watch prefilter cache")
    if not isinstance(keys, RecordKeys) or keys.fingerprint != matcher_fingerprint():
        return None
    return keys
