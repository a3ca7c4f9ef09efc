"""Finding 3 of issue 16: an alert an analyst can work (real UN list, real customer names)."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from .conftest import run


@pytest.fixture()
def watched(un_db: str, shared_data: Path, tmp_path: Path) -> tuple[str, Path]:
    """A private UN store watching three people of the eval file (as customers p1..p3)."""
    db = tmp_path / "un.db"
    with sqlite3.connect(un_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with open(shared_data / "eval" / "un_people_original.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))[:3]
    customers = tmp_path / "c.csv"
    with open(customers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "dob", "nationality"])
        for i, person in enumerate(people, start=1):
            writer.writerow([f"p{i}", person["full_name"], person["date_of_birth"], "af"])
    assert run("--db", str(db), "watch", "import", str(customers)).exit_code == 0
    assert run("--db", str(db), "rescreen", "--full").exit_code == 0
    return str(db), customers


def _alerts(db: str, *args: str) -> list[dict]:
    result = run("--db", db, "alerts", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.slow  # watches customers against the real UN list (CI runs it)
def test_alert_shows_customer_and_listed_entry_side_by_side(watched: tuple[str, Path]) -> None:
    db, _ = watched
    alert = next(a for a in _alerts(db) if a["record_id"] == "p1")
    shown = run("--db", db, "alerts", str(alert["id"]))
    assert shown.exit_code == 0, shown.output
    text = shown.output
    assert "{" not in text.splitlines()[0]  # not raw JSON
    for label in ("names", "birth dates", "nationality / country", "identifiers", "programme"):
        assert label in text, label
    assert "listing date" in text and "list (as of)" in text and "un_sc_sanctions v1" in text
    assert "unscId:" in text  # the listed entry's identifier, beside the customer's none
    assert "Evidence" in text and "  • name +" in text
    assert "no earlier decision on this pair" in text
    data = json.loads(run("--db", db, "alerts", str(alert["id"]), "--json").stdout)
    assert data["id"] == alert["id"] and data["explanation"]  # the machine form is kept
    listing = {r["field"]: r["listed"] for r in data["case"]["side_by_side"]}
    assert listing["listing date"][0][:4].isdigit()  # the UN's own listed-on date


@pytest.mark.slow  # watches customers against the real UN list (CI runs it)
def test_changes_since_the_last_decision_and_the_history(watched: tuple[str, Path]) -> None:
    db, customers = watched
    alert = next(a for a in _alerts(db) if a["record_id"] == "p2")
    decided = run(
        "--db", db, "decide", str(alert["id"]), "--as", "false-positive", "--reason", "not him"
    )
    assert decided.exit_code == 0 and "false_positive" in decided.output
    text = customers.read_text().replace("p2,JANAN AGHA,1958", "p2,JANAN AGHA,1959")
    assert text != customers.read_text()
    customers.write_text(text)
    assert run("--db", db, "watch", "import", str(customers)).exit_code == 0
    assert run("--db", db, "rescreen").exit_code == 0
    again = next(a for a in _alerts(db, "--record", "p2") if a["entity_id"] == alert["entity_id"])
    shown = run("--db", db, "alerts", str(again["id"])).output
    assert "last: false_positive on" in shown and f"(alert {alert['id']})" in shown
    assert "record birthDate: 1958 -> 1959" in shown and "entity: unchanged" in shown
    assert "false_positive by" in shown and "not him" in shown
    underscored = run("--db", db, "alerts", "--status", "false_positive", "--json")
    hyphenated = run("--db", db, "alerts", "--status", "false-positive", "--json")
    assert json.loads(underscored.stdout) == json.loads(hyphenated.stdout)


@pytest.mark.slow  # watches customers against the real UN list (CI runs it)
def test_by_record_gives_one_case_per_customer(watched: tuple[str, Path]) -> None:
    db, _ = watched
    alerts = _alerts(db)
    cases = json.loads(run("--db", db, "alerts", "--by-record", "--json").stdout)
    assert sorted(c["record_id"] for c in cases) == sorted({a["record_id"] for a in alerts})
    assert sum(len(c["alerts"]) for c in cases) == len(alerts)
    for case in cases:
        scores = [a["score"] for a in case["alerts"]]
        assert scores == sorted(scores, reverse=True) and case["best_score"] == scores[0]
    table = run("--db", db, "alerts", "--by-record").output
    assert f"{len(cases)} customer(s) with alerts" in table
