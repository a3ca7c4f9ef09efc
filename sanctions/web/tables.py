"""The web pages' own table (SQLAlchemy Core); migration ``0010`` (branch ``web``)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table

__all__ = ["metadata", "web_sessions"]

metadata = MetaData()

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie's token
    Column("key_id", Integer, nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
    Index("ix_web_sessions_expires", "expires_at"),
)
