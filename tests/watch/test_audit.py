"""The hash-chained audit log: appends, verification, tampering, exports."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sanctions import audit
from sanctions.cli import main

from .conftest import customer_map


def _log(store: Any, count: int) -> None:
    with store.engine.begin() as conn:
        for i in range(count):
            audit.append(conn, "alice", "key.created", f"key:{i}", {"role": "analyst", "n": i})


def test_an_untouched_log_verifies_and_chains_every_entry(store: Any) -> None:
    _log(store, 5)
    result = audit.verify(store.engine)
    assert result.ok and result.checked == 5
    entries = list(audit.iter_entries(store.engine))
    assert [e.id for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert result.last_hash == entries[-1].hash


def test_an_entry_rolled_back_with_its_transaction_leaves_no_gap(store: Any) -> None:
    _log(store, 2)
    try:
        with store.engine.begin() as conn:
            audit.append(conn, "mallory", "key.created", "key:x")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    _log(store, 1)
    assert audit.verify(store.engine).ok
    assert [e.actor for e in audit.iter_entries(store.engine)] == ["alice"] * 3


def _sql(db: Path, statement: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(statement)
    conn.commit()
    conn.close()


def test_editing_one_row_in_sqlite_is_named_by_verify(store: Any, store_path: Path) -> None:
    _log(store, 6)
    _sql(store_path, 'UPDATE audit_log SET details = \'{"role":"admin"}\' WHERE id = 4')
    result = audit.verify(store.engine)
    assert not result.ok and result.broken_id == 4 and result.checked == 3
    assert "entry 4" in result.problem and "key:3 by alice" in result.problem
    assert "does not match its hash" in result.problem


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(
    store: Any, store_path: Path
) -> None:
    _log(store, 4)
    forged = audit.log.entry_hash(
        audit.GENESIS, 1, "2020-01-01T00:00:00+00:00", "alice", "key.created", "key:0", "{}"
    )
    _sql(
        store_path,
        f"UPDATE audit_log SET at = '2020-01-01T00:00:00+00:00', details = '{{}}', "
        f"hash = '{forged}' WHERE id = 1",
    )
    result = audit.verify(store.engine)
    assert result.broken_id == 2 and "does not chain to entry 1" in result.problem


def test_deleting_rows_is_detected_in_the_middle_and_at_the_end(
    store: Any, store_path: Path
) -> None:
    _log(store, 6)
    _sql(store_path, "DELETE FROM audit_log WHERE id = 6")
    result = audit.verify(store.engine)
    assert not result.ok and result.broken_id == 6 and "removed from the end" in result.problem
    _sql(store_path, "DELETE FROM audit_log WHERE id = 3")
    result = audit.verify(store.engine)
    assert result.broken_id == 4 and "entries 3..3 were removed" in result.problem


def test_exports_as_json_lines_and_csv_keep_what_the_hash_covers(store: Any) -> None:
    _log(store, 3)
    out = io.StringIO()
    assert audit.export_jsonl(store.engine, out) == 3
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[1]["details"] == {"n": 1, "role": "analyst"} and rows[1]["subject"] == "key:1"
    out = io.StringIO()
    assert audit.export_csv(store.engine, out) == 3
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    entries = list(audit.iter_entries(store.engine))
    for row, entry in zip(table, entries, strict=True):
        digest = audit.log.entry_hash(
            row["prev_hash"],
            int(row["id"]),
            row["at"],
            row["actor"],
            row["action"],
            row["subject"],
            row["details"],
        )
        assert digest == row["hash"] == entry.hash  # an auditor can recheck the chain


def test_runs_alerts_decisions_and_list_loads_are_logged(
    store: Any, watch: Any, watch_files: Path
) -> None:
    store.load(watch_files / "v1.jsonl", dataset="fixture")
    watch.import_file(watch_files / "customers.csv", customer_map())
    watch.rescreen()
    alert = watch.alerts("open")[0]
    watch.decide(alert.id, "false_positive", "different person", analyst="ana")
    actions = [(e.action, e.actor) for e in audit.iter_entries(store.engine)]
    # The load is logged by the store, in the load's own transaction, before anything else.
    assert actions[0] == ("list.loaded", audit.current_actor())
    assert actions[1] == ("records.imported", "tester")
    assert actions.count(("alert.raised", "tester")) == 4
    assert ("run.completed", "tester") in actions and actions[-1] == ("alert.decided", "ana")
    last = list(audit.iter_entries(store.engine))[-1]
    assert json.loads(last.details)["reason"] == "different person"


def test_cli_audit_verify_passes_then_names_the_edited_entry(
    store: Any, watch: Any, watch_files: Path, store_path: Path
) -> None:
    store.load(watch_files / "v1.jsonl", dataset="fixture")
    watch.import_file(watch_files / "customers.csv", customer_map())
    watch.rescreen()
    db = str(store_path)
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", db, "audit", "verify"])
    assert ok.exit_code == 0 and "audit log intact" in ok.output
    _sql(store_path, "UPDATE audit_log SET actor = 'someone else' WHERE id = 3")
    bad = runner.invoke(main, ["--db", db, "audit", "verify"])
    assert bad.exit_code == 1
    assert "BROKEN at entry 3" in bad.output and "the row was edited" in bad.output
    exported = runner.invoke(main, ["--db", db, "audit", "export", "--format", "csv"])
    assert exported.exit_code == 0 and exported.stdout.startswith("id,at,actor,action")
