"""The same watch code on PostgreSQL (skipped locally without a server; CI has one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def empty_lists_and_watch(conn: Any) -> None:
    """Empty the shared test database's lists, watch tables and audit log, and reset the
    audit head with them: a log emptied under a head that still counts its entries reads
    as entries removed to every later test that verifies the chain."""
    for table in WATCH_TABLES + LIST_TABLES:
        conn.execute(text(f"DELETE FROM {table}"))
    conn.execute(text(f"UPDATE audit_head SET last_id = 0, last_hash = '{'0' * 64}', mac = NULL"))


@pytest.mark.postgres
def test_watch_runs_decisions_and_audit_on_postgresql(watch_files: Path, tmp_path: Path) -> None:
    from sanctions.store import Store
    from sanctions.watch import Watch
    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        empty_lists_and_watch(conn)
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
    _evidence_on_postgresql(watch, again.id, tmp_path)
    _fail_safe_on_postgresql(watch, watch_files, tmp_path)
    assert watch.verify_audit().ok
    store.close()


def _evidence_on_postgresql(watch: Any, alert_id: int, tmp_path: Path) -> None:
    """Issue 16 on PostgreSQL: the alert case, an audited file run, a watch run's context."""
    from sanctions.screening import Screener
    from sanctions.screening.batch import screen_file
    from sanctions.screening.evidence import find_run

    case = watch.alert_case(alert_id)
    since = case["since_last_decision"]
    assert since["decision"] == "false_positive" and since["record"] == []
    assert [c["field"] for c in since["entity"]] == ["birthDate"]
    source = tmp_path / "c.csv"
    source.write_text("id;name\nq1;Boris Fictionov\n")
    summary = screen_file(Screener(watch.store), source, tmp_path / "r.csv", tmp_path / "e.txt")
    run = find_run(watch.store.engine, summary.run_id or "")
    assert run["rows"] == 1 and run["delimiter"] == ";" and "fixture" in run["list_versions"]
    # run ids come from a sequence that earlier PostgreSQL tests may have advanced
    first_run = min(r["id"] for r in watch.runs(limit=1000))
    assert "fixture" in find_run(watch.store.engine, str(first_run))["list_versions_detail"]


def _fail_safe_on_postgresql(watch: Any, watch_files: Path, tmp_path: Path) -> None:
    """Issue 9 on PostgreSQL: a rename keeps a true match, remove_missing refuses, pages."""
    from sanctions.watch import ImportOptions, ImportRefused

    confirmed = watch.alerts("open", record_id="c-1")[0]
    watch.decide(confirmed.id, "true_match", "passport seen", analyst="ana")
    watch.add("c-1", {"name": "Jane Nobody"})
    assert "kept open after a record change" in watch.rescreen().summary()
    assert watch.alert(confirmed.id).status == "true_match"
    header_only = tmp_path / "header-only.csv"
    header_only.write_text((watch_files / "customers.csv").read_text().splitlines()[0] + "\n")
    with pytest.raises(ImportRefused, match="the file has no records"):
        watch.import_file(header_only, customer_map(), ImportOptions(remove_missing=True))
    total, page = watch.records_page("active", limit=2, offset=1)
    assert total == 7 and [r.id for r in page] == ["c-2", "c-3"]
    total, page = watch.records_page("active", limit=2, after="c-6")
    assert [r.id for r in page] == ["c-7"]
