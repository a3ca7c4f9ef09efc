"""Screening runs, the computing half: which pairs to look at, and what matches.

A **full** run screens every active record against every entity of the
current list versions. A **delta** run starts from the last recorded run:

* records added or changed since then are screened against everything;
* the other records are screened against only the entities added or changed
  since that run's list versions (found with :mod:`keys`, then screened
  exactly as a full run would);
* alerts whose entity was removed are closed (see :mod:`reconcile`).

Every (record, entity) score depends on that pair alone, so the matches a
delta run finds among the pairs it looks at are exactly those a full run
finds there, and the pairs it does not look at have not changed. The write
(:mod:`reconcile`) is the same for both kinds.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from sanctions.matching import (
    MatchIndex,
    Record,
    load_frequencies,
    load_index,
    name_floor,
    name_tokens,
    prepare_records,
)
from sanctions.model import Entity
from sanctions.screening.parallel import map_ordered
from sanctions.screening.query import QueryError, parse_query
from sanctions.screening.screener import Screener
from sanctions.screening.subjects import SubjectMap
from sanctions.store import Store

from . import schema as t
from .prefilter import RecordKeys, keys_digest, load_keys, matcher_fingerprint
from .records import WatchedRecord, active_records, get_records

__all__ = ["Snapshot", "Hit", "Plan", "take_snapshot", "plan_full", "plan_delta", "last_run"]

log = logging.getLogger(__name__)

MAX_MATCHES = 10_000  # per record: more than any real record has
RUN_CHUNK = 200  # records per slice screened by one worker at a time
MISSING_REBUILD = 0.05  # rebuild the prefilter when more records than this are not in it


@dataclass
class Snapshot:
    """What a run screens: the list versions and records current when it started."""

    versions: dict[str, Any]  # dataset -> VersionInfo
    entities: dict[str, tuple[str, int, str]]  # entity id -> (hash, version id, dataset)
    records: dict[str, tuple[int, str, str | None]]  # record id -> (version, hash, screened)
    last_run_id: int | None

    @property
    def list_versions(self) -> dict[str, int]:
        return {ds: v.id for ds, v in sorted(self.versions.items())}


@dataclass
class Hit:
    """A record version and an entity version that score at or above the threshold."""

    record_id: str
    record_version: int
    record_hash: str
    record_caption: str
    entity_id: str
    entity_hash: str
    entity_caption: str
    dataset: str
    entity_version_id: int
    score: float
    explanation: list[dict[str, Any]]


@dataclass
class Plan:
    """The outcome of screening, before it is written."""

    kind: str  # full | delta
    snapshot: Snapshot
    threshold: float
    hits: dict[tuple[str, str], Hit] = field(default_factory=dict)
    changed_records: set[str] | None = None  # None: every record was screened
    touched_entities: set[str] | None = None  # None: every entity was screened
    screened_records: dict[str, str] = field(default_factory=dict)  # id -> hash screened
    entities_screened: int = 0
    based_on: int | None = None
    note: str | None = None
    keys: RecordKeys | None = None
    keys_digest: str | None = None  # the prefilter a delta run leaves for the next one
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    subjects: SubjectMap | None = None  # which subject each listing is (None: each its own)

    def touches(self, record_id: str, entity_id: str) -> bool:
        """Does this run decide the pair? (A full run decides every pair.)"""
        if self.changed_records is None or self.touched_entities is None:
            return True
        return record_id in self.changed_records or entity_id in self.touched_entities


def last_run(conn: Connection) -> Any:
    return conn.execute(select(t.watch_runs).order_by(t.watch_runs.c.id.desc()).limit(1)).first()


def take_snapshot(store: Store) -> Snapshot:
    """The current list versions, their entities' hashes, and the active records."""
    versions = {d.id: d.current for d in store.datasets() if d.current is not None}
    with store.connect() as conn:
        held = store.entity_hashes([v.id for v in versions.values()], conn=conn)
        dataset_of = {v.id: ds for ds, v in versions.items()}
        entities = {eid: (blob, vid, dataset_of[vid]) for vid, eid, blob in held}
        records = active_records(conn)
        last = last_run(conn)
    return Snapshot(versions, entities, records, last.id if last is not None else None)


