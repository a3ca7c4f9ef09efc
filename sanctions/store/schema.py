"""Table definitions of the store (SQLAlchemy Core). Alembic migrations create them.

* ``datasets``: one row per dataset id, pointing at its current version.
* ``versions``: every loaded version of every dataset, with its content hash,
  source file and full path, publication date and its origin, counts and diff
  summary, and its gate status (accepted, held, approved, rejected, older: see
  ``gates.py``; rollback: see ``history.py``).
* ``blobs``: entity records, content-addressed by their hash: an entity that does
  not change between versions is stored once.
* ``version_entities``: which entity (and which blob) each version holds.
* ``changes``: the stored diff of each version against its predecessor.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

datasets = Table(
    "datasets",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("title", Text, nullable=False),
    Column("current_version_id", Integer, nullable=True),
    Column("updated_at", String(40), nullable=True),
)

versions = Table(
    "versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(100), ForeignKey("datasets.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("format", String(50), nullable=False),
    Column("source_file", Text, nullable=True),
    Column("source_url", Text, nullable=True),
    Column("published", String(40), nullable=True),
    Column("loaded_at", String(40), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("parent_id", Integer, nullable=True),
    # Gates (migration 0005): see sanctions/store/gates.py.
    Column("status", String(20), nullable=True),
    Column("name_count", Integer, nullable=True),
    Column("alias_count", Integer, nullable=True),
    Column("members", Text, nullable=True),
    Column("gate_reasons", Text, nullable=True),
    Column("decided_by", Text, nullable=True),
    Column("decided_at", String(40), nullable=True),
    # Legible versions (migration 0007): see sanctions/store/history.py.
    Column("published_from", String(10), nullable=True),
    Column("source_path", Text, nullable=True),
    Column("rollback_of", Integer, nullable=True),
    Index("ix_versions_dataset_seq", "dataset", "seq", unique=True),
    Index("ix_versions_hash", "content_hash"),
)

blobs = Table(
    "blobs",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("data", Text, nullable=False),
)

version_entities = Table(
    "version_entities",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("hash", String(64), ForeignKey("blobs.hash"), nullable=False),
    Column("schema", String(50), nullable=False),
    Column("caption", Text, nullable=False),
    Index("ix_version_entities_entity", "entity_id"),
)

changes = Table(
    "changes",
    metadata,
    Column("version_id", Integer, ForeignKey("versions.id"), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("change", String(10), nullable=False),  # added | removed | changed
    Column("caption", Text, nullable=False),
    Column("old_hash", String(64), nullable=True),
    Column("new_hash", String(64), nullable=True),
    Column("properties", Text, nullable=True),  # JSON list of changed fields
)
