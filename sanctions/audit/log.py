"""Appending to, verifying and exporting the hash-chained audit log.

Entry ``n`` stores ``prev_hash`` (the hash of entry ``n - 1``, or
:data:`GENESIS` for the first) and ``hash = sha256(prev_hash + "\\n" +
canonical)``, where ``canonical`` is the JSON array ``[id, at, actor, action,
subject, details]``. Changing any field of any row, deleting a row or cutting
entries off the end breaks the chain at a place :func:`verify` names.

The chain proves the log was not edited *after* the fact by someone who can
write to the database but not recompute every later hash. Two anchors outside
the database close the remaining gap (see :mod:`.seal`): the exported head
(``sanctions audit head``, checked with ``verify(expect=...)``) and MACs made
with a key the database does not hold (``SANCTIONS_AUDIT_KEY``).
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import Connection, Engine, select, update

from sanctions.chunks import insert_chunked
from sanctions.csvsafe import SafeDictWriter
from sanctions.errors import StoreError

from .schema import audit_head, audit_log
from .seal import Head, audit_key, entry_mac, head_mac, macs_equal, parse_head

__all__ = [
    "GENESIS",
    "AuditEntry",
    "VerifyResult",
    "append",
    "append_many",
    "current_actor",
    "export_csv",
    "export_jsonl",
    "head",
    "iter_entries",
    "lock",
    "verify",
]

GENESIS = "0" * 64
EXPORT_COLUMNS = ["id", "at", "actor", "action", "subject", "details", "prev_hash", "hash", "mac"]


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
    mac: str | None = None  # HMAC of the hash with the audit key (None: written without one)

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
    last_id, last_hash, _mac = _lock_head(conn)
    return last_id, last_hash


def _lock_head(conn: Connection) -> tuple[int, str, str | None]:
    h = audit_head.c
    query = select(h.last_id, h.last_hash, h.mac).where(h.id == 1)
    if conn.dialect.name == "postgresql":
        row = conn.execute(query.with_for_update()).first()
    else:  # SQLite: write first, so that the read happens under the write lock
        conn.execute(update(audit_head).where(h.id == 1).values(last_id=h.last_id))
        row = conn.execute(query).first()
    if row is None:
        raise StoreError("the audit log has no head row: the store was not migrated")
    return int(row[0]), str(row[1]), row[2]


def append_many(
    conn: Connection,
    events: Iterable[tuple[str, str, str, Mapping[str, Any] | None]],
) -> list[AuditEntry]:
    """Append ``(actor, action, subject, details)`` events in order, in the caller's transaction.

    With an audit key set (:func:`~sanctions.audit.seal.audit_key`) each entry and
    the head get their MAC. A log already sealed with a key refuses appends
    without one: they would leave entries nobody can vouch for.
    """
    events = list(events)
    if not events:
        return []
    key = audit_key()
    last_id, last_hash, head_mac_now = _lock_head(conn)
    if key is None and head_mac_now is not None:
        raise StoreError(
            "this store's audit log is sealed with a key: set SANCTIONS_AUDIT_KEY or "
            "SANCTIONS_AUDIT_KEY_FILE (nothing was changed)"
        )
    at = datetime.now(UTC).isoformat(timespec="microseconds")
    entries = []
    for actor, action, subject, details in events:
        last_id += 1
        text = _canonical_details(details)
        digest = entry_hash(last_hash, last_id, at, actor, action, subject, text)
        mac = entry_mac(key, digest) if key is not None else None
        entries.append(
            AuditEntry(last_id, at, actor, action, subject, text, last_hash, digest, mac)
        )
        last_hash = digest
    rows = [dict(e.__dict__) for e in entries]
    insert_chunked(conn, audit_log, rows)
    new_head_mac = head_mac(key, last_id, last_hash) if key is not None else None
    conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(last_id=last_id, last_hash=last_hash, mac=new_head_mac)
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
    """The outcome of checking the chain: how far it holds, and where it breaks.

    ``anchored`` says what the check was anchored to outside the database: the
    key (``"key"``), an exported head (``"head"``), both, or nothing (then a
    complete rewrite by someone with write access to the database cannot be
    told apart from the real log). ``state_problems`` lists rows of other
    tables (alerts, decisions) that disagree with the log.
    """

    ok: bool
    checked: int
    last_hash: str
    broken_id: int | None = None
    problem: str | None = None
    macs: int = 0
    anchored: list[str] = field(default_factory=list)
    state_problems: list[str] = field(default_factory=list)

    @property
    def head(self) -> str:
        return str(Head(self.checked, self.last_hash))

    def add_state_problems(self, problems: Iterable[str]) -> None:
        self.state_problems.extend(problems)
        if self.state_problems:
            self.ok = False

    def summary(self) -> str:
        lines = []
        if self.problem is None:
            anchors = " and ".join(self.anchored) or "nothing outside the database"
            lines.append(
                f"audit log intact: {self.checked:,} entries, head {self.head}; "
                f"checked against {anchors}" + (f" ({self.macs:,} entry MACs)" if self.macs else "")
            )
        else:
            lines.append(f"audit log BROKEN at entry {self.broken_id}: {self.problem}")
        lines += [f"state BROKEN: {p}" for p in self.state_problems]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "head": self.head}


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


def _check_mac(entry: AuditEntry, key: bytes, first_mac: int | None) -> str | None:
    if entry.mac is None:
        if first_mac is None:
            return None  # written before the key was set: vouched for by later MACs
        return (
            f"{entry.describe()} has no MAC although entries from {first_mac} on have one: "
            "it was written or rewritten without the key"
        )
    if not macs_equal(entry.mac, entry_mac(key, entry.hash)):
        return (
            f"{entry.describe()}: its MAC does not match (the entry was rewritten, "
            "or this is not the key the log was written with)"
        )
    return None


class _Expectation:
    """An exported head the log must still contain."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.id, self.hash = parse_head(text) if text else (None, "")
        self.found = text is None

    def check(self, entry: AuditEntry) -> str | None:
        if self.found:
            return None
        if self.id is None:
            self.found = entry.hash == self.hash
            return None
        if entry.id != self.id:
            return None
        if entry.hash != self.hash:
            return (
                f"{entry.describe()} has hash {entry.hash[:16]}..., the exported head says "
                f"{self.hash[:16]}...: the log was rewritten up to this entry"
            )
        self.found = True
        return None

    def missing(self, checked: int) -> str:
        return (
            f"the exported head {self.text} is not in the log (which ends at entry {checked}): "
            "entries were removed from the end, or the log was rewritten"
        )