def _prepare(
    records: Iterable[WatchedRecord], stats: dict[str, Any]
) -> list[tuple[WatchedRecord, Record]]:
    out = []
    for record in records:
        try:
            out.append((record, parse_query(record.query())))
        except QueryError as exc:  # validated on import; only a matcher change gets here
            stats.setdefault("unscreenable", []).append(f"{record.id}: {exc}")
    return out


def screen_into(
    plan: Plan,
    index: MatchIndex,
    prepared: list[tuple[WatchedRecord, Record]],
    workers: int = 1,
) -> None:
    """Screen prepared records against an index; add every match to the plan.

    With several ``workers``, forked processes share the loaded index and screen
    slices of ``prepared``; the plan is the same as on one process.
    """
    screener = Screener(index=index, threshold=plan.threshold)
    if workers > 1 and len(prepared) > RUN_CHUNK:
        screener.warm()  # built once here and shared by the forked workers
    entities = plan.snapshot.entities
    size = len(prepared)
    slices = ((s, min(s + RUN_CHUNK, size)) for s in range(0, size, RUN_CHUNK))
    state = (screener, prepared, plan.threshold)
    for matches in map_ordered(_screen_slice, slices, state, workers):
        for position, found in matches:
            record = prepared[position][0]
            for entity_id, caption, score, explanations in found:
                entity_hash, version_id, dataset = entities[entity_id]
                plan.hits[(record.id, entity_id)] = Hit(
                    record.id,
                    record.version,
                    record.hash,
                    record.caption,
                    entity_id,
                    entity_hash,
                    caption,
                    dataset,
                    version_id,
                    score,
                    explanations,
                )
    for record, _ in prepared:
        plan.screened_records[record.id] = record.hash


def _screen_slice(
    state: tuple[Screener, list[tuple[WatchedRecord, Record]], float], bounds: tuple[int, int]
) -> list[tuple[int, list[tuple[str, str, float, list[dict[str, Any]]]]]]:
    """(position, [(entity id, caption, score, explanations)]) of each record in a slice."""
    screener, prepared, threshold = state
    out = []
    for position in range(*bounds):
        query = prepared[position][1]
        result = screener.screen(query, threshold, limit=MAX_MATCHES, cutoff=threshold)
        found = [
            (m.record.id, m.record.caption, m.score.score, m.score.explanations)
            for m in result.results
        ]
        out.append((position, found))
    return out


def plan_full(
    store: Store,
    snapshot: Snapshot,
    threshold: float,
    note: str | None = None,
    workers: int = 1,
) -> Plan:
    """Screen every active record against every current entity (on ``workers`` processes)."""
    plan = Plan("full", snapshot, threshold, based_on=snapshot.last_run_id, note=note)
    clock = time.perf_counter()
    with store.connect() as conn:
        records = get_records(conn, list(snapshot.records))
    prepared = _prepare(records, plan.stats)
    plan.timings["prepare"] = time.perf_counter() - clock
    clock = time.perf_counter()
    index = load_index(store, list(snapshot.versions.values()))
    plan.entities_screened = len(index)
    plan.timings["index"] = time.perf_counter() - clock
    clock = time.perf_counter()
    screen_into(plan, index, prepared, workers)
    plan.stats["workers"] = workers
    plan.timings["screen"] = time.perf_counter() - clock
    clock = time.perf_counter()
    plan.keys = load_keys(keys_digest((r.id, r.hash) for r, _ in prepared))
    if plan.keys is None:  # records changed since the last prefilter was built
        plan.keys = RecordKeys((r.id, r.hash, q) for r, q in prepared)
        plan.keys.save()
    plan.keys_digest = plan.keys.digest
    plan.timings["prefilter"] = time.perf_counter() - clock
    return plan


def _entity_changes(
    store: Store, snapshot: Snapshot, old: dict[str, int]
) -> tuple[set[str], set[str]]:
    """Entity ids added or changed, and removed, between the old and current list versions."""
    new_or_changed: set[str] = set()
    removed: set[str] = set()
    for dataset, version in snapshot.versions.items():
        before = old.get(dataset)
        if before == version.id:
            continue
        if before is None:
            new_or_changed.update(e for e, v in snapshot.entities.items() if v[1] == version.id)
            continue
        diff = store.diff(dataset, str(before), str(version.id))
        for change in diff.changes:
            (removed if change.change == "removed" else new_or_changed).add(change.entity_id)
    gone = [v for ds, v in old.items() if ds not in snapshot.versions]
    if gone:
        removed.update(eid for _, eid, _ in store.entity_hashes(gone))
    return new_or_changed, removed


