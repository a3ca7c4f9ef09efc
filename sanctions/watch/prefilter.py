"""Which watched records can a handful of new list entries touch? (the delta prefilter)

A delta run screens every unchanged record against only the added and changed
list entries. Preparing 100,000 records and probing the small index with each
of their name tokens would cost as much as a full run, so the question is
asked the other way round: a :class:`~sanctions.matching.MatchIndex` over the
*watched records'* names is probed with the new entries' name tokens.

The matcher's token similarity and its blocks (bigram count filter, phonetic
and squeezed keys) are symmetric, so a record token the small index would
align with a new entry's token is found by this reverse look-up (a test
checks it on real data). Which records may reach the threshold is decided
with the matcher's own bound and floor (:class:`sanctions.matching.NameBound`,
:func:`sanctions.matching.name_floor`): nothing here copies the matcher's
weights or pruning, so a change of weights moves the prefilter with the
matcher (tested). The prefilter only narrows the records to screen; each of
them is then screened exactly as a full run would screen it.

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
from sanctions.matching import (
    ALGORITHM,
    ALGORITHM_VERSION,
    CACHE_VERSION,
    NO_FREQUENCIES,
    MatchIndex,
    NameBound,
    NameForm,
    Record,
    cache_dir,
    compare_records,
    count_initials,
    name_tokens,
)
from sanctions.screening.query import parse_query

__all__ = ["RecordKeys", "keys_digest", "matcher_fingerprint", "name_tokens", "load_keys"]

log = logging.getLogger(__name__)

KEYS_FORMAT = "k3"
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
            # Without word frequencies: the fingerprint is the code's, not the lists'.
            parts.append([compare_records(a, b, frequencies=NO_FREQUENCIES).score for b in probes])
        _fingerprint = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return _fingerprint


def keys_digest(keys: Iterable[tuple[str, str]]) -> str:
    """The name of the prefilter over these (record id, hash) pairs with this matcher."""
    return hashlib.sha256(repr((matcher_fingerprint(), sorted(keys))).encode()).hexdigest()[:32]


class _NewNames:
    """The new entries' name forms: which contain a token, and how many initials each has."""

    def __init__(self, names: Iterable[NameForm]) -> None:
        forms = list(names)
        self.containing: dict[str, list[int]] = defaultdict(list)
        self.initials = count_initials(forms)
        for number, form in enumerate(forms):
            for text in {span[2] for span in form.spans}:
                if len(text) > 1:
                    self.containing[text].append(number)

    @property
    def most_initials(self) -> int:
        return max(self.initials, default=0)

    def bound(self, form: NameBound, pairs: dict[str, list[tuple[str, float]]]) -> float:
        """The best bound of a record name against any single new name.

        Against one name, each record token scores at most its best similarity
        with a token of that name, plus what that name's initials may add: the
        matcher's own bound (:meth:`NameBound.from_tops`).
        """
        tops: dict[int, list[float]] = {}
        for start, end, text in form.spans:
            for token, sim in pairs.get(text, ()):
                for number in self.containing.get(token, ()):
                    row = tops.setdefault(number, [0.0] * len(form.weights))
                    for i in range(start, end):
                        if sim > row[i]:
                            row[i] = sim
        return max(
            (form.from_tops(row, self.initials[number]) for number, row in tops.items()),
            default=0.0,
        )


class RecordKeys:
    """A reverse index over the name tokens and identifiers of watched records."""

    def __init__(self, records: Iterable[tuple[str, str, Record]]) -> None:
        self.fingerprint = matcher_fingerprint()
        self.keys: list[tuple[str, str]] = []
        self.forms: list[list[NameBound]] = []
        prepared: list[Record] = []
        owners: dict[str, list[int]] = defaultdict(list)
        idents: dict[tuple[str, str], list[int]] = defaultdict(list)
        for position, (record_id, digest, record) in enumerate(records):
            self.keys.append((record_id, digest))
            self.forms.append([NameBound.of(form) for form in record.names])
            prepared.append(record)
            for text in name_tokens(record):
                owners[text].append(position)
            for ident in record.identifiers:
                idents[ident].append(position)
        self.index = MatchIndex(prepared).vocabulary_only()
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
        names: Iterable[NameForm] | None = None,
    ) -> set[tuple[str, str]]:
        """(record id, hash) of the records that may score ``floor`` against these tokens.

        ``floor`` is a name score: :func:`sanctions.matching.name_floor` of the
        threshold. A record is kept when one of its names could reach it if
        every token aligned with its most similar new token (the index's own
        pruning bound, taken over all new names at once), or when it shares an
        identifier with the new entries. Given the new ``names`` (name forms),
        the bound is then taken name by name (:meth:`_NewNames.bound`).
        """
        pairs: dict[str, list[tuple[str, float]]] = defaultdict(list)
        best: dict[str, float] = {}
        vocab = self.index.vocab
        for token in tokens:
            # The most each similar token may score (one given name in two languages
            # lifted as alignment pairs them): the matcher's own bound.
            vids, sims = self.index.similar_ids(token)
            for vid, sim in zip(vids.tolist(), sims.tolist(), strict=True):
                similar = vocab[vid]
                pairs[similar].append((token, sim))
                if sim > best.get(similar, 0.0):
                    best[similar] = sim
        positions: set[int] = set()
        for similar in best:
            positions.update(self.owners.get(similar, ()))
        new_names = _NewNames(names or ())
        most = new_names.most_initials if names is not None else None
        kept = {p for p in positions if any(f.value(best, most) >= floor for f in self.forms[p])}
        if names is not None:
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
