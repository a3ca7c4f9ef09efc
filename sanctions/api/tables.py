"""The API's own tables (SQLAlchemy Core), kept apart from the lists' schema.

* ``api_keys``: one row per API key. Only the SHA-256 of the secret is stored,
  with a short display prefix, its role, an optional per-key rate limit and the
  time it was revoked (a revoked key is kept, for the audit trail).
* ``rate_limits``: one token bucket per key and kind (``req:7``, ``work:7``), shared
  by every server over the store (see :mod:`.limits`). ``updated_at`` is in seconds
  since the epoch by the *database's* clock, so replicas on hosts whose clocks
  disagree still share one bucket.

Migrations ``0004`` (branch ``api``) and ``0009`` (branch ``replicas``) create them;
:func:`Store.open` upgrades every branch head.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Index, Integer, MetaData, String, Table, Text

__all__ = ["metadata", "api_keys", "rate_limits"]

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("prefix", String(20), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("rate_limit", Float, nullable=True),  # requests/s; NULL: server default; 0: none
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40), nullable=True),
    Index("ix_api_keys_hash", "key_hash", unique=True),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("bucket", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),  # epoch seconds, the database's clock
    Column("granted", Boolean, nullable=False),  # whether the last take was granted
)
