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
import pickle
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sanctions.cache import read_cache, write_cache
from sanctions.matching import (
    CACHE_VERSION,
    Record,
    cache_dir,
    cached_records,
    prepare_records,
    warm_taggers,
)
from sanctions.model import Entity
from sanctions.store import Store

from .records import LazyRecords, record_tokens
from .strong_keys import ListingFacts, listing_facts

log = logging.getLogger(__name__)

__all__ = ["load_inputs", "load_inputs_uncached", "inputs_cache_file"]

Entry = tuple[ListingFacts, Record | None]
# what the cache file holds per listing: the facts, the record's name tokens and the
# record pickled on its own (unpickled only when a run reads it: :mod:`.records`)
Stored = tuple[ListingFacts, frozenset[str] | None, bytes | None]
CACHE_FORMAT = "lazy-1"
Key = tuple[str, str]  # (entity id, blob hash)
COMPACT_SHARE = 0.25
BLOB_CHUNK = 500


def _code_version() -> str:
    """A hash of the code and reference data that shape the facts."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_VERSION} {CACHE_FORMAT}".encode())
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


MATCHER_CACHE_MIN = 500  # listings of a version to prepare before its matcher cache is read


def _matcher_records(
    versions: list[Any], members: dict[int, list[Key]], missing: set[str]
) -> dict[str, Record | None]:
    """Blob hash -> the record the matcher already prepared (None: it has none, the entity
    has no name), for the missing listings of versions whose per-version record cache
    exists (a ``screen`` or server after the load wrote it). Only versions with many
    missing listings are looked up: unpickling a whole list to spare a few is slower."""
    known: dict[str, Record | None] = {}
    for version in versions:
        todo = [(eid, blob) for eid, blob in members[version.id] if blob in missing]
        if len(todo) < MATCHER_CACHE_MIN:
            continue
        cached = cached_records(version)
        if cached is not None:
            by_id = {record.id: record for record in cached}
            known.update((blob, by_id.get(eid)) for eid, blob in todo)
    return known


def _prepare(
    store: Store,
    hashes: set[str],
    hidden: tuple[str, ...],
    workers: int = 1,
    known: dict[str, Record | None] | None = None,
) -> dict[str, Entry]:
    """Facts and record of the entities stored under these blob hashes (on ``workers``
    forked processes when there are many: an empty cache). A record in ``known`` (blob
    hash -> the matcher's) is taken as it is, not prepared again."""
    state = (hidden, known or {})
    todo = sorted(hashes)
    out: dict[str, Entry] = {}
    chunks = store.iter_entity_json(todo, BLOB_CHUNK)
    prepared: Iterator[dict[str, Entry]]
    if workers <= 1 or len(todo) < PARALLEL_LISTINGS:
        prepared = (_prepare_chunk(state, chunk) for chunk in chunks)
    else:
        from sanctions.screening.parallel import map_ordered

        warm_taggers()  # rigour's taggers (or tables): ready once here, shared by the workers
        prepared = map_ordered(_prepare_chunk, chunks, state, workers)
    for entries in prepared:
        out.update(entries)
    return out


def _prepare_chunk(
    state: tuple[tuple[str, ...], dict[str, Record | None]], rows: list[tuple[str, str]]
) -> dict[str, Entry]:
    hidden, known = state
    out: dict[str, Entry] = {}
    for blob, data in rows:
        entity = Entity.from_dict(json.loads(data))
        if blob in known:
            record = known[blob]
        else:
            prepared = prepare_records([entity])
            record = prepared[0] if prepared else None
        out[blob] = (listing_facts(entity, hidden), record)
    return out


def _stored(entry: Entry) -> Stored:
    facts, record = entry
    if record is None:
        return facts, None, None
    return facts, record_tokens(record), pickle.dumps(record, pickle.HIGHEST_PROTOCOL)


def _read(hidden: tuple[str, ...]) -> tuple[dict[Key, Stored], dict[Key, Stored]]:
    """(every cached entry, those of the delta file)."""
    base = read_cache(inputs_cache_file(hidden), "resolver cache")
    if not isinstance(base, dict):
        return {}, {}
    delta = read_cache(inputs_cache_file(hidden, "delta"), "resolver cache")
    delta = delta if isinstance(delta, dict) else {}
    return {**base, **delta}, delta


def _write(
    hidden: tuple[str, ...],
    entries: dict[Key, Stored],
    cache: dict[Key, Stored],
    delta: dict[Key, Stored],
    new: dict[Key, Stored],
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


def load_inputs(
    store: Store,
    datasets: Iterable[str] | None = None,
    hidden: Iterable[str] = (),
    workers: int = 1,
) -> tuple[dict[str, ListingFacts], LazyRecords, list[Any]]:
    """Facts and matcher records of the current versions (keys in ``hidden`` left out),
    from the per-entity cache; only listings the cache lacks are read and prepared (on
    ``workers`` processes when there are many). The records are unpickled when read."""
    hide = tuple(hidden)
    versions = _current_versions(store, datasets)
    members = _members(store, versions)
    cache, delta = _read(hide)
    wanted = [(eid, blob) for v in versions for eid, blob in members[v.id]]
    missing = {blob for key in wanted if key not in cache for blob in key[1:]}
    known = _matcher_records(versions, members, missing) if missing else {}
    fresh = _prepare(store, missing, hide, workers, known) if missing else {}
    new = {key: _stored(fresh[key[1]]) for key in wanted if key not in cache}
    entries = {key: cache.get(key) or new[key] for key in wanted}
    if missing:
        log.info("resolver cache: %d listings prepared, %d reused", len(missing), len(wanted))
        _write(hide, entries, cache, delta, new)
    facts = {eid: entries[(eid, blob)][0] for eid, blob in wanted}
    records = LazyRecords()
    for version in sorted(versions, key=lambda v: v.dataset):
        for eid, blob in members[version.id]:
            _facts, tokens, data = entries[(eid, blob)]
            if tokens is not None and data is not None and eid in facts:
                prepared = fresh.get(blob)
                records.add(eid, prepared[1] if prepared and prepared[1] else data, tokens)
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
