"""Cross-list resolution: cluster the listings of one real-world subject across lists.

    >>> result = Resolver(Store.open("lists.db")).run()
    >>> result.clusters, result.merged, result.mode

Steps (see :mod:`linking` and :mod:`clustering`):

1. read the current version of every dataset: the facts of each listing and its
   strong keys (:mod:`keys`), and the matcher's prepared records, both cached per
   listing content across versions (:mod:`inputs`);
2. link: strong keys, authority links, then name + date of birth + nationality
   with the matcher, blocked so that only plausible pairs are scored;
3. cluster under the constraints (never two listings of one dataset unless the
   authority or a manual merge links them; never across a manual split), record
   why each listing joined, and keep cluster ids stable;
4. store clusters and members in the ``coordination_*`` tables, in one transaction.

**Incremental**: the name links are kept in ``coordination_links``. When a
dataset has a new version, only the pairs touching its added or changed
listings are scored again (the store's diff tells which); links of removed or
changed listings are dropped. Keys and clustering are cheap and redone whole.
A change of the resolver's configuration (thresholds) forces a full run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import SQLAlchemyError

from sanctions.cache import gc_paused
from sanctions.chunks import chunked, insert_chunked
from sanctions.errors import StoreError
from sanctions.matching import Record
from sanctions.store import Store

from . import linking
from . import tables as ct
from .clustering import Cluster, assign_ids, build_clusters
from .history import first_seen_dates
from .inputs import load_inputs
from .linking import Link, Scored
from .records import name_tokens
from .strong_keys import ListingFacts
from .structure import decide_links, token_frequencies

log = logging.getLogger(__name__)

__all__ = [
    "Resolver",
    "ResolveResult",
    "load_inputs",
    "compute_links",
    "name_links_of",
    "resolve_listings",
    "stale_datasets",
    "refresh",
    "ever_resolved",
]

CONFIG_VERSION = "coord-3"


def config_fingerprint() -> str:
    """A hash of what decides links: a change means every link must be recomputed."""
    data = {
        "v": CONFIG_VERSION,
        "thresholds": linking.NAME_THRESHOLDS,
        "prefilter": linking.PREFILTER,
        "top": linking.TOP_FORMS,
        "bucket": linking.MAX_BUCKET,
        "floor": linking.SCORE_FLOOR,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class _Phases:
    """Wall and CPU seconds (of this process, not its workers) of each step of a run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            took = time.perf_counter() - started
            self.seconds[name] = round(self.seconds.get(name, 0.0) + took, 3)
            self.cpu[name] = round(self.cpu.get(name, 0.0) + time.process_time() - cpu, 3)


@dataclass
class ResolveResult:
    """What a run did."""

    mode: str  # full | incremental | unchanged
    listings: int
    clusters: int
    merged: int  # clusters with more than one listing
    links: dict[str, int] = field(default_factory=dict)
    rescored_pairs: int = 0
    dirty_datasets: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # seconds per step (inputs, stored, keys, candidates, scoring, decide, cluster, write):
    # wall, and CPU of the resolving process (its workers' CPU is not in it)
    phases: dict[str, float] = field(default_factory=dict)
    phases_cpu: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def compute_links(
    facts: dict[str, ListingFacts],
    records: Mapping[str, Record],
    dirty: set[str] | None = None,
    workers: int = 1,
) -> tuple[list[Link], list[Scored], int]:
    """(key and authority links, scored name pairs, pairs scored); names only for
    ``dirty`` pairs, scored on ``workers`` processes when there are many.
    :func:`name_links_of` decides which scored pairs link."""
    strong = list(linking.key_links(facts, records))
    strong += linking.authority_links(facts, records)
    datasets = {rid: facts[rid].dataset for rid in records}
    pairs = linking.candidate_pairs(records, datasets, dirty)
    scored = list(linking.scored_pairs(facts, records, pairs, workers))
    return strong, scored, len(pairs)


def name_links_of(
    scored: Iterable[Scored], facts: dict[str, ListingFacts], records: Mapping[str, Record]
) -> list[Link]:
    """The scored pairs that link, judged together (mutual best, margins, rare tokens)."""
    df = token_frequencies(
        (facts[rid].dataset, name_tokens(records, rid)) for rid in records if rid in facts
    )
    return decide_links(scored, facts, df)


