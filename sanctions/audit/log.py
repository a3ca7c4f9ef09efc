"""Appending to, verifying and exporting the hash-chained audit log.

Entry ``n`` stores ``prev_hash`` (the hash of entry ``n - 1``, or
:data:`GENESIS` for the first) and ``hash = sha256(prev_hash + "\\n" +
canonical)``, where ``canonical`` is the JSON array ``[id, at, actor, action,
subject, details]``. Changing any field of any row, deleting a row or cutting
entries off the end breaks the chain at a place :func:`verify` names.

The chain proves the log was not edited *after* the fact by someone who can
write to the database but not recompute every later hash; anchoring the last
hash elsewhere (``sanctions audit verify`` prints it) closes the remaining gap.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, insert, select, update

from sanctions.csvsafe import SafeDictWriter
from sanctions.errors import StoreError

from .schema import audit_head, audit_log

__all__ = [
    "GENESIS",
    "AuditEntry",
    "VerifyResult",
    "append",
    "append_many",
    "current_actor",
    "export_csv",
    "export_jsonl",
    "iter_entries",
    "lock",
    "verify",
]

GENESIS = "0" * 64
EXPORT_COLUMNS = ["id", "at", "actor", "action", "subject", "details", "prev_hash", "hash"]


def current_actor() -> str:
    """Who is acting: ``SANCTIONS_ACTOR``, else the operating-system user."""
    actor = os.environ.get("SANCTIONS_ACTOR", "").strip()
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _canonical_details(details: Mapping[str, Any] | None) -> str:
    return json.dumps(
        dict(details or {}), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def entry_hash(
    prev_hash: str, entry_id: int, at: str, actor: str, action: str, subject: str, details: str
) -> str:
    """The hash of one entry: over the previous hash and the entry's every field."""
    canonical = json.dumps(
        [entry_id, at, actor, action, subject, details], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One event of the log."""

    id: int
    at: str
    actor: str
    action: str
    subject: str
    details: str  # canonical JSON, as hashed
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["details"] = json.loads(self.details)
        return data

    def describe(self) -> str:
        return f"entry {self.id} ({self.at}, {self.action} {self.subject} by {self.actor})"


def lock(conn: Connection) -> tuple[int, str]:
    """Lock the log for this transaction (appends wait) and return (last id, last hash).

    Callers that must serialise a whole transaction (a screening run) take it first.
    """
    query = select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        row = conn.execute(query.with_for_update()).first()
    else:  # SQLite: write first, so that the read happens under the write lock
        conn.execute(
            update(audit_head).where(audit_head.c.id == 1).values(last_id=audit_head.c.last_id)
        )
        row = conn.execute(query).first()
    if row is None:
        raise StoreError("the audit log has no head row: the store was not migrated")
    return int(row[0]), str(row[1])


def append_many(
    conn: Connection,
    events: Iterable[tuple[str, str, str, Mapping[str, Any] | None]],
) -> list[AuditEntry]:
    """Append ``(actor, action, subject, details)`` events in order, in the caller's transaction."""
    events = list(events)
    if not events:
        return []
    last_id, last_hash = lock(conn)
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    entries = []
    for actor, action, subject, details in events:
        last_id += 1
        text = _canonical_details(details)
        digest = entry_hash(last_hash, last_id, at, actor, action, subject, text)
        entries.append(AuditEntry(last_id, at, actor, action, subject, text, last_hash, digest))
        last_hash = digest
    rows = [dict(e.__dict__) for e in entries]
    for i in range(0, len(rows), 2000):
        conn.execute(insert(audit_log), rows[i : i + 2000])
    conn.execute(
        update(audit_head).where(audit_head.c.id == 1).values(last_id=last_id, last_hash=last_hash)
    )
    return entries


def append(
    conn: Connection,
    actor: str,
    action: str,
    subject: str,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one event (who, what, to what, and the details: why, counts, ids)."""
    return append_many(conn, [(actor, action, subject, details)])[0]


def iter_entries(engine: Engine, since: int = 0) -> Iterator[AuditEntry]:
    """Every entry after ``since``, oldest first, streamed."""
    query = select(audit_log).where(audit_log.c.id > since).order_by(audit_log.c.id)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=2000).execute(query):
            yield AuditEntry(**row._mapping)


@dataclass
class VerifyResult:
    """The outcome of checking the chain: how far it holds, and where it breaks."""

    ok: bool
    checked: int
    last_hash: str
    broken_id: int | None = None
    problem: str | None = None

    def summary(self) -> str:
        if self.ok:
            return f"audit log intact: {self.checked:,} entries, last hash {self.last_hash}"
        return f"audit log BROKEN at entry {self.broken_id}: {self.problem}"

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _check_entry(entry: AuditEntry, expected_id: int, prev_hash: str) -> str | None:
    if entry.id != expected_id:
        return (
            f"{entry.describe()} follows entry {expected_id - 1}: "
            f"entries {expected_id}..{entry.id - 1} were removed"
        )
    if entry.prev_hash != prev_hash:
        return (
            f"{entry.describe()} does not chain to entry {entry.id - 1}: "
            "the previous entry was changed or replaced"
        )
    digest = entry_hash(
        entry.prev_hash,
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.subject,
        entry.details,
    )
    if digest != entry.hash:
        return f"{entry.describe()}: its content does not match its hash (the row was edited)"
    return None


def verify(engine: Engine) -> VerifyResult:
    """Recompute the chain from the first entry; report the first broken one."""
    prev_hash, expected = GENESIS, 1
    for entry in iter_entries(engine):
        problem = _check_entry(entry, expected, prev_hash)
        if problem is not None:
            return VerifyResult(False, expected - 1, prev_hash, entry.id, problem)
        prev_hash, expected = entry.hash, expected + 1
    with engine.connect() as conn:
        head = conn.execute(
            select(audit_head.c.last_id, audit_head.c.last_hash).where(audit_head.c.id == 1)
        ).first()
    checked = expected - 1
    if head is None:
        return VerifyResult(False, checked, prev_hash, checked + 1, "the head row is missing")
    if (int(head[0]), str(head[1])) != (checked, prev_hash):
        problem = (
            f"the log ends at entry {checked} but its head records entry {head[0]}: "
            "entries were removed from the end (or the head was edited)"
        )
        return VerifyResult(False, checked, prev_hash, checked + 1, problem)
    return VerifyResult(True, checked, prev_hash)


def export_jsonl(engine: Engine, out: IO[str], since: int = 0) -> int:
    """Write entries as JSON lines (details as an object); returns how many."""
    count = 0
    for entry in iter_entries(engine, since):
        out.write(json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count


def export_csv(engine: Engine, out: IO[str], since: int = 0) -> int:
    """Write entries as CSV (details as its canonical JSON text, so hashes can be rechecked).

    Cells are formula-safe (:mod:`sanctions.csvsafe`): a text cell starting with
    ``= + - @`` or a tab gets a leading ``'``; strip it before rechecking a hash,
    or recheck from the JSON lines export, which is written unchanged.
    """
    writer = SafeDictWriter(out, EXPORT_COLUMNS)
    writer.writeheader()
    count = 0
    for entry in iter_entries(engine, since):
        writer.writerow(dict(entry.__dict__))
        count += 1
    return count
