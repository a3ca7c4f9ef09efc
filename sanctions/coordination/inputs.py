"""The resolver's inputs (listing facts and prepared matcher records), cached per entity.

A new version of one list changes a few listings; the others keep their content
and so their store blob hash. The facts (:func:`keys.listing_facts`) and the
matcher's prepared record of each listing are therefore cached by
``(entity id, blob hash)`` in one signed cache file (:mod:`sanctions.cache`):
a run reads the ids and hashes of the current versions (no entity data), takes
what the cache has, and reads and prepares only the entities it lacks, so an
incremental resolve after an SDN update prepares the added and changed listings
only, not every listing of the new version.

The cache file is named after the code that shapes its content (the matcher's
``CACHE_VERSION``, this package's fact code and the entity model) and the
hidden keys of an evaluation, so a change of either starts a new file. A
missing or unreadable file only costs the time to rebuild it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sanctions.cache import read_cache, write_cache
from sanctions.matching import CACHE_VERSION, Record, cache_dir, prepare_records
from sanctions.matching.normalise import name_symbols, remember_symbols
from sanctions.model import Entity
from sanctions.store import Store

from .strong_keys import ListingFacts, listing_facts

log = logging.getLogger(__name__)

__all__ = ["load_inputs", "load_inputs_uncached", "inputs_cache_file"]

Entry = tuple[ListingFacts, Record | None]
Key = tuple[str, str]  # (entity id, blob hash)
COMPACT_SHARE = 0.25
BLOB_CHUNK = 500


def _code_version() -> str:
    """A hash of the code and reference data that shape the facts."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(CACHE_VERSION.encode())
    paths = [
        here / "strong_keys.py",
        here / "dates.py",
        here / "programmes.py",
        here.parent / "model.py",
    ]
    for path in [*paths, *sorted((here / "data").glob("*.yml"))]:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:10]


FACTS_VERSION = _code_version()


def inputs_cache_file(hidden: Iterable[str] = (), part: str = "base") -> Path:
    """A cache file of the resolver's inputs (one set per set of hidden keys): the
    ``base`` or the ``delta`` part."""
    tag = hashlib.sha256(",".join(sorted(hidden)).encode()).hexdigest()[:8]
    return cache_dir() / f"coordination-{FACTS_VERSION}-{tag}-{part}.pickle"


def _current_versions(store: Store, datasets: Iterable[str] | None) -> list[Any]:
    """The current versions, in the order the store streams entities of several versions."""
    wanted = set(datasets) if datasets is not None else None
    current = {
        d.current.id: d.current
        for d in store.datasets()
        if d.current is not None and (wanted is None or d.id in wanted)
    }
    return [current[v.id] for v in store.versions() if v.id in current]


def _members(store: Store, versions: list[Any]) -> dict[int, list[tuple[str, str]]]:
    """Version id -> its (entity id, blob hash) pairs, in the store's entity order."""
    out: dict[int, list[tuple[str, str]]] = {v.id: [] for v in versions}
    for version_id, entity_id, blob in store.entity_hashes(out):
        out[version_id].append((entity_id, blob))
    return out


PARALLEL_LISTINGS = 5_000  # fewer listings to prepare are prepared in this process


def _prepare(
    store: Store, hashes: set[str], hidden: tuple[str, ...], workers: int = 1
) -> dict[str, Entry]:
    """Facts and record of the entities stored under these blob hashes (on ``workers``
    forked processes when there are many: an empty cache)."""
    todo = sorted(hashes)
    out: dict[str, Entry] = {}
    chunks = store.iter_entity_json(todo, BLOB_CHUNK)
    if workers <= 1 or len(todo) < PARALLEL_LISTINGS:
        for chunk in chunks:
            out.update(_prepare_chunk(hidden, chunk))
        return out
    from sanctions.screening.parallel import map_ordered

    name_symbols("warm")  # rigour's taggers: built once here, shared by the workers
    for prepared in map_ordered(_prepare_chunk, chunks, hidden, workers):
        out.update(prepared)
    return out


def _prepare_chunk(hidden: tuple[str, ...], rows: list[tuple[str, str]]) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for blob, data in rows:
        entity = Entity.from_dict(json.loads(data))
        prepared = prepare_records([entity])
        out[blob] = (listing_facts(entity, hidden), prepared[0] if prepared else None)
    return out


def _read(hidden: tuple[str, ...]) -> tuple[dict[Key, Entry], dict[Key, Entry]]:
    """(every cached entry, those of the delta file)."""
    base = read_cache(inputs_cache_file(hidden), "resolver cache")
    if not isinstance(base, dict):
        return {}, {}
    delta = read_cache(inputs_cache_file(hidden, "delta"), "resolver cache")
    delta = delta if isinstance(delta, dict) else {}
    return {**base, **delta}, delta