def resolve_listings(
    facts: dict[str, ListingFacts],
    links: Iterable[Link],
    overrides: Iterable[dict[str, Any]] = (),
    previous: dict[str, str] | None = None,
) -> list[Cluster]:
    """Clusters of the listings from links and manual overrides, with stable ids."""
    all_links = list(links)
    apart: list[tuple[str, str]] = []
    isolated: list[str] = []
    for row in overrides:
        a, b, note = row["entity_a"], row.get("entity_b"), row.get("note") or ""
        if row["kind"] == "merge" and b:
            detail = f"manual merge #{row.get('id', '?')}" + (f": {note}" if note else "")
            all_links.append(Link(min(a, b), max(a, b), "manual", detail, 1.0))
        elif row["kind"] == "split" and b:
            apart.append((a, b))
        elif row["kind"] == "split":
            isolated.append(a)
    datasets = {eid: f.dataset for eid, f in facts.items()}
    clusters = build_clusters(datasets, all_links, apart, isolated)
    return assign_ids(clusters, previous or {})


SCOPE_ALL = "*"  # the last resolve took every list (else only the lists in the state)


def _read_state(store: Store) -> dict[str, tuple[int | None, str]]:
    with store.connect() as conn:
        return {r.dataset: (r.version_id, r.content_hash) for r in conn.execute(select(ct.state))}


def _scope(state: dict[str, tuple[int | None, str]]) -> list[str] | None:
    """The lists the last resolve took: None for all (also when there was none)."""
    if not state or state.get("__scope__", (None, SCOPE_ALL))[1] == SCOPE_ALL:
        return None
    return sorted(d for d in state if not d.startswith("__"))


def stale_datasets(store: Store) -> list[str]:
    """The lists whose current version is not the one last resolved; ``["(resolver
    configuration)"]`` when the configuration changed. Empty: up to date. A list
    loaded since is stale too, unless the last resolve was limited to some lists
    (``resolve --dataset``): then only those are looked at."""
    state = _read_state(store)
    if state and state.get("__config__", (None, ""))[1] != config_fingerprint():
        return ["(resolver configuration)"]
    scope = _scope(state)
    return sorted(
        d.id
        for d in store.datasets()
        if d.current is not None
        and (scope is None or d.id in scope)
        and state.get(d.id, (None, ""))[0] != d.current.id
    )


def ever_resolved(store: Store) -> bool:
    """Whether the store's listings were ever resolved (its subjects are in use)."""
    return bool(_read_state(store))


def refresh(store: Store) -> ResolveResult | None:
    """Resolve incrementally when a list changed since the last resolve (None: nothing to do),
    over the same lists as the last resolve.

    What the reports' commands call first, so that they never answer from stale clusters.
    """
    if not stale_datasets(store):
        return None
    return Resolver(store, _scope(_read_state(store))).run()


