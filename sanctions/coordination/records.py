"""The matcher records of a resolve, unpickled only when a step asks for one.

An incremental resolve needs the name tokens of every listing (blocking, rare-token
counts) but the full record of a few thousand only (the candidate pairs of the changed
listings, the key groups). The inputs cache keeps each record pickled on its own beside
its token set, and :class:`LazyRecords` unpickles a record the first time it is read:
unpickling all 55k records was a third of an incremental run.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping, MutableMapping

from sanctions.matching import Record

__all__ = ["LazyRecords", "name_tokens", "record_tokens"]


def record_tokens(record: Record) -> frozenset[str]:
    """Every name token of a record (all its name forms)."""
    return frozenset().union(*(form.tokens for form in record.names))


class LazyRecords(MutableMapping[str, Record]):
    """Entity id -> matcher record; each held as pickled bytes until first read.

    Iteration order is the order of insertion, as a dict's. :meth:`tokens` answers
    from the token set stored beside the record, without unpickling it.
    """

    def __init__(self) -> None:
        self._items: dict[str, Record | bytes] = {}
        self._tokens: dict[str, frozenset[str]] = {}

    def add(self, rid: str, record: Record | bytes, tokens: frozenset[str]) -> None:
        """Hold a record (or its pickle) with its name tokens."""
        self._items[rid] = record
        self._tokens[rid] = tokens

    def tokens(self, rid: str) -> frozenset[str]:
        return self._tokens[rid]

    def __getitem__(self, rid: str) -> Record:
        item = self._items[rid]
        if isinstance(item, bytes):
            item = pickle.loads(item)  # noqa: S301 - bytes of the signed inputs cache
            self._items[rid] = item
        return item

    def __setitem__(self, rid: str, record: Record) -> None:
        self.add(rid, record, record_tokens(record))

    def __delitem__(self, rid: str) -> None:
        del self._items[rid]
        del self._tokens[rid]

    def __contains__(self, rid: object) -> bool:
        return rid in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def name_tokens(records: Mapping[str, Record], rid: str) -> frozenset[str]:
    """The name tokens of one record of ``records``, unpickling nothing if it is lazy."""
    if isinstance(records, LazyRecords):
        return records.tokens(rid)
    return record_tokens(records[rid])
