"""Invariants of the versioned store, checked one by one (used by ``sanctions doctor``).

* each dataset's current version exists, belongs to it, is complete (its entity
  rows number ``entity_count``) and is not a version held back from screening;
* each version's stored diff is exactly the difference between its entity map
  and its parent's, and its added/removed/changed counts agree with it;
* every entity row points at a blob, every blob's content matches its hash,
  and no row (blob, entity row, change row) belongs to nothing.

Each problem is one line naming the dataset, version, entity or blob.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select, text

from . import schema as t

__all__ = ["check_store", "UNUSABLE_STATUSES", "version_map"]

# Version statuses (added by the update gates) that must never be current.
UNUSABLE_STATUSES = frozenset({"held", "pending", "rejected"})


def version_map(conn: Connection, version_id: int) -> dict[str, str]:
    """Entity id -> blob hash of one version."""
    ve = t.version_entities
    rows = conn.execute(select(ve.c.entity_id, ve.c.hash).where(ve.c.version_id == version_id))
    return {r[0]: r[1] for r in rows}


def _status(row: Any) -> str | None:
    value = row._mapping.get("status")
    return str(value) if value is not None else None


def _check_datasets(conn: Connection, versions: dict[int, Any]) -> Iterator[str]:
    for row in conn.execute(select(t.datasets).order_by(t.datasets.c.id)):
        vid = row.current_version_id
        if vid is None:
            continue
        version = versions.get(vid)
        if version is None:
            yield f"dataset {row.id}: current version {vid} does not exist"
            continue
        if version.dataset != row.id:
            yield f"dataset {row.id}: current version {vid} belongs to {version.dataset}"
        status = _status(version)
        if status in UNUSABLE_STATUSES:
            yield f"dataset {row.id}: current version {vid} (v{version.seq}) is {status}"


class _Maps:
    """Entity maps of versions, the last few kept (parents are usually the previous one)."""

    def __init__(self, conn: Connection, keep: int = 3) -> None:
        self.conn, self.keep = conn, keep
        self.cache: dict[int, dict[str, str]] = {}

    def get(self, version_id: int) -> dict[str, str]:
        if version_id not in self.cache:
            if len(self.cache) >= self.keep:
                self.cache.pop(next(iter(self.cache)))
            self.cache[version_id] = version_map(self.conn, version_id)
        return self.cache[version_id]


def _stored_changes(conn: Connection, version_id: int) -> dict[str, tuple[str, Any, Any]]:
    c = t.changes
    rows = conn.execute(
        select(c.c.entity_id, c.c.change, c.c.old_hash, c.c.new_hash).where(
            c.c.version_id == version_id
        )
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def _expected_changes(old: dict[str, str], new: dict[str, str]) -> dict[str, tuple[str, Any, Any]]:
    out: dict[str, tuple[str, Any, Any]] = {}
    for eid in new.keys() - old.keys():
        out[eid] = ("added", None, new[eid])
    for eid in old.keys() - new.keys():
        out[eid] = ("removed", old[eid], None)
    for eid in new.keys() & old.keys():
        if new[eid] != old[eid]:
            out[eid] = ("changed", old[eid], new[eid])
    return out


def _check_version(
    conn: Connection, version: Any, versions: dict[int, Any], maps: _Maps
) -> list[str]:
    name = f"{version.dataset} v{version.seq} (version {version.id})"
    problems = []
    new = maps.get(version.id)
    if len(new) != version.entity_count:
        problems.append(
            f"{name}: {len(new):,} entity rows, the version says {version.entity_count:,} "
            "(incomplete)"
        )
    parent = versions.get(version.parent_id) if version.parent_id is not None else None
    if version.parent_id is not None and parent is None:
        problems.append(f"{name}: parent version {version.parent_id} does not exist")
        return problems
    if parent is not None and (parent.dataset != version.dataset or parent.seq >= version.seq):
        problems.append(
            f"{name}: parent version {parent.id} is not an earlier {version.dataset} version"
        )
    old = maps.get(parent.id) if parent is not None else {}
    expected = _expected_changes(old, new)
    stored = _stored_changes(conn, version.id)
    wrong = sorted(k for k in expected.keys() | stored.keys() if expected.get(k) != stored.get(k))
    if wrong:
        problems.append(
            f"{name}: stored diff disagrees with the entity maps for {len(wrong):,} entities "
            f"(first: {wrong[0]})"
        )
    for kind in ("added", "removed", "changed"):
        count = sum(1 for v in stored.values() if v[0] == kind)
        if count != getattr(version, kind):
            problems.append(
                f"{name}: {count:,} {kind} change rows, the version says {getattr(version, kind):,}"
            )
    return problems


def _check_blobs(conn: Connection) -> Iterator[str]:
    ve, b = t.version_entities, t.blobs
    dangling = conn.execute(
        select(ve.c.version_id, ve.c.entity_id, ve.c.hash)
        .select_from(ve.outerjoin(b, ve.c.hash == b.c.hash))
        .where(b.c.hash.is_(None))
    ).all()
    for row in dangling[:20]:
        yield f"version {row[0]}: entity {row[1]} points at missing blob {row[2][:16]}"
    if len(dangling) > 20:
        yield f"... and {len(dangling) - 20:,} more entity rows pointing at missing blobs"
    used = select(ve.c.hash).distinct().scalar_subquery()
    orphans = conn.execute(
        select(func.count()).select_from(b).where(b.c.hash.not_in(used))
    ).scalar()
    if orphans:
        yield f"{orphans:,} blobs belong to no version (left by a write that did not finish?)"
    query = select(b.c.hash, b.c.data)
    for blob_hash, data in conn.execution_options(yield_per=2000).execute(query):
        if hashlib.sha256(data.encode("utf-8")).hexdigest() != blob_hash:
            yield f"blob {blob_hash[:16]}: its content does not match its hash (edited in place)"


def _check_orphans(conn: Connection, versions: dict[int, Any]) -> Iterator[str]:
    datasets = {r[0] for r in conn.execute(select(t.datasets.c.id))}
    for version in versions.values():
        if version.dataset not in datasets:
            yield f"version {version.id}: dataset {version.dataset} does not exist"
    for table in (t.version_entities, t.changes):
        rows = conn.execute(
            select(table.c.version_id, func.count()).group_by(table.c.version_id)
        ).all()
        for version_id, count in rows:
            if version_id not in versions:
                yield f"{table.name}: {count:,} rows of version {version_id}, which does not exist"


def check_store(conn: Connection) -> list[str]:
    """Every broken invariant of the lists' part of the store, one line each."""
    # Every column, including ones added by other feature areas (a version's status).
    query = (
        select(text("*")).select_from(t.versions).order_by(t.versions.c.dataset, t.versions.c.seq)
    )
    versions = {r.id: r for r in conn.execute(query)}
    problems = list(_check_datasets(conn, versions))
    maps = _Maps(conn)
    for version in versions.values():
        problems += _check_version(conn, version, versions, maps)
    problems += _check_blobs(conn)
    problems += _check_orphans(conn, versions)
    return problems