class Resolver:
    """Computes and stores the clusters of a store's current list versions."""

    def __init__(
        self, store: Store, datasets: Iterable[str] | None = None, workers: int | None = None
    ) -> None:
        """``workers``: processes for the big steps of a full run (default 1: with free
        cores two workers halve a cold run, on a loaded machine they were slower)."""
        self.store = store
        self.datasets = list(datasets) if datasets is not None else None
        self.workers = workers or 1

    def _state(self, conn: Connection) -> dict[str, tuple[int | None, str]]:
        rows = conn.execute(select(ct.state)).all()
        return {r.dataset: (r.version_id, r.content_hash) for r in rows}

    def _dirty(
        self, state: dict[str, tuple[int | None, str]], versions: list[Any]
    ) -> tuple[set[str] | None, list[str], set[str]]:
        """(dirty entity ids or None for a full run, dirty datasets, removed/changed ids)."""
        if state.get("__config__", (None, ""))[1] != config_fingerprint():
            return None, sorted(v.dataset for v in versions), set()
        dirty: set[str] = set()
        gone: set[str] = set()
        names: list[str] = []
        for version in versions:
            old = state.get(version.dataset)
            if old is not None and old[0] == version.id:
                continue
            names.append(version.dataset)
            if old is None:
                ids = {e.id for e in self.store.iter_entities(version_ids=[version.id])}
                dirty |= ids
                continue
            diff = self.store.diff(version.dataset, from_ref=old[0], to_ref=version.id)
            for change in diff.changes:
                if change.change in ("added", "changed"):
                    dirty.add(change.entity_id)
                if change.change in ("removed", "changed"):
                    gone.add(change.entity_id)
        return dirty, names, gone

    def run(self, full: bool = False) -> ResolveResult:
        """Resolve (incrementally unless ``full`` or the configuration changed) and store."""
        # Tens of thousands of records and facts: the cyclic GC would scan them again and
        # again (a third of the time); the run makes no garbage cycles worth collecting.
        with gc_paused():
            return self._run(full)

    def _run(self, full: bool) -> ResolveResult:
        started = time.perf_counter()
        phase = _Phases()
        with phase("inputs"):
            facts, records, versions = load_inputs(self.store, self.datasets, workers=self.workers)
        with phase("stored"):
            with self.store.connect() as conn:
                state = self._state(conn)
                stored, legacy = _stored_pairs(conn)
                previous = dict(
                    conn.execute(select(ct.members.c.entity_id, ct.members.c.cluster_id)).all()
                )
                overrides = [
                    dict(r._mapping)
                    for r in conn.execute(select(ct.overrides).order_by(ct.overrides.c.id))
                ]
            dirty, dirty_datasets, gone = (
                (None, [v.dataset for v in versions], set())
                if full
                else self._dirty(state, versions)
            )
        kept = []
        if dirty is not None:
            drop = dirty | gone
            kept = [
                k
                for k in stored
                if k.a in facts and k.b in facts and k.a not in drop and k.b not in drop
            ]
        with phase("keys"):
            strong = list(linking.key_links(facts, records))
            strong += linking.authority_links(facts, records)
        names: list[Scored] = []
        rescored = 0
        if dirty is None or dirty:
            with phase("candidates"):
                datasets = {rid: facts[rid].dataset for rid in records}
                pairs = linking.candidate_pairs(records, datasets, dirty)
            with phase("scoring"):
                names = list(linking.scored_pairs(facts, records, pairs, self.workers))
                rescored = len(pairs)
        with phase("decide"):
            scored = list({(k.a, k.b): k for k in kept + names}.values())
            name_links = name_links_of(scored, facts, records)
        with phase("cluster"):
            clusters = resolve_listings(facts, strong + name_links, overrides, previous)
        with phase("write"):
            if dirty is None:  # a full run rewrites every scored pair
                self._write(facts, clusters, versions, scored, None)
            else:  # only the pairs dropped (changed, removed listings) and those scored anew
                keep = {(k.a, k.b) for k in kept}
                dropped = legacy + [(k.a, k.b) for k in stored if (k.a, k.b) not in keep]
                self._write(facts, clusters, versions, names, dropped)
        kinds: dict[str, int] = {}
        for link in strong + name_links:
            kinds[link.kind] = kinds.get(link.kind, 0) + 1
        mode = "full" if dirty is None else ("incremental" if dirty_datasets else "unchanged")
        return ResolveResult(
            mode=mode,
            listings=len(facts),
            clusters=len(clusters),
            merged=sum(1 for c in clusters if len(c.members) > 1),
            links=kinds,
            rescored_pairs=rescored,
            dirty_datasets=dirty_datasets,
            seconds=round(time.perf_counter() - started, 2),
            phases=phase.seconds,
            phases_cpu=phase.cpu,
        )

    def _write(
        self,
        facts: dict[str, ListingFacts],
        clusters: list[Cluster],
        versions: list[Any],
        scored: list[Scored],
        dropped: list[tuple[str, str]] | None,
    ) -> None:
        """Store the run in one transaction. Clusters and members are compared with the
        stored rows and only the rows that changed are rewritten (after an update most
        clusters are as they were); scored pairs: all of them on a full run (``dropped``
        None), else the ``dropped`` pairs are deleted and the new ``scored`` ones added."""
        first_seen = first_seen_dates(self.store, [v.dataset for v in versions])
        now = _now()
        try:
            with self.store.begin() as conn:
                created = dict(
                    conn.execute(select(ct.clusters.c.id, ct.clusters.c.created_at)).all()
                )
                rows = [_cluster_row(c, facts, created.get(c.id, now), now) for c in clusters]
                _sync(conn, ct.clusters, "id", rows, ignore=("updated_at",))
                rows = [
                    _member_row(m, c.id, facts, first_seen) for c in clusters for m in c.members
                ]
                _sync(conn, ct.members, "entity_id", rows)
                if dropped is None:
                    conn.execute(delete(ct.links))
                else:
                    _delete(conn, ct.links, ("entity_a", "entity_b"), dropped)
                _insert(conn, ct.links, [_scored_row(k) for k in scored])
                conn.execute(delete(ct.state))
                _insert(conn, ct.state, _state_rows(versions, now, self.datasets is None))
        except SQLAlchemyError as exc:
            raise StoreError(f"could not store clusters: {exc.__class__.__name__}: {exc}") from exc


def _sync(
    conn: Connection,
    table: Any,
    key: str,
    rows: list[dict[str, Any]],
    ignore: tuple[str, ...] = (),
) -> None:
    """Make ``table`` hold ``rows``: delete the stored rows that are gone or differ (but
    for the ``ignore`` columns) and insert the new and changed ones. The stored rows are
    read as plain tuples through the driver (tens of thousands of them)."""
    compare = [c.name for c in table.c if c.name != key and c.name not in ignore]
    quote = conn.dialect.identifier_preparer.quote
    sql = f"SELECT {', '.join(quote(c) for c in [key, *compare])} FROM {quote(table.name)}"
    old = {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql(sql).fetchall()}  # one fetch
    values = itemgetter(*compare)  # a row's compared values, as one tuple (2+ columns)
    changed, stale = [], []
    for row in rows:
        stored = old.pop(row[key], None)
        if stored is None or stored != values(row):
            changed.append(row)
            if stored is not None:
                stale.append((row[key],))
    stale += [(k,) for k in old]  # rows no longer produced
    _delete(conn, table, (key,), stale)
    _insert(conn, table, changed)


