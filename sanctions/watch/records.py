"""Watched records: customers and counterparties under continuous screening.

A record is the user's own id plus an FtM-shaped query (``schema`` and
``properties``: names, birth date, nationality, identifiers...). Its content
hash is taken over the canonical JSON of schema and properties (values
trimmed, de-duplicated and sorted), so an edit that changes anything makes a
new version and a re-import of the same data changes nothing.

Every write here happens in one transaction with its audit entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from sanctions import audit
from sanctions.chunks import chunked, insert_chunked
from sanctions.errors import NotFoundError
from sanctions.screening.query import QueryError, parse_query

from . import schema as t

__all__ = [
    "WatchedRecord",
    "ImportReport",
    "RecordChange",
    "make_record_data",
    "record_hash",
    "upsert_records",
    "mark_records_removed",
    "get_records",
    "page_records",
    "active_records",
]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class WatchedRecord:
    """One watched record as it is now, with its current version."""

    id: str
    schema: str
    caption: str
    version: int
    hash: str
    status: str
    properties: dict[str, list[str]] = field(default_factory=dict)
    screened_hash: str | None = None
    updated_at: str | None = None

    def query(self) -> dict[str, Any]:
        """The FtM query the screener takes."""
        return {"id": self.id, "schema": self.schema, "properties": self.properties}

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RecordChange:
    """What an add/update/remove did to one record."""

    id: str
    change: str  # added | updated | unchanged | removed | readded
    version: int
    hash: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ImportReport:
    """Counts of an import, and the rows that could not be used (with their lines)."""

    source: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # how the file was read (encoding...)

    def summary(self) -> str:
        return (
            f"{self.source}: {self.rows:,} rows: {self.added:,} added, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged, {self.removed:,} removed, "
            f"{len(self.errors):,} errors ({self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def make_record_data(schema: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical content of a record: values trimmed, de-duplicated and sorted."""
    props: dict[str, list[str]] = {}
    for prop, raw in properties.items():
        items = raw if isinstance(raw, (list, tuple, set)) else [raw]
        values = sorted({str(v).strip() for v in items if v is not None and str(v).strip()})
        if values:
            props[str(prop)] = values
    return {"schema": schema, "properties": dict(sorted(props.items()))}


def record_hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()


def _caption(data: Mapping[str, Any]) -> str:
    props = data["properties"]
    for prop in ("name", "alias"):
        if props.get(prop):
            return str(props[prop][0])
    parts = [props[p][0] for p in ("firstName", "middleName", "lastName") if props.get(p)]
    return " ".join(parts) or "(no name)"


def validate(record_id: str, data: Mapping[str, Any]) -> None:
    """Raise :class:`QueryError` when the record could not be screened."""
    if not record_id or len(record_id) > 200:
        raise QueryError("a watched record needs an id of 1 to 200 characters")
    parse_query({"id": record_id, **data})


def _existing(conn: Connection, ids: list[str] | None) -> dict[str, tuple[int, str, str]]:
    r = t.watch_records
    query = select(r.c.id, r.c.version, r.c.hash, r.c.status)
    rows: list[Any] = []
    if ids is None:
        rows = list(conn.execute(query).all())
    else:
        for chunk in chunked(ids):
            rows += conn.execute(query.where(t.watch_records.c.id.in_(chunk))).all()
    return {r[0]: (int(r[1]), str(r[2]), str(r[3])) for r in rows}


def upsert_records(
    conn: Connection,
    records: Iterable[tuple[str, dict[str, Any]]],
    actor: str,
    source: str | None = None,
    known: dict[str, tuple[int, str, str]] | None = None,
) -> list[RecordChange]:
    """Add new records and new versions of changed ones (records must be validated)."""
    records = list(records)
    existing = known if known is not None else _existing(conn, [r[0] for r in records])
    stamp = now()
    versions, inserts, updates, changes = [], [], [], []
    for record_id, data in records:
        digest = record_hash(data)
        old = existing.get(record_id)
        if old is not None and old[2] == "active" and old[1] == digest:
            changes.append(RecordChange(record_id, "unchanged", old[0], digest))
            continue
        version = 1 if old is None else old[0] + 1
        kind = "added" if old is None else ("updated" if old[2] == "active" else "readded")
        changes.append(RecordChange(record_id, kind, version, digest))
        existing[record_id] = (version, digest, "active")
        versions.append(
            {
                "record_id": record_id,
                "version": version,
                "hash": digest,
                "data": dumps(data),
                "created_at": stamp,
                "actor": actor,
                "source": source,
            }
        )
        row = {"schema": data["schema"], "caption": _caption(data), "version": version}
        row.update(hash=digest, status="active", updated_at=stamp)
        if old is None:
            inserts.append({"id": record_id, "screened_hash": None, "created_at": stamp, **row})
        else:
            updates.append({"rid": record_id, **row})
    _write_records(conn, versions, inserts, updates)
    return changes


