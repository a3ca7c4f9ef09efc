"""Finding 2 of issue 16: every screening run leaves evidence (audit entry, sidecar, columns)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sanctions import audit
from sanctions.store import Store

from .conftest import run


def _current(db: str) -> dict[str, Any]:
    store = Store.open(db)
    try:
        return {d.id: d.current for d in store.datasets() if d.current is not None}
    finally:
        store.close()


def _runs(db: str) -> list[dict[str, Any]]:
    store = Store.open(db)
    try:
        return [
            e.to_dict() for e in audit.iter_entries(store.engine) if e.action == "screening.run"
        ]
    finally:
        store.close()


def _assert_versions(evidence: dict[str, Any], db: str) -> None:
    current = _current(db)
    assert current  # the store holds lists
    assert set(evidence["list_versions"]) == set(current)
    for dataset, version in current.items():
        seen = evidence["list_versions"][dataset]
        assert (seen["version_id"], seen["content_hash"]) == (version.id, version.content_hash)


@pytest.mark.slow  # screens a file on the real UN list (CI runs it)
def test_screen_file_writes_sidecar_columns_and_an_audit_entry_on_real_data(
    un_db: str, shared_data: Path, tmp_path: Path
) -> None:
    customers = shared_data / "eval" / "un_people_original.csv"
    out = tmp_path / "results.csv"
    result = run(
        "--db", un_db, "screen", "--file", str(customers), "--out", str(out),
        "--name-column", "full_name", "--schema", "Person", "--threshold", "0.8",
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    meta = json.loads((tmp_path / "results.csv.meta.json").read_text())
    rows = sum(1 for _ in open(customers, encoding="utf-8")) - 1
    assert meta["kind"] == "screen-file" and meta["rows"] == rows
    assert meta["input_sha256"] == hashlib.sha256(customers.read_bytes()).hexdigest()
    assert meta["results_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert meta["threshold"] == 0.8 and meta["algorithm"]["name"] == "sanctions-match"
    assert meta["actor"] and meta["started_at"] and meta["finished_at"]
    _assert_versions(meta, un_db)
    with open(out, encoding="utf-8", newline="") as fh:
        results = list(csv.DictReader(fh))
    assert {r["run_id"] for r in results} == {meta["run_id"]}
    assert {r["list_versions"] for r in results} == {
        f"un_sc_sanctions@{v['seq']}:{v['content_hash'][:12]}"
        for v in meta["list_versions"].values()
    }
    audited = [r for r in _runs(un_db) if r["subject"] == f"screening:{meta['run_id']}"]
    assert len(audited) == 1 and meta["audit_entry"]["id"] == audited[0]["id"]
    assert audited[0]["details"]["input_sha256"] == meta["input_sha256"]

    shown = run("--db", un_db, "audit", "show", meta["run_id"], "--json")
    assert shown.exit_code == 0, shown.output
    context = json.loads(shown.stdout)
    for key in ("input_sha256", "rows", "threshold", "list_versions", "algorithm", "actor"):
        assert context[key] == meta[key], key
    table = run("--db", un_db, "audit", "show", meta["run_id"])
    assert "un_sc_sanctions" in table.output and meta["input_sha256"] in table.output


def test_single_screen_and_match_are_audited(ftm_db: str) -> None:
    single = run("--db", ftm_db, "screen", "Vladimir Putin", "--schema", "Person", "--json")
    assert single.exit_code == 0, single.output
    run_id = json.loads(single.stdout)["run_id"]
    lines = "\n".join(
        json.dumps({"id": f"q{i}", "schema": "Person", "properties": {"name": [n]}})
        for i, n in enumerate(["Vladimir Putin", "Jane Nobody", "Acme Rocket"])
    )
    batch = run("--db", ftm_db, "match", "--threshold", "0.75", input=lines + "\n{bad\n")
    assert batch.exit_code == 1  # one bad line; the others are answered
    runs = {r["subject"]: r["details"] for r in _runs(ftm_db)}
    assert runs[f"screening:{run_id}"]["kind"] == "screen"
    assert runs[f"screening:{run_id}"]["rows"] == 1
    (match_run,) = [d for d in runs.values() if d["kind"] == "match"]
    assert match_run["rows"] == 4 and match_run["errors"] == 1 and match_run["threshold"] == 0.75
    stdin = (lines + "\n{bad\n").encode()
    assert match_run["input_sha256"] == hashlib.sha256(stdin).hexdigest()
    _assert_versions(match_run, ftm_db)


def test_audit_show_of_an_unknown_run_is_one_clear_line(ftm_db: str) -> None:
    result = run("--db", ftm_db, "audit", "show", "scr-nosuchrun")
    assert result.exit_code == 2
    assert "no screening run 'scr-nosuchrun'" in result.output


def test_watch_run_entry_carries_versions_threshold_and_input_hash(
    ftm_db: str, tmp_path: Path
) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("id,name,dob\nc1,Vladimir Putin,1952-10-07\nc2,Jane Nobody,1990\n")
    assert run("--db", ftm_db, "watch", "import", str(customers), "--json").exit_code == 0
    assert run("--db", ftm_db, "rescreen", "--full").exit_code == 0
    shown = run("--db", ftm_db, "audit", "show", "1", "--json")
    assert shown.exit_code == 0, shown.output
    context = json.loads(shown.stdout)
    assert context["rows"] == 2 and context["threshold"] == 0.7
    assert len(context["input_sha256"]) == 64
    current = _current(ftm_db)
    assert {k: v["content_hash"] for k, v in context["list_versions_detail"].items()} == {
        k: v.content_hash for k, v in current.items()
    }


def test_results_without_their_audit_entry_are_not_kept(
    ftm_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail closed: when the audit entry cannot be written, the results file is removed."""
    from sanctions.errors import StoreError
    from sanctions.screening import Screener, batch

    def refuse(*_args: Any) -> None:
        raise StoreError("the audit log is read-only")

    monkeypatch.setattr(batch, "record_run", refuse)
    source = tmp_path / "c.csv"
    source.write_text("id,name\nc1,Vladimir Putin\n")
    out = tmp_path / "r.csv"
    with pytest.raises(StoreError, match="read-only"):
        batch.screen_file(Screener(Store.open(ftm_db)), source, out, tmp_path / "e.txt")
    assert not out.exists() and not (tmp_path / "r.csv.meta.json").exists()