def _write(
    hidden: tuple[str, ...],
    entries: dict[Key, Entry],
    cache: dict[Key, Entry],
    delta: dict[Key, Entry],
    new: dict[Key, Entry],
) -> None:
    """Add new entries: to the small delta file (an update of one list rewrites a few
    entries, not the whole cache), or, once the delta or the entries no longer current
    outgrow :data:`COMPACT_SHARE` of the cache, as a new base file of the current ones."""
    stale = len(cache) - (len(entries) - len(new))
    if not cache or len(delta) + len(new) + stale > COMPACT_SHARE * len(entries):
        write_cache(inputs_cache_file(hidden), entries, "resolver cache")
        inputs_cache_file(hidden, "delta").unlink(missing_ok=True)
    else:
        write_cache(inputs_cache_file(hidden, "delta"), {**delta, **new}, "resolver cache")


def _known_symbols(entries: Iterable[Entry], fresh: Iterable[Entry]) -> None:
    """Give the matcher the rigour symbols of every listed name token, from a cache
    file: a process whose tokens are all known never builds rigour's taggers (seconds
    of CPU), so a small incremental resolve stays small
    (see :func:`sanctions.matching.normalise.remember_symbols`). Once the file exists,
    only the tokens of the listings prepared anew (``fresh``) are looked at: the others
    were added when they were prepared (a token the file lacks is only looked up later)."""
    path = cache_dir() / f"coordination-{FACTS_VERSION}-symbols.pickle"
    cached = read_cache(path, "resolver cache")
    table: dict[str, frozenset[str]] = cached if isinstance(cached, dict) else {}
    tokens = {
        span[2]  # the text of a token, or of two adjacent ones read as one word
        for _facts, record in (fresh if table else entries)
        if record is not None
        for form in record.names
        for span in form.spans
    }
    missing = tokens - table.keys()
    if missing:
        table.update((token, name_symbols(token)) for token in sorted(missing))
        write_cache(path, table, "resolver cache")
    remember_symbols(table)


def load_inputs(
    store: Store,
    datasets: Iterable[str] | None = None,
    hidden: Iterable[str] = (),
    workers: int = 1,
) -> tuple[dict[str, ListingFacts], dict[str, Record], list[Any]]:
    """Facts and matcher records of the current versions (keys in ``hidden`` left out),
    from the per-entity cache; only listings the cache lacks are read and prepared (on
    ``workers`` processes when there are many)."""
    hide = tuple(hidden)
    versions = _current_versions(store, datasets)
    members = _members(store, versions)
    cache, delta = _read(hide)
    wanted = [(eid, blob) for v in versions for eid, blob in members[v.id]]
    missing = {blob for key in wanted if key not in cache for blob in key[1:]}
    fresh = _prepare(store, missing, hide, workers) if missing else {}
    entries = {key: cache.get(key) or fresh[key[1]] for key in wanted}
    if missing:
        log.info("resolver cache: %d listings prepared, %d reused", len(missing), len(wanted))
        new = {key: entries[key] for key in wanted if key not in cache}
        _write(hide, entries, cache, delta, new)
    _known_symbols(entries.values(), [entries[key] for key in wanted if key not in cache])
    facts = {eid: entries[(eid, blob)][0] for eid, blob in wanted}
    records: dict[str, Record] = {}
    for version in sorted(versions, key=lambda v: v.dataset):
        for eid, blob in members[version.id]:
            record = entries[(eid, blob)][1]
            if record is not None and record.id in facts:
                records[record.id] = record
    return facts, records, versions


def load_inputs_uncached(
    store: Store,
    datasets: Iterable[str] | None = None,
    hidden: Iterable[str] = (),
    workers: int = 1,
) -> tuple[dict[str, ListingFacts], dict[str, Record], list[Any]]:
    """The same inputs read and prepared from every entity of the store, in this process
    (the reference that the cached and parallel paths are tested against)."""
    hide = tuple(hidden)
    versions = _current_versions(store, datasets)
    ids = [v.id for v in versions]
    facts = {e.id: listing_facts(e, hide) for e in store.iter_entities(version_ids=ids)}
    records: dict[str, Record] = {}
    for version in sorted(versions, key=lambda v: v.dataset):
        for record in prepare_records(store.iter_entities(version_ids=[version.id])):
            if record.id in facts:
                records[record.id] = record
    return facts, records, versions
