"""The watch commands end to end: watch, rescreen, alerts, decide, update --rescreen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from sanctions.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sanctions" / "data" / "samples"


def _cli(db: Path, *args: str) -> object:
    result = CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)
    return result


def test_watch_rescreen_alerts_decide_end_to_end(tmp_path: Path, watch_files: Path) -> None:
    db = tmp_path / "cli.db"
    assert _cli(db, "load", str(watch_files / "v1.jsonl"), "--dataset", "fixture").exit_code == 0
    imported = _cli(
        db, "watch", "import", str(watch_files / "customers.csv"), "--schema-column", "kind"
    )
    assert imported.exit_code == 0 and "7 added" in imported.stdout
    added = _cli(db, "watch", "add", "c-9", "--name", "Maria Lopez", "--birth-date", "1985")
    assert added.exit_code == 0 and "c-9: added (version 1)" in added.stdout
    listed = _cli(db, "watch", "list", "--json")
    assert len(json.loads(listed.stdout)) == 8
    first = _cli(db, "rescreen", "--json", "--actor", "ops")
    report = json.loads(first.stdout)
    assert report["kind"] == "full" and report["raised"] == 5
    alerts = json.loads(_cli(db, "alerts", "--status", "open", "--json").stdout)
    target = next(a for a in alerts if a["record_id"] == "c-9")
    decided = _cli(
        db,
        "decide",
        str(target["id"]),
        "--as",
        "false-positive",
        "--reason",
        "born elsewhere",
        "--analyst",
        "ana",
    )
    assert decided.exit_code == 0 and "false_positive by ana" in decided.stdout
    shown = json.loads(_cli(db, "alerts", str(target["id"]), "--json").stdout)
    assert (
        shown["status"] == "false_positive" and shown["decisions"][0]["reason"] == "born elsewhere"
    )
    removed = _cli(db, "watch", "remove", "c-7", "--reason", "sold the ship")
    assert removed.exit_code == 0
    _cli(db, "load", str(watch_files / "v2.jsonl"), "--dataset", "fixture")
    delta = _cli(db, "rescreen")
    assert (
        delta.exit_code == 0 and "(delta)" in delta.stdout and "1 entities removed" in delta.stdout
    )
    table = _cli(db, "alerts", "--status", "all")
    assert "entity removed from the list" in table.stdout and "record removed by" in table.stdout
    assert _cli(db, "audit", "verify").exit_code == 0


def test_unknown_alert_and_bad_status_are_clear_errors(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    missing = CliRunner().invoke(
        main, ["--db", str(db), "decide", "42", "--as", "true-match", "--reason", "x"]
    )
    assert missing.exit_code == 2 and "no alert 42" in missing.output
    bad = CliRunner().invoke(main, ["--db", str(db), "alerts", "--status", "weird"])
    assert bad.exit_code == 2 and "unknown alert status" in bad.output
    nothing = CliRunner().invoke(main, ["--db", str(db), "rescreen"])
    assert nothing.exit_code == 2 and "no lists loaded" in nothing.output


def test_update_rescreen_loads_then_alerts_and_reports_each_step(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    mirror = tmp_path / "mirror" / "un_sc_sanctions"
    mirror.mkdir(parents=True)
    shutil.copy(SAMPLES / "un_sc.xml", mirror / "consolidated.xml")
    customers = tmp_path / "c.csv"
    customers.write_text("id,name\nu-1,Ivan Fictionovich Testov\nu-2,Jane Ordinary\n")
    assert _cli(db, "watch", "import", str(customers)).exit_code == 0
    result = CliRunner().invoke(
        main,
        [
            "--db",
            str(db),
            "update",
            "un_sc_sanctions",
            "--mirror",
            str(tmp_path / "mirror"),
            "--rescreen",
        ],
        env={"SANCTIONS_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.exit_code == 0, result.output
    assert "un_sc_sanctions: loaded" in result.stdout and "fetch" in result.stdout
    assert "rescreen: run 1 (full (no previous run))" in result.stdout
    assert "update and rescreen:" in result.stdout and "steps: prepare" in result.stdout
    alerts = json.loads(_cli(db, "alerts", "--json").stdout)
    assert [a["record_id"] for a in alerts] == ["u-1"]


def test_watch_import_and_screen_file_read_column_options_one_way(tmp_path: Path) -> None:
    """``--column PROP=COLUMN`` maps a column in both commands; a malformed one is refused."""
    db = tmp_path / "cli.db"
    source = tmp_path / "people.csv"
    source.write_text("ref,nom,passeport\nr-1,Jane Doe,X1234567\n", encoding="utf-8")
    mapping = (
        "--id-column",
        "ref",
        "--name-column",
        "nom",
        "--column",
        " passportNumber=passeport",
    )
    imported = _cli(db, "watch", "import", str(source), "--schema", "Person", "--json", *mapping)
    assert imported.exit_code == 0, imported.output
    record = json.loads(_cli(db, "watch", "list", "--json").stdout)[0]
    assert record["properties"]["passportNumber"] == ["X1234567"]
    for command in (
        ("watch", "import", str(source)),
        ("screen", "--file", str(source), "--out", str(tmp_path / "o.csv")),
    ):
        bad = _cli(db, *command, "--id-column", "ref", "--column", " =passeport")
        assert bad.exit_code == 2 and "expected PROP=COLUMN" in bad.output, bad.output
