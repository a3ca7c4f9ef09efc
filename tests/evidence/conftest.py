"""Fixtures of the evidence tests (issue 16): a small hand-written list, the real UN list."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sanctions.cli import main

LISTED = [
    {
        "id": "os-putin",
        "schema": "Person",
        "properties": {
            "name": ["PUTIN, Vladimir Vladimirovich"],
            "birthDate": ["1952-10-07"],
            "nationality": ["ru"],
            "program": ["RUSSIA-EO14024"],
            "passportNumber": ["100000001"],
        },
    },
    {"id": "os-ship", "schema": "Vessel", "properties": {"name": ["VLADIMIR PUTIN"]}},
    {
        "id": "os-acme",
        "schema": "Company",
        "properties": {"name": ["Acme Rocket Trading LLC"], "country": ["ir"]},
    },
]


@pytest.fixture()
def ftm_db(tmp_path: Path) -> str:
    """A store with a three-entity FtM list (hand-written)."""
    source = tmp_path / "list.ftm.json"
    source.write_text("".join(json.dumps(e) + "\n" for e in LISTED))
    path = str(tmp_path / "s.db")
    result = CliRunner().invoke(main, ["--db", path, "load", str(source)])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def un_db(un_store: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the real UN store (these tests write audit entries)."""
    source = Path(un_store.engine.url.database)
    dest = tmp_path_factory.mktemp("un-evidence") / "un.db"
    with sqlite3.connect(source) as src, sqlite3.connect(dest) as dst:
        src.backup(dst)  # the WAL's content too (a file copy would miss it)
    return str(dest)


def run(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input)
