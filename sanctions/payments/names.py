"""Screening one name of a message: under the schemata its field and its words say.

A party whose type the message does not give is screened as LegalEntity: the matcher
reads an untyped name with a legal form (``JOSAFAT S.A.``, ``ALFA ONE C.A.``, ``...
LLC``) as a company's itself (matcher 2.4), so a party name is screened once. A span of
free text is screened as Thing, and, when it carries a legal form, as an Organization
too: as Thing the matcher still misses some listed companies (``C.A. AVERUCA`` in a
remittance line). Added, never instead. (Parties had the same second pass until
``benchmarks/payments.py`` showed the same planted recall and clean rate without it;
free-text spans lose a planted finding without it: docs/payments.md.)

A :class:`NameCache` keeps the matches of each distinct name across messages: the
parties of a payment stream repeat (the same ordering customer in many payments of
a batch), and payment filters screen each distinct name once per list version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from rigour.names.org_types import extract_org_types

from sanctions.screening import QueryError, Screener

__all__ = ["MAX_CACHED_NAMES", "NameCache", "has_legal_form", "name_schemata", "screen_name"]

MAX_CACHED_NAMES = 50_000

Limits = tuple[float, float, int]  # threshold, cutoff, limit
_Key = tuple[str, str, Limits]


class NameCache:
    """The matches of each distinct (name, schema, limits), bounded, least recently used
    first out, for one version of the lists: :meth:`pin` with the index key empties it
    when the lists change, so a result is never reused across list versions.

    Safe to share between threads (the HTTP API screens on a thread pool). Counts its
    hits and misses (``hits``, ``misses``) for the benchmark."""

    def __init__(self, size: int = MAX_CACHED_NAMES) -> None:
        self.size = size
        self.key: str | None = None  # the index key (list versions) the entries belong to
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[_Key, list[Any] | QueryError] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def pin(self, key: str) -> None:
        """Bind the cache to the lists of index ``key``: entries of other lists are dropped."""
        with self._lock:
            if key != self.key:
                self._entries.clear()
                self.key = key

    def get(self, key: _Key) -> list[Any] | QueryError | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._entries.move_to_end(key)
            return found

    def put(self, key: _Key, value: list[Any] | QueryError) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


@lru_cache(maxsize=65_536)
def has_legal_form(name: str) -> bool:
    """Whether a name carries a legal form (``S.A.``, ``LLC``, ``GmbH``...): it names an
    organisation, whatever the message's field says (rigour's table of legal forms)."""
    # rigour reads "S.A." but not "C.A.": try the dotless form too ("C.A." -> "CA")
    return bool(extract_org_types(name) or extract_org_types(name.replace(".", "")))


def name_schemata(text: str, schema: str) -> tuple[str, ...]:
    """The schemata a name is screened as: its field's, and also Organization when a span
    of free text (Thing) carries a legal form. Added, never instead: a person's name may
    hold a word that reads as a legal form ("KIM SA")."""
    if schema == "Thing" and has_legal_form(text):
        return (schema, "Organization")
    return (schema,)


def _screen_one(
    screener: Screener, text: str, kind: str, limits: Limits, cache: NameCache | None
) -> list[Any]:
    key = (text, kind, limits)
    found = cache.get(key) if cache is not None else None
    if found is None:
        threshold, cutoff, limit = limits
        query = {"id": "name", "schema": kind, "properties": {"name": [text]}}
        try:
            found = screener.screen(query, threshold=threshold, limit=limit, cutoff=cutoff).results
        except QueryError as exc:
            found = exc
        if cache is not None:
            cache.put(key, found)
    if isinstance(found, QueryError):
        raise found
    return found


def screen_name(
    screener: Screener,
    text: str,
    schema: str,
    limits: Limits,
    cache: NameCache | None = None,
) -> list[Any]:
    """The matches of one name (``limits``: threshold, cutoff, limit) under each of its
    :func:`name_schemata`, best per listed entity first; raises QueryError when it
    cannot be screened. ``cache`` keeps results across calls (pinned to the lists)."""
    best: dict[str, Any] = {}
    for kind in name_schemata(text, schema):
        for match in _screen_one(screener, text, kind, limits, cache):
            held = best.get(match.record.id)
            if held is None or match.score.score > held.score.score:
                best[match.record.id] = match
    ranked = sorted(best.values(), key=lambda m: (-m.score.score, m.record.id))
    return ranked[: limits[2]]