def _stored_pairs(conn: Connection) -> tuple[list[Scored], list[tuple[str, str]]]:
    """(the scored pairs of the last run, the pairs stored without evidence: before 0011)."""
    rows = conn.execute(select(ct.links)).all()
    stored = [
        Scored.from_row(r.entity_a, r.entity_b, r.score, r.detail, json.loads(r.evidence))
        for r in rows
        if r.evidence
    ]
    return stored, [(r.entity_a, r.entity_b) for r in rows if not r.evidence]


def _scored_row(pair: Scored) -> dict[str, Any]:
    return {
        "entity_a": pair.a,
        "entity_b": pair.b,
        "score": pair.score,
        "detail": pair.detail,
        "evidence": json.dumps(pair.to_json(), ensure_ascii=False),
    }


def _state_rows(versions: list[Any], now: str, every: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "dataset": v.dataset,
            "version_id": v.id,
            "content_hash": v.content_hash,
            "resolved_at": now,
        }
        for v in versions
    ]
    config = {"dataset": "__config__", "version_id": None, "content_hash": config_fingerprint()}
    rows.append({**config, "resolved_at": now})
    scope = {
        "dataset": "__scope__",
        "version_id": None,
        "content_hash": SCOPE_ALL if every else "-",
    }
    rows.append({**scope, "resolved_at": now})
    return rows


_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
WRITE_CHUNK = 5000  # rows in one executemany of the cluster tables


def _insert(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows: one prepared statement through the driver's executemany (the
    per-row parameter handling of a Core ``insert()`` is most of the time otherwise)."""
    if not rows:
        return
    mark = _MARKS.get(conn.dialect.paramstyle)
    if mark is None:  # a driver of another parameter style: the store's Core inserts
        insert_chunked(conn, table, rows, WRITE_CHUNK)
        return
    columns = list(rows[0])
    values = itemgetter(*columns)
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    for chunk in chunked(rows, WRITE_CHUNK):
        conn.exec_driver_sql(sql, [values(r) for r in chunk])


def _delete(
    conn: Connection, table: Any, columns: tuple[str, ...], keys: Sequence[tuple[Any, ...]]
) -> None:
    """Delete the rows of these key values, in batches through the driver's executemany."""
    if not keys:
        return
    mark = _MARKS.get(conn.dialect.paramstyle)
    quote = conn.dialect.identifier_preparer.quote
    where = " AND ".join(f"{quote(c)} = {mark or '?'}" for c in columns)
    sql = f"DELETE FROM {quote(table.name)} WHERE {where}"
    for chunk in chunked(keys, WRITE_CHUNK):
        if mark is None:
            for values in chunk:
                clause = [table.c[c] == v for c, v in zip(columns, values, strict=True)]
                conn.execute(delete(table).where(*clause))
        else:
            conn.exec_driver_sql(sql, list(chunk))


def _cluster_row(
    cluster: Cluster, facts: dict[str, ListingFacts], created: str, now: str
) -> dict[str, Any]:
    seed = facts[cluster.members[0].entity_id]
    return {
        "id": cluster.id,
        "size": len(cluster.members),
        "datasets": ",".join(cluster.datasets),
        "schema": seed.schema,
        "caption": seed.caption,
        "created_at": created,
        "updated_at": now,
    }


@lru_cache(maxsize=65536)
def _json_list(values: tuple[str, ...], ascii_only: bool = False) -> str:
    """A list as the JSON the members table holds (most listings share a few lists)."""
    return json.dumps(list(values), ensure_ascii=ascii_only)


def _member_row(
    member: Any, cluster_id: str, facts: dict[str, ListingFacts], first_seen: dict[str, str]
) -> dict[str, Any]:
    fact = facts[member.entity_id]
    return {
        "entity_id": member.entity_id,
        "cluster_id": cluster_id,
        "dataset": fact.dataset,
        "schema": fact.schema,
        "caption": fact.caption,
        "programmes": _json_list(tuple(fact.programmes)),
        "regimes": ",".join(sorted(fact.regimes)),
        "listed_on": fact.listed_on,
        "first_seen": first_seen.get(member.entity_id),
        "birth_dates": _json_list(tuple(fact.birth_dates), True),
        "reason": member.reason,
        "via": member.via,
        "detail": member.detail,
        "score": member.score,
        "evidence": json.dumps(member.evidence) if member.evidence else None,
    }
