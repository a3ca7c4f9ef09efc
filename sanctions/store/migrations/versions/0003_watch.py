"""Watched records, screening runs, alerts, decisions, and the hash-chained audit log.

Revision ID: 0003
Revises: 0001
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("watch",)
depends_on = None

S, T, Int, F = sa.String, sa.Text, sa.Integer, sa.Float
ACTIVE = sa.text("status != 'closed'")


def _col(name: str, type_: Any, nullable: bool = False, **kw: Any) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=nullable, **kw)


def _audit() -> None:
    op.create_table(
        "audit_log",
        _col("id", Int, primary_key=True, autoincrement=False),
        _col("at", S(40)),
        _col("actor", S(200)),
        _col("action", S(100)),
        _col("subject", T),
        _col("details", T),
        _col("prev_hash", S(64)),
        _col("hash", S(64)),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    head = op.create_table(
        "audit_head",
        _col("id", Int, primary_key=True, autoincrement=False),
        _col("last_id", Int),
        _col("last_hash", S(64)),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": "0" * 64}])


def _records() -> None:
    op.create_table(
        "watch_records",
        _col("id", S(200), primary_key=True),
        _col("schema", S(50)),
        _col("caption", T),
        _col("version", Int),
        _col("hash", S(64)),
        _col("status", S(10)),
        _col("screened_hash", S(64), True),
        _col("created_at", S(40)),
        _col("updated_at", S(40)),
    )
    op.create_index("ix_watch_records_status", "watch_records", ["status"])
    op.create_table(
        "watch_record_versions",
        _col("record_id", S(200), primary_key=True),
        _col("version", Int, primary_key=True),
        _col("hash", S(64)),
        _col("data", T),
        _col("created_at", S(40)),
        _col("actor", S(200)),
        _col("source", T, True),
    )


def _runs() -> None:
    op.create_table(
        "watch_runs",
        _col("id", Int, primary_key=True, autoincrement=True),
        _col("kind", S(10)),
        _col("based_on", Int, True),
        _col("note", T, True),
        _col("actor", S(200)),
        _col("started_at", S(40)),
        _col("finished_at", S(40)),
        _col("seconds", F),
        _col("algorithm", S(50)),
        _col("algorithm_version", S(20)),
        _col("threshold", F),
        _col("list_versions", T),
        _col("records_total", Int),
        _col("records_screened", Int),
        _col("entities_screened", Int),
        _col("raised", Int),
        _col("suppressed", Int),
        _col("closed", Int),
        _col("keys_digest", S(64), True),
        _col("stats", T, True),
    )


def _alerts() -> None:
    op.create_table(
        "watch_alerts",
        _col("id", Int, primary_key=True, autoincrement=True),
        _col("record_id", S(200)),
        _col("record_version", Int),
        _col("record_hash", S(64)),
        _col("record_caption", T),
        _col("entity_id", S(200)),
        _col("entity_hash", S(64)),
        _col("entity_caption", T),
        _col("dataset", S(100)),
        _col("entity_version_id", Int),
        _col("score", F),
        _col("explanation", T),
        _col("list_versions", T),
        _col("algorithm", S(50)),
        _col("algorithm_version", S(20)),
        _col("threshold", F),
        _col("status", S(20)),
        _col("run_id", Int),
        _col("created_at", S(40)),
        _col("previous_alert_id", Int, True),
        _col("changes", T, True),
        _col("decision_id", Int, True),
        _col("closed_run_id", Int, True),
        _col("closed_at", S(40), True),
        _col("closed_reason", T, True),
    )
    op.create_index("ix_watch_alerts_pair", "watch_alerts", ["record_id", "entity_id"])
    op.create_index("ix_watch_alerts_status", "watch_alerts", ["status"])
    op.create_index(
        "ux_watch_alerts_active",
        "watch_alerts",
        ["record_id", "entity_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )


def _decisions() -> None:
    op.create_table(
        "watch_decisions",
        _col("id", Int, primary_key=True, autoincrement=True),
        _col("alert_id", Int),
        _col("decision", S(20)),
        _col("reason", T),
        _col("analyst", S(200)),
        _col("decided_at", S(40)),
        _col("record_id", S(200)),
        _col("record_hash", S(64)),
        _col("entity_id", S(200)),
        _col("entity_hash", S(64)),
    )
    op.create_index("ix_watch_decisions_alert", "watch_decisions", ["alert_id"])
    op.create_table(
        "watch_suppressions",
        _col("record_id", S(200), primary_key=True),
        _col("record_hash", S(64), primary_key=True),
        _col("entity_id", S(200), primary_key=True),
        _col("entity_hash", S(64), primary_key=True),
        _col("decision_id", Int),
    )


def upgrade() -> None:
    _audit()
    _records()
    _runs()
    _alerts()
    _decisions()


def downgrade() -> None:
    for table in (
        "watch_suppressions",
        "watch_decisions",
        "watch_alerts",
        "watch_runs",
        "watch_record_versions",
        "watch_records",
        "audit_head",
        "audit_log",
    ):
        op.drop_table(table)