def verify(engine: Engine, expect: str | None = None, key: bytes | None = None) -> VerifyResult:
    """Recompute the chain from the first entry; report the first broken one.

    ``key`` (default: :func:`audit_key` from the environment) checks every MAC;
    ``expect`` is an exported head (``ID:HASH`` or ``HASH``) the log must contain.
    """
    key = key if key is not None else audit_key()
    expectation = _Expectation(expect)
    anchored = [name for name, used in (("the key", key), ("the exported head", expect)) if used]
    prev_hash, expected, first_mac, macs = GENESIS, 1, None, 0
    for entry in iter_entries(engine):
        problem = _check_entry(entry, expected, prev_hash)
        if problem is None and key is not None:
            problem = _check_mac(entry, key, first_mac)
        problem = problem or expectation.check(entry)
        if problem is not None:
            return VerifyResult(False, expected - 1, prev_hash, entry.id, problem, macs, anchored)
        if entry.mac is not None and key is not None:
            first_mac, macs = first_mac or entry.id, macs + 1
        prev_hash, expected = entry.hash, expected + 1
    checked = expected - 1
    problem = _check_head(engine, checked, prev_hash, key)
    if problem is None and not expectation.found:
        problem = expectation.missing(checked)
    if problem is not None:
        return VerifyResult(False, checked, prev_hash, checked + 1, problem, macs, anchored)
    return VerifyResult(True, checked, prev_hash, macs=macs, anchored=anchored)


def _check_head(engine: Engine, checked: int, last_hash: str, key: bytes | None) -> str | None:
    h = audit_head.c
    with engine.connect() as conn:
        head = conn.execute(select(h.last_id, h.last_hash, h.mac).where(h.id == 1)).first()
    if head is None:
        return "the head row is missing"
    if (int(head[0]), str(head[1])) != (checked, last_hash):
        return (
            f"the log ends at entry {checked} but its head records entry {head[0]}: "
            "entries were removed from the end (or the head was edited)"
        )
    if key is None or checked == 0:
        return None
    if head[2] is None:
        return (
            "the head has no MAC: the log was never written with this key, or its MACs were removed"
        )
    if not macs_equal(head[2], head_mac(key, checked, last_hash)):
        return (
            f"the head (entry {checked}) does not carry a valid MAC: entries were removed "
            "from the end and the head rewritten, or this is not the log's key"
        )
    return None


def head(engine: Engine) -> Head:
    """The head of the log (last id and hash), to export and keep outside the database."""
    h = audit_head.c
    with engine.connect() as conn:
        row = conn.execute(select(h.last_id, h.last_hash).where(h.id == 1)).first()
    if row is None:
        raise StoreError("the audit log has no head row: the store was not migrated")
    return Head(int(row[0]), str(row[1]))


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
