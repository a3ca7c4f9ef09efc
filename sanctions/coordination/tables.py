"""Tables of cross-list resolution (SQLAlchemy Core); migration ``0002_coordination`` creates them.

* ``coordination_clusters``: one row per cluster (a real-world subject), with its
  stable id, size, datasets and caption.
* ``coordination_members``: which cluster each listing belongs to, **why** it
  joined (the reason, the listing it was linked to and the evidence), and the
  listing's facts the reports need (schema, programmes, regime codes, listing
  date, first version seen), so that reports never re-read the entities.
* ``coordination_links``: every candidate pair the matcher scored (at or above
  ``SCORE_FLOOR``), with its rule and aligned tokens, kept between runs so that a
  new version of one dataset only re-scores the pairs that touch its added or
  changed listings; which of them link is decided anew at each run from all of
  them (mutual best, margins: see :mod:`structure`).
* ``coordination_state``: the dataset version each dataset was resolved at, and
  the resolver configuration fingerprint (a change forces a full recompute).
* ``coordination_overrides``: manual decisions (merge, split), never touched by
  recomputation.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text

__all__ = ["metadata", "clusters", "members", "links", "state", "overrides"]

metadata = MetaData()

clusters = Table(
    "coordination_clusters",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("datasets", Text, nullable=False),  # comma-separated, sorted
    Column("schema", String(50), nullable=False),
    Column("caption", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

members = Table(
    "coordination_members",
    metadata,
    Column("entity_id", String(200), primary_key=True),
    Column("cluster_id", String(40), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("schema", String(50), nullable=False),
    Column("caption", Text, nullable=False),
    Column("programmes", Text, nullable=False),  # JSON list, as the authority writes them
    Column("regimes", Text, nullable=False),  # comma-separated normalised regime codes
    Column("listed_on", String(10), nullable=True),
    Column("first_seen", String(10), nullable=True),  # date of the first version holding it
    Column("birth_dates", Text, nullable=False),  # JSON list
    Column("reason", String(40), nullable=False),  # seed | unsc | imo | id | bic | ... | name
    Column("via", String(200), nullable=True),  # the member it was linked to
    Column("detail", Text, nullable=True),
    Column("score", Float, nullable=True),
    Column("evidence", Text, nullable=True),  # JSON: which structural supports held (0011)
    Index("ix_coordination_members_cluster", "cluster_id"),
)

links = Table(
    "coordination_links",
    metadata,
    Column("entity_a", String(200), primary_key=True),
    Column("entity_b", String(200), primary_key=True),
    Column("score", Float, nullable=False),
    Column("detail", Text, nullable=False),
    Column("evidence", Text, nullable=True),  # JSON: rule, primary, aligned tokens (0011)
    Index("ix_coordination_links_b", "entity_b"),
)

state = Table(
    "coordination_state",
    metadata,
    Column("dataset", String(100), primary_key=True),  # or "__config__", "__scope__"
    Column("version_id", Integer, nullable=True),
    Column("content_hash", String(64), nullable=False),
    Column("resolved_at", String(40), nullable=False),
)

overrides = Table(
    "coordination_overrides",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # merge | split
    Column("entity_a", String(200), nullable=False),
    Column("entity_b", String(200), nullable=True),  # split without b: isolate entity_a
    Column("note", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
)