def _load_entities(store: Store, snapshot: Snapshot, ids: set[str]) -> list[Entity]:
    """The current content of some entities (straight from their blobs)."""
    by_version: dict[int, list[str]] = {}
    for entity_id in sorted(ids):
        by_version.setdefault(snapshot.entities[entity_id][1], []).append(entity_id)
    out: list[Entity] = []
    for wanted in by_version.values():
        hashes = [snapshot.entities[e][0] for e in wanted]
        found = store.entities_by_hash(hashes)
        out += [found[h] for h in hashes if h in found]
    return out


def delta_fallback(snapshot: Snapshot, run: Any, threshold: float) -> str | None:
    """Why a delta run cannot start from the last run (then a full run is made), or None."""
    if run is None:
        return "no previous run"
    stats = json.loads(run.stats or "{}")
    if abs(run.threshold - threshold) > 1e-9:
        return f"threshold changed ({run.threshold} -> {threshold})"
    if stats.get("matcher") != matcher_fingerprint():
        return f"the matcher changed since run {run.id}"
    return None


def plan_delta(store: Store, snapshot: Snapshot, run: Any, threshold: float) -> Plan:
    """Screen what changed since ``run``: new/changed records fully, the rest against new entities."""
    plan = Plan("delta", snapshot, threshold, based_on=run.id, keys_digest=run.keys_digest)
    clock = time.perf_counter()
    touched, removed = _entity_changes(store, snapshot, json.loads(run.list_versions))
    plan.changed_records = {r for r, (_, h, seen) in snapshot.records.items() if seen != h}
    plan.touched_entities = touched | removed
    plan.timings["diff"] = time.perf_counter() - clock
    if plan.changed_records:
        clock = time.perf_counter()
        with store.connect() as conn:
            prepared = _prepare(get_records(conn, sorted(plan.changed_records)), plan.stats)
        screen_into(plan, load_index(store, list(snapshot.versions.values())), prepared)
        plan.timings["changed_records"] = time.perf_counter() - clock
    if touched:
        clock = time.perf_counter()
        _screen_unchanged(store, plan, run, touched)
        plan.timings["new_entities"] = time.perf_counter() - clock
    plan.stats.update(entities_added_or_changed=len(touched), entities_removed=len(removed))
    return plan


def _screen_unchanged(store: Store, plan: Plan, run: Any, touched: set[str]) -> None:
    """Screen unchanged records against only the added and changed entities."""
    snapshot = plan.snapshot
    entities = prepare_records(_load_entities(store, snapshot, touched))
    # The full index's word frequencies: a pair scores here as in a full run.
    versions = list(snapshot.versions.values())
    small = MatchIndex(entities, frequencies=load_frequencies(store, versions))
    plan.entities_screened = len(small)
    changed = plan.changed_records or set()
    unchanged = {r: h for r, (_, h, _seen) in snapshot.records.items() if r not in changed}
    keys = load_keys(run.keys_digest)
    missing = [] if keys is None else [r for r, h in unchanged.items() if not keys.covers(r, h)]
    if keys is None or len(missing) > max(1000, MISSING_REBUILD * len(unchanged)):
        with store.connect() as conn:
            prepared = _prepare(get_records(conn, sorted(unchanged)), plan.stats)
        keys = RecordKeys((r.id, r.hash, q) for r, q in prepared)
        keys.save()
        missing = []
        plan.stats["prefilter_rebuilt"] = True
    plan.keys, plan.keys_digest = keys, keys.digest
    tokens = set().union(*(name_tokens(e) for e in entities)) if entities else set()
    idents = {i for e in entities for i in e.identifiers}
    floor = name_floor(plan.threshold)  # the matcher's own: moves with its weights
    names = [form for entity in entities for form in entity.names]
    touched_by = keys.touched_by(tokens, idents, floor, names)
    found = {r for r, h in touched_by if unchanged.get(r) == h}
    wanted = sorted(found | set(missing))
    plan.stats.update(prefilter_candidates=len(found), prefilter_missing=len(missing))
    with store.connect() as conn:
        prepared = _prepare(get_records(conn, wanted), plan.stats)
    screen_into(plan, small, prepared)
    for record_id in wanted:  # screened against new entities only: still "unchanged"
        plan.screened_records.pop(record_id, None)
