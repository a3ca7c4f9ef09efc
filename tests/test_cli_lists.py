"""The list commands end to end: load, lists, diff, show, export, demo; exit codes; docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from sanctions.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_load_lists_diff_show_export(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "cli.db")
    v1, v2 = fixtures / "ftm" / "v1.jsonl", fixtures / "ftm" / "v2.jsonl"
    code, out, _ = run("--db", db, "load", str(v1), "--dataset", "fixture")
    assert code == 0 and "loaded v1" in out and "3 entities" in out
    code, out, _ = run("load", str(v1), "--dataset", "fixture", "--db", db)
    assert code == 0 and "unchanged" in out
    code, out, _ = run("--db", db, "load", str(v2), "--dataset", "fixture", "--json")
    loaded = json.loads(out)
    assert loaded[0]["status"] == "loaded" and loaded[0]["seq"] == 2

    code, out, _ = run("--db", db, "lists", "--json")
    (info,) = json.loads(out)
    assert info["id"] == "fixture" and info["version_count"] == 2
    assert info["current"]["entity_count"] == 3

    code, out, _ = run("--db", db, "diff", "fixture", "--json")
    diff = json.loads(out)
    assert [c["entity_id"] for c in diff["added"]] == ["fx-4"]
    assert [c["entity_id"] for c in diff["removed"]] == ["fx-2"]
    assert diff["changed"][0]["properties"] == ["alias"]
    code, out, _ = run("--db", db, "diff", "fixture", "--from", "v1", "--to", "v2")
    assert code == 0 and "FICTIONAL NORTHWIND TRADING LLC" in out and "removed" in out

    code, out, _ = run("--db", db, "show", "fx-1", "--json")
    shown = json.loads(out)
    assert shown["entity"]["properties"]["alias"] == ["Ivan Petrovskiy", "Ivan Petrowski"]
    assert [h["change"] for h in shown["history"]] == ["added", "changed"]
    code, out, _ = run("--db", db, "show", "fx-2")
    assert code == 0 and "no longer listed" in out

    code, out, _ = run("--db", db, "export", "--format", "ftm")
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["id"] for r in rows if r["schema"] != "Sanction") == ["fx-1", "fx-3", "fx-4"]
    assert sum(r["schema"] == "Sanction" for r in rows) == 3  # one listing each
    assert all(r["datasets"] == ["fixture"] for r in rows)
    code, out, _ = run("--db", db, "export", "--format", "csv")
    assert out.splitlines()[0].startswith("id,schema,dataset,authority_id,name")
    assert len(out.splitlines()) == 4


def test_failures_exit_non_zero_with_one_clear_line(tmp_path: Path, fixtures: Path) -> None:
    db = str(tmp_path / "cli.db")
    code, _, err = run("--db", db, "load", str(fixtures / "ftm" / "broken.jsonl"))
    assert code == 1
    assert "broken.jsonl, line 2" in err
    code, _, err = run("--db", db, "diff", "nothing")
    assert code == 2 and err.startswith("error:")
    code, _, err = run("--db", db, "show", "nobody")
    assert code == 2 and "no entity 'nobody'" in err


def test_demo_runs_offline_and_shows_a_diff(tmp_path: Path) -> None:
    code, out, _ = run("demo", "--db", str(tmp_path / "demo.db"))
    assert code == 0, out
    assert "un_sc_sanctions" in out and "eu_fsf" in out and "au_dfat_sanctions" in out
    assert "What changed between the two versions" in out
    assert re.search(r"\d+ added, \d+ removed, \d+ changed", out)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in main.commands if f"sanctions {name}" not in readme]
    assert not missing, f"commands not documented in README.md: {missing}"
