"""Batch screening of files: column mapping, bad rows with line numbers, Parquet."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanctions.model import Entity
from sanctions.screening import Screener
from sanctions.screening.batch import ColumnMap, screen_file


@pytest.fixture()
def screener() -> Screener:
    putin = Entity.create("test", "putin", "Person")
    putin.add_name("PUTIN, Vladimir Vladimirovich")
    acme = Entity.create("test", "acme", "Company")
    acme.add_name("Acme Rocket Trading LLC")
    return Screener.from_entities([putin, acme])


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def test_bad_rows_go_to_the_errors_file_and_the_rest_is_screened(
    screener: Screener, tmp_path: Path
) -> None:
    source = tmp_path / "customers.csv"
    write_csv(
        source,
        [
            ["customer_id", "full_name", "dob", "kind"],
            ["c1", "Wladimir Putin", "1952-10-07", "Person"],
            ["c2", "", "1990", "Person"],
            ["c3", "Acme Rocket Trading", "", "Company"],
            ["c4", "Somebody Else", "", "Starship"],
        ],
    )
    out, errors = tmp_path / "out.csv", tmp_path / "errors.txt"
    cmap = ColumnMap({"name": "full_name"}, "customer_id", schema_column="kind")
    summary = screen_file(screener, source, out, errors, cmap, workers=1)
    assert (summary.rows, summary.screened, summary.errors, summary.alerts) == (4, 2, 2, 2)
    lines = errors.read_text().splitlines()
    assert lines[0].startswith("customers.csv: line 3:") and "no usable name" in lines[0]
    assert "line 5" in lines[1] and "Starship" in lines[1]
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert rows[0]["query_id"] == "c1" and rows[0]["match_id"] == "test-putin"
    assert {r["query_id"] for r in rows} == {"c1", "c3"}


@pytest.mark.slow  # worker processes (CI runs it)
def test_many_rows_on_two_workers_keep_their_order(screener: Screener, tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    rows = [["name"]] + [
        [f"Vladimir Putin {i % 3}"] if i % 2 else ["Nobody Here"] for i in range(900)
    ]
    write_csv(source, rows)
    out = tmp_path / "out.csv"
    summary = screen_file(screener, source, out, tmp_path / "e.txt", workers=2)
    assert summary.rows == 900 and summary.errors == 0
    lines = [int(r["line"]) for r in csv.DictReader(open(out, encoding="utf-8"))]
    assert lines == sorted(lines) and lines[0] == 2


def test_parquet_in_and_out(screener: Screener, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "customers.parquet"
    pq.write_table(pa.table({"name": ["Vladimir Putin", None], "id": ["a", "b"]}), source)
    out = tmp_path / "out.parquet"
    summary = screen_file(screener, source, out, tmp_path / "e.txt", workers=1)
    assert summary.screened == 1 and summary.errors == 1
    table = pq.read_table(out).to_pylist()
    assert table[0]["match_id"] == "test-putin" and table[0]["match"] is True


def test_an_unknown_mapped_column_is_one_clear_error(screener: Screener, tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    write_csv(source, [["name"], ["x"]])
    with pytest.raises(Exception, match="columns not in the file: nom"):
        screen_file(
            screener, source, tmp_path / "o.csv", tmp_path / "e.txt", ColumnMap({"name": "nom"})
        )


@pytest.mark.parametrize("item", [" =col", "name= ", "name", "=", ""])
def test_column_options_are_read_one_way_for_cli_and_api(item: str) -> None:
    from sanctions.errors import SanctionsError

    with pytest.raises(SanctionsError, match="expected PROP=COLUMN"):
        ColumnMap.from_options({"column": [item]})  # --column and the API's column=


def test_column_options_make_the_map() -> None:
    cmap = ColumnMap.from_options(
        {"name_column": "full", "column": [" idNumber = passport "], "date_format": "DD.MM.YYYY"}
    )
    assert cmap.props == {"name": "full", "idNumber": "passport"}
    assert cmap.schema == "LegalEntity" and cmap.date_format == "DD.MM.YYYY"
    from sanctions.errors import SanctionsError

    with pytest.raises(SanctionsError, match="DD, MM and YYYY"):
        ColumnMap.from_options({"name_column": "full", "date_format": "MM/YYYY"})
