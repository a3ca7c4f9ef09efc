"""The same watch code on PostgreSQL (skipped locally without a server; CI has one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from .conftest import assert_delta_equals_full, customer_map

WATCH_TABLES = (
    "watch_suppressions",
    "watch_decisions",
    "watch_alerts",
    "watch_runs",
    "watch_record_versions",
    "watch_records",
    "audit_log",
)
LIST_TABLES = ("changes", "version_entities", "blobs", "versions", "datasets")


@pytest.mark.postgres
def test_watch_runs_decisions_and_audit_on_postgresql(watch_files: Path) -> None:
    from sanctions.store import Store
    from sanctions.watch import Watch
    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        for table in WATCH_TABLES + LIST_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text(f"UPDATE audit_head SET last_id = 0, last_hash = '{'0' * 64}'"))
    watch = Watch(store, actor="pg")
    store.load(watch_files / "v1.jsonl", dataset="fixture")
    watch.import_file(watch_files / "customers.csv", customer_map())
    assert watch.rescreen().raised == 4
    cleared = watch.alerts("open", record_id="c-2")[0]
    watch.decide(cleared.id, "false_positive", "other person", analyst="ana")
    for version in ("v2", "v3"):
        store.load(watch_files / f"{version}.jsonl", dataset="fixture")
        assert assert_delta_equals_full(watch).kind == "delta"
    again = watch.alerts("open", record_id="c-2")[0]
    assert again.changes["entity"]["fields"] == ["birthDate"]
    assert watch.verify_audit().ok
    store.close()
