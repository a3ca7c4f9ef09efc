"""`sanctions doctor`: a healthy store has no problems; each broken invariant is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from sanctions.cli import main
from sanctions.doctor import diagnose
from sanctions.store import Store
from tests.adversarial.watched import BACKENDS, fill, index_cache, open_backend, sql  # noqa: F401


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, index_cache: Path) -> Any:  # noqa: F811
    store = open_backend(request.param, tmp_path)
    fill(store)
    yield store
    store.close()


def _only(store: Any, area: str) -> list[str]:
    report = diagnose(store)
    assert all(p.startswith(f"{area}: ") for p in report.problems), report.problems
    return report.problems


def test_a_healthy_store_with_lists_records_alerts_and_decisions_has_no_problem(
    store: Any,
) -> None:
    report = diagnose(store)
    assert report.ok, report.problems
    assert report.counts["versions"] == 2 and report.counts["alerts"] >= 4
    assert report.counts["decisions"] == 2 and "no problems" in report.summary()


def test_a_current_version_missing_entity_rows_is_incomplete(store: Any) -> None:
    sql(
        store,
        "DELETE FROM version_entities WHERE version_id = (SELECT max(id) FROM versions) "
        "AND entity_id = 'fw-4'",
    )
    problems = _only(store, "lists")
    assert any("fixture v2" in p and "(incomplete)" in p for p in problems)
    assert any("stored diff disagrees" in p for p in problems)


def test_a_current_version_that_does_not_exist_or_is_held_is_named(store: Any) -> None:
    sql(store, "UPDATE datasets SET current_version_id = 999")
    assert any("current version 999 does not exist" in p for p in diagnose(store).problems)


def test_a_diff_row_removed_or_changed_is_named(store: Any) -> None:
    sql(store, "UPDATE changes SET change = 'added' WHERE change = 'removed'")
    problems = _only(store, "lists")
    assert any("stored diff disagrees with the entity maps for 1 entities" in p for p in problems)
    assert any("0 removed change rows, the version says 1" in p for p in problems)


def test_a_missing_or_edited_blob_and_orphan_rows_are_named(store: Any) -> None:
    sql(store, "UPDATE blobs SET data = '{}' WHERE hash = (SELECT min(hash) FROM blobs)")
    sql(store, "INSERT INTO blobs (hash, data) VALUES (:h, '{}')", h="f" * 64)
    problems = diagnose(store).problems
    assert any("its content does not match its hash" in p for p in problems)
    assert any("1 blobs belong to no version" in p for p in problems)


def test_a_version_without_its_audit_entry_is_named(store: Any) -> None:
    sql(store, "INSERT INTO datasets (id, title) VALUES ('ghost', 'Ghost')")
    sql(
        store,
        "INSERT INTO versions (dataset, seq, content_hash, format, loaded_at, entity_count, "
        "added, removed, changed) VALUES ('ghost', 1, :h, 'ftm', '2026-01-01', 0, 0, 0, 0)",
        h="0" * 64,
    )
    problems = diagnose(store).problems
    assert any("ghost v1" in p and "no list.loaded entry" in p for p in problems)


def test_alerts_pointing_at_nothing_are_named(store: Any) -> None:
    sql(store, "DELETE FROM watch_runs WHERE id = (SELECT min(id) FROM watch_runs)")
    sql(store, "DELETE FROM watch_record_versions WHERE record_id = 'c-1'")
    problems = _only(store, "watch")
    assert any("run_id" in p and "does not exist" in p for p in problems)
    assert any("watched record c-1: its version" in p for p in problems)
    assert any("record c-1 has no version" in p for p in problems)


def test_a_watched_record_edited_in_place_is_named(store: Any) -> None:
    sql(
        store,
        "UPDATE watch_record_versions SET data = REPLACE(data, 'Boris', 'Doris') "
        "WHERE record_id = 'c-1'",
    )
    problems = _only(store, "watch")
    assert any("watched record c-1 version 1: its content does not match" in p for p in problems)


def test_an_audit_chain_break_is_named(store: Any) -> None:
    sql(store, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2")
    assert any(p.startswith("audit: entry 2:") for p in diagnose(store).problems)


@pytest.fixture
def sqlite_store(tmp_path: Path, index_cache: Path) -> Any:  # noqa: F811
    store = open_backend("sqlite", tmp_path)
    fill(store)
    yield store
    store.close()


def test_cli_doctor_prints_one_line_per_problem_and_exits_1(sqlite_store: Any) -> None:
    db = sqlite_store.engine.url.database
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", db, "doctor"])
    assert ok.exit_code == 0 and "store checked: no problems" in ok.output
    sql(sqlite_store, "UPDATE watch_alerts SET status = 'closed', closed_at = 'x' WHERE id = 1")
    sql(sqlite_store, "DELETE FROM changes WHERE entity_id = 'fw-5'")
    bad = runner.invoke(main, ["--db", db, "doctor"])
    assert bad.exit_code == 1
    lines = bad.output.strip().splitlines()
    assert any(line.startswith("watch: alert 1 differs from the audit log") for line in lines)
    assert any(line.startswith("lists: fixture v2") for line in lines)
    assert "problems" in lines[-1]


def test_unknown_version_statuses_are_tolerated_and_held_current_is_named(
    sqlite_store: Any,
) -> None:
    columns = {c["name"] for c in inspect(sqlite_store.engine).get_columns("versions")}
    if "status" not in columns:  # the update gates add it; simulate it until then
        sql(sqlite_store, "ALTER TABLE versions ADD COLUMN status VARCHAR(20)")
    sql(sqlite_store, "UPDATE versions SET status = 'something new'")
    assert diagnose(sqlite_store).ok
    latest = "(SELECT max(id) FROM versions)"
    sql(sqlite_store, f"UPDATE versions SET status = 'held' WHERE id = {latest}")
    assert any("is held" in p for p in diagnose(sqlite_store).problems)


@pytest.mark.slow
def test_the_store_of_every_real_list_has_no_problem(real_store_loads: dict[str, Any]) -> None:
    store = Store.open(real_store_loads["path"])
    report = diagnose(store)
    store.close()
    assert report.ok, report.problems[:10]
    assert report.counts["versions"] >= len(real_store_loads["results"]) - 1
    assert report.counts["blobs"] > 50_000


def test_a_forged_version_is_still_named_after_a_screening_run_has_seen_it(
    sqlite_store: Any,
) -> None:
    from sanctions.watch import Watch

    sql(sqlite_store, "INSERT INTO datasets (id, title) VALUES ('ghost', 'Ghost')")
    sql(
        sqlite_store,
        "INSERT INTO versions (dataset, seq, content_hash, format, loaded_at, entity_count, "
        "added, removed, changed) VALUES ('ghost', 1, :h, 'ftm', '2026-01-01', 0, 0, 0, 0)",
        h="0" * 64,
    )
    Watch(sqlite_store, actor="cron").rescreen()
    problems = diagnose(sqlite_store).problems
    assert any("ghost v1" in p and "only found by a later screening run" in p for p in problems)
