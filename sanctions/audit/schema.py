"""Tables of the audit trail (created by migration ``0003`` of the ``watch`` branch).

* ``audit_log``: one row per event, numbered 1, 2, 3... without gaps; each row
  carries the hash of the previous row and its own hash over its content.
* ``audit_head``: a single row holding the number and hash of the last entry.
  Appending locks it, so entries are numbered and chained in commit order; and
  it lets :func:`sanctions.audit.verify` notice entries cut off the end.

Migration ``0006`` (branch ``audit_tamper``) adds ``mac`` to both: HMACs made
with a key kept outside the database (see :mod:`sanctions.audit.seal`).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", Text, nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("mac", String(64), nullable=True),  # HMAC of the hash (migration 0006)
    Index("ix_audit_log_action", "action"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("last_id", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("mac", String(64), nullable=True),  # HMAC of (last id, last hash) (migration 0006)
)
