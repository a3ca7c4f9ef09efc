"""The audit trail: an append-only, hash-chained log of who did what, when and why.

Any module records an event inside its own transaction::

    from sanctions import audit

    with store.begin() as conn:
        ...  # the change itself
        audit.append(conn, actor="alice", action="key.created", subject="key:7",
                     details={"role": "analyst"})

The entry is written in the same transaction as the change it describes, so
the two are committed (or lost) together. :func:`verify` recomputes the chain
and names the first entry that does not check out; :func:`export_jsonl` and
:func:`export_csv` write the log out for a regulator or an archive.
:func:`head` is the value to keep outside the database (``verify(expect=...)``),
and a key outside the database (:mod:`.seal`) makes every entry carry a MAC.
"""

from __future__ import annotations

from .log import (
    GENESIS,
    AuditEntry,
    VerifyResult,
    append,
    append_many,
    current_actor,
    export_csv,
    export_jsonl,
    head,
    iter_entries,
    lock,
    verify,
)
from .schema import audit_head, audit_log, metadata
from .seal import Head, audit_key, parse_head

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
    "Head",
    "audit_key",
    "parse_head",
    "iter_entries",
    "lock",
    "verify",
    "audit_log",
    "audit_head",
    "metadata",
]