def _write_records(
    conn: Connection,
    versions: list[dict[str, Any]],
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
) -> None:
    insert_chunked(conn, t.watch_record_versions, versions)
    insert_chunked(conn, t.watch_records, inserts)
    if updates:  # screened_hash stays: it no longer equals the hash, so the record is re-screened
        values: dict[str, Any] = {k: bindparam(k) for k in updates[0] if k != "rid"}
        stmt = update(t.watch_records).where(t.watch_records.c.id == bindparam("rid"))
        conn.execute(stmt.values(**values), updates)


def mark_records_removed(conn: Connection, ids: Iterable[str]) -> list[RecordChange]:
    """Mark records removed. Their alerts stay as they are: use
    :func:`sanctions.watch.alerts.remove_records`, which also closes them."""
    ids = list(dict.fromkeys(ids))
    existing = _existing(conn, ids)
    missing = [i for i in ids if i not in existing or existing[i][2] != "active"]
    if missing:
        raise NotFoundError(f"no watched record {missing[0]!r} (or it was removed already)")
    stamp = now()
    conn.execute(
        update(t.watch_records)
        .where(t.watch_records.c.id == bindparam("rid"))
        .values(status="removed", screened_hash=None, updated_at=stamp),
        [{"rid": i} for i in ids],
    )
    return [RecordChange(i, "removed", existing[i][0], existing[i][1]) for i in ids]


def _to_record(row: Any, data: str) -> WatchedRecord:
    parsed = json.loads(data)
    return WatchedRecord(
        id=row.id,
        schema=row.schema,
        caption=row.caption,
        version=row.version,
        hash=row.hash,
        status=row.status,
        properties=parsed["properties"],
        screened_hash=row.screened_hash,
        updated_at=row.updated_at,
    )


def _record_query() -> Any:
    r, v = t.watch_records, t.watch_record_versions
    return select(r, v.c.data).select_from(
        r.join(v, (v.c.record_id == r.c.id) & (v.c.version == r.c.version))
    )


def get_records(
    conn: Connection, ids: Iterable[str] | None = None, status: str | None = "active"
) -> list[WatchedRecord]:
    """Records (all, or by id) with their current content, ordered by id."""
    query = _record_query().order_by(t.watch_records.c.id)
    if status is not None:
        query = query.where(t.watch_records.c.status == status)
    if ids is None:
        return [_to_record(row, row.data) for row in conn.execute(query)]
    wanted = list(ids)
    out: list[WatchedRecord] = []
    for chunk in chunked(wanted):
        rows = conn.execute(query.where(t.watch_records.c.id.in_(chunk)))
        out += [_to_record(row, row.data) for row in rows]
    return sorted(out, key=lambda r: r.id)


def page_records(
    conn: Connection,
    status: str | None = "active",
    limit: int = 100,
    offset: int = 0,
    after: str | None = None,
) -> tuple[int, list[WatchedRecord]]:
    """One page of records by id, read with LIMIT/OFFSET (or after an id: keyset), and the
    count of records with the status; never loads the others."""
    r = t.watch_records
    count = select(func.count()).select_from(r)
    query = _record_query().order_by(r.c.id)
    if status is not None:
        count = count.where(r.c.status == status)
        query = query.where(r.c.status == status)
    if after is not None:
        query = query.where(r.c.id > after)
    query = query.limit(limit).offset(offset)
    total = int(conn.execute(count).scalar() or 0)
    return total, [_to_record(row, row.data) for row in conn.execute(query)]


def active_records(conn: Connection) -> dict[str, tuple[int, str, str | None]]:
    """Every active record: id -> (version, hash, screened hash). No content: cheap."""
    r = t.watch_records
    rows = conn.execute(
        select(r.c.id, r.c.version, r.c.hash, r.c.screened_hash).where(r.c.status == "active")
    )
    return {row[0]: (int(row[1]), str(row[2]), row[3]) for row in rows}


def record_version_data(conn: Connection, record_id: str, version: int) -> dict[str, Any] | None:
    """The content of one version of a record (for showing what changed)."""
    v = t.watch_record_versions
    data = conn.execute(
        select(v.c.data).where((v.c.record_id == record_id) & (v.c.version == version))
    ).scalar()
    return None if data is None else json.loads(data)


def audit_changes(
    conn: Connection, changes: list[RecordChange], actor: str, details: dict[str, Any]
) -> None:
    """One audit entry per changed record (unchanged ones are not logged)."""
    events = [
        (
            actor,
            f"record.{c.change}",
            f"record:{c.id}",
            {"version": c.version, "hash": c.hash, **details},
        )
        for c in changes
        if c.change != "unchanged"
    ]
    audit.append_many(conn, events)
