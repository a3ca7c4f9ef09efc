"""The screening commands: screen, match and compare (the stable JSON lines interface)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sanctions.cli import main

LISTED = [
    {
        "id": "os-putin",
        "schema": "Person",
        "properties": {"name": ["PUTIN, Vladimir Vladimirovich"], "birthDate": ["1952-10-07"]},
    },
    {"id": "os-ship", "schema": "Vessel", "properties": {"name": ["VLADIMIR PUTIN"]}},
]


def _load_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entities: list[Any]) -> str:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "list.ftm.json"
    source.write_text("".join(json.dumps(e) + "\n" for e in entities))
    path = str(tmp_path / "s.db")
    result = CliRunner().invoke(main, ["--db", path, "load", str(source)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return _load_db(tmp_path, monkeypatch, LISTED)


def test_screen_prints_a_table_with_explanations(db: str) -> None:
    result = CliRunner().invoke(
        main, ["--db", db, "screen", "Wladimir Putin", "--schema", "Person"]
    )
    assert result.exit_code == 0, result.output
    assert "MATCH" in result.output and "os-putin" in result.output
    assert "os-ship" not in result.output  # a person never matches a vessel


def test_match_json_lines_shape(db: str) -> None:
    queries = "\n".join(
        [
            json.dumps({"id": "q1", "schema": "Person", "properties": {"name": "Vladimir Putin"}}),
            "",
            json.dumps({"id": "q2", "schema": "Person", "properties": {"name": ["Nobody"]}}),
        ]
    )
    result = CliRunner().invoke(main, ["--db", db, "match", "--limit", "3"], input=queries)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    top = lines[0]["results"][0]
    assert set(top) >= {
        "id",
        "caption",
        "schema",
        "score",
        "match",
        "datasets",
        "properties",
        "explanations",
    }
    assert top["id"] == "os-putin" and top["match"] is True
    assert lines[1]["results"] == [] or all(not r["match"] for r in lines[1]["results"])


def test_match_threshold_and_cutoff(db: str) -> None:
    query = json.dumps({"id": "q", "schema": "Person", "properties": {"name": ["Vladimir Putin"]}})
    strict = CliRunner().invoke(main, ["--db", db, "match", "--threshold", "0.999"], input=query)
    assert json.loads(strict.stdout)["results"][0]["match"] is False
    cut = CliRunner().invoke(main, ["--db", db, "match", "--cutoff", "0.999"], input=query)
    assert json.loads(cut.stdout)["results"] == []


def test_match_bad_line_is_named_and_the_rest_is_processed(db: str) -> None:
    lines = 'not json\n{"id": "q2", "schema": "Person", "properties": {"name": ["Putin"]}}\n'
    result = CliRunner().invoke(main, ["--db", db, "match"], input=lines)
    assert result.exit_code == 1
    assert "line 1" in result.stderr and "not valid JSON" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out[0]["error"].startswith("line 1") and out[1]["id"] == "q2"


def test_compare_needs_no_store() -> None:
    pair = {
        "id": "p1",
        "query": {"schema": "Person", "properties": {"name": ["Владимир Путин"]}},
        "candidate": {"schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
    }
    vessel = {
        **pair,
        "id": "p2",
        "candidate": {"schema": "Vessel", "properties": {"name": ["Putin"]}},
    }
    lines = json.dumps(pair) + "\n" + json.dumps(vessel) + "\n"
    result = CliRunner().invoke(main, ["compare"], input=lines)
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert set(first) == {"id", "score", "match", "explanations"}
    assert first["match"] is True and first["score"] > 0.9
    assert second["score"] == 0.0 and second["match"] is False


def test_compare_bad_schema_names_the_line() -> None:
    line = json.dumps(
        {
            "id": "p",
            "query": {"schema": "Nope", "properties": {"name": ["x"]}},
            "candidate": {"schema": "Person", "properties": {"name": ["x"]}},
        }
    )
    result = CliRunner().invoke(main, ["compare"], input="\n" + line + "\n")
    assert result.exit_code == 1
    assert "line 2" in result.stderr and "unknown schema" in result.stderr


def test_screen_file(db: str, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    source.write_text("id,customer,born\nc1,Wladimir Putin,1952\nc2,,\n")
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(
        main,
        [
            "--db",
            db,
            "screen",
            "--file",
            str(source),
            "--out",
            str(out),
            "--name-column",
            "customer",
            "--birth-date-column",
            "born",
            "--schema",
            "Person",
        ],
    )
    assert result.exit_code == 1  # one bad row
    assert "1 bad rows" in result.stderr
    assert "os-putin" in out.read_text()
    assert "line 3" in (tmp_path / "results.csv.errors.txt").read_text()


SHIPS = [
    {
        "id": "os-tanker",
        "schema": "Vessel",
        "properties": {"name": ["ARTAVIL"], "imoNumber": ["IMO 9187629"]},
    },
    {
        "id": "os-bank",
        "schema": "Company",
        "properties": {"name": ["Havin Bank"], "swiftBic": ["HAVIGB2L"]},
    },
]


@pytest.fixture()
def ships_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    return _load_db(tmp_path, monkeypatch, SHIPS)


@pytest.mark.parametrize(
    "args",
    [
        ["Ocean Pearl", "--schema", "Vessel", "--imo", "9187629"],
        ["Ocean Pearl", "--id-number", "IMO 9187629"],
        ["--imo", "9187629"],
    ],
)
def test_screen_by_imo_matches_a_renamed_vessel(ships_db: str, args: list[str]) -> None:
    result = CliRunner().invoke(main, ["--db", ships_db, "screen", *args, "--json"])
    assert result.exit_code == 0, result.output
    top = json.loads(result.stdout)["results"][0]
    assert top["id"] == "os-tanker" and top["match"]
    detail = [e["detail"] for e in top["explanations"] if e["feature"] == "identifier"]
    assert detail == ["same IMO 9187629; name differs: possible rename"]


def test_screen_refuses_an_invalid_typed_identifier(ships_db: str) -> None:
    result = CliRunner().invoke(main, ["--db", ships_db, "screen", "x", "--imo", "9187628"])
    assert result.exit_code == 2 and "not a valid imo" in result.output


def test_search_finds_by_identifier_and_name(ships_db: str) -> None:
    for text, expected in (
        ("HAVIGB2L123", "os-bank"),
        ("9187629", "os-tanker"),
        ("Artavil", "os-tanker"),
    ):
        result = CliRunner().invoke(main, ["--db", ships_db, "search", text, "--json"])
        assert result.exit_code == 0, result.output
        assert [hit["id"] for hit in json.loads(result.stdout)] == [expected], text
    empty = CliRunner().invoke(main, ["--db", ships_db, "search", "HAVIGB2M"])
    assert empty.exit_code == 0 and "No hits." in empty.output
