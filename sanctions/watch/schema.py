"""Tables of watched records, screening runs, alerts and decisions (migration ``0003``).

* ``watch_records``: one row per watched record (the user's own id), pointing at
  its current version and content hash; ``screened_hash`` is the hash the last
  screening run saw (NULL: never screened, or re-added since).
* ``watch_record_versions``: every version of every record (canonical JSON).
* ``watch_runs``: completed screening runs only (a run is written in one
  transaction), with the list versions, algorithm and threshold it used.
* ``watch_alerts``: a (record version, entity version) pair that scored at or
  above the threshold. At most one alert per (record, entity) is not closed, and
  one per (record, subject): ``listings`` holds every listing of the subject the
  record matches (migration ``0008``).
* ``watch_decisions``: analysts' decisions on alerts (append-only).
* ``watch_suppressions``: false positives remembered per (record hash, entity hash).
"""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, MetaData, String, Table, Text, text

metadata = MetaData()

ACTIVE_ALERT = text("status != 'closed'")

watch_records = Table(
    "watch_records",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("schema", String(50), nullable=False),
    Column("caption", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("status", String(10), nullable=False),  # active | removed
    Column("screened_hash", String(64), nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Index("ix_watch_records_status", "status"),
)

watch_record_versions = Table(
    "watch_record_versions",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("hash", String(64), nullable=False),
    Column("data", Text, nullable=False),  # {"schema", "properties"} canonical JSON
    Column("created_at", String(40), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("source", Text, nullable=True),
)

watch_runs = Table(
    "watch_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # full | delta
    Column("based_on", Integer, nullable=True),  # the run a delta starts from
    Column("note", Text, nullable=True),  # why a delta became a full run
    Column("actor", String(200), nullable=False),
    Column("started_at", String(40), nullable=False),
    Column("finished_at", String(40), nullable=False),
    Column("seconds", Float, nullable=False),
    Column("algorithm", String(50), nullable=False),
    Column("algorithm_version", String(20), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("list_versions", Text, nullable=False),  # {dataset: version id}
    Column("records_total", Integer, nullable=False),
    Column("records_screened", Integer, nullable=False),
    Column("entities_screened", Integer, nullable=False),
    Column("raised", Integer, nullable=False),
    Column("suppressed", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Column("keys_digest", String(64), nullable=True),  # the prefilter cache it left
    Column("stats", Text, nullable=True),  # timings and counts (JSON)
)

watch_alerts = Table(
    "watch_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(200), nullable=False),
    Column("record_version", Integer, nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("record_caption", Text, nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("entity_hash", String(64), nullable=False),
    Column("entity_caption", Text, nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("entity_version_id", Integer, nullable=False),  # the list version it was seen in
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),  # JSON list of features
    Column("list_versions", Text, nullable=False),  # JSON {dataset: version id}
    Column("algorithm", String(50), nullable=False),
    Column("algorithm_version", String(20), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("status", String(20), nullable=False),  # open|escalated|true_match|false_positive|closed
    Column("run_id", Integer, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("previous_alert_id", Integer, nullable=True),
    Column("changes", Text, nullable=True),  # JSON: what changed since the previous alert
    Column("decision_id", Integer, nullable=True),
    Column("closed_run_id", Integer, nullable=True),
    Column("closed_at", String(40), nullable=True),
    Column("closed_reason", Text, nullable=True),
    Column("subject_id", String(200), nullable=True),  # migration 0008: cluster or listing id
    Column("listings", Text, nullable=True),  # JSON: every matching listing of the subject
    Index("ix_watch_alerts_pair", "record_id", "entity_id"),
    Index("ix_watch_alerts_subject", "record_id", "subject_id"),
    Index("ix_watch_alerts_status", "status"),
    Index(
        "ux_watch_alerts_active",
        "record_id",
        "entity_id",
        unique=True,
        sqlite_where=ACTIVE_ALERT,
        postgresql_where=ACTIVE_ALERT,
    ),
)

watch_decisions = Table(
    "watch_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, nullable=False),
    Column("decision", String(20), nullable=False),  # true_match | false_positive | escalated
    Column("reason", Text, nullable=False),
    Column("analyst", String(200), nullable=False),
    Column("decided_at", String(40), nullable=False),
    Column("record_id", String(200), nullable=False),
    Column("record_hash", String(64), nullable=False),
    Column("entity_id", String(200), nullable=False),
    Column("entity_hash", String(64), nullable=False),
    Index("ix_watch_decisions_alert", "alert_id"),
)

watch_suppressions = Table(
    "watch_suppressions",
    metadata,
    Column("record_id", String(200), primary_key=True),
    Column("record_hash", String(64), primary_key=True),
    Column("entity_id", String(200), primary_key=True),
    Column("entity_hash", String(64), primary_key=True),
    Column("decision_id", Integer, nullable=False),
)
