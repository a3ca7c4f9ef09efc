"""Finding 4 of issue 16: customer files are read right, or their rows are refused by line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from sanctions.errors import SanctionsError
from sanctions.screening.tabular import (
    ROW_PROBLEM,
    ReadOptions,
    normalise_date,
    open_stream,
    open_table,
)

from .conftest import run


def _screen(db: str, source: Path, tmp_path: Path, *extra: str) -> tuple[object, Path, Path]:
    out = tmp_path / "results.csv"
    result = run("--db", db, "screen", "--file", str(source), "--out", str(out), *extra)
    return result, out, tmp_path / "results.csv.errors.txt"


def _queries(out: Path) -> dict[str, list[dict[str, str]]]:
    rows: dict[str, list[dict[str, str]]] = {}
    with open(out, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            rows.setdefault(row["query_id"], []).append(row)
    return rows


@pytest.mark.slow  # a real customer file on the real UN list (CI runs it)
def test_real_file_with_semicolons_and_dd_mm_dates_needs_a_date_format(
    un_db: str, shared_data: Path, tmp_path: Path
) -> None:
    """The real UN people file, rewritten as a European spreadsheet export would be."""
    with open(shared_data / "eval" / "un_people_original.csv", encoding="utf-8") as fh:
        people = list(csv.DictReader(fh))[:60]
    source = tmp_path / "customers.csv"
    ambiguous: list[int] = []  # the lines whose dates could be read both ways
    with open(source, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["id", "name", "dob", "nationality"])
        for i, person in enumerate(people):
            year = (person["date_of_birth"] or "1960")[:4]
            day, month = 1 + i % 28, 1 + i % 12
            if day <= 12 and day != month:
                ambiguous.append(i + 2)
            writer.writerow([f"c{i}", person["full_name"], f"{day:02d}/{month:02d}/{year}", "af"])
    result, out, errors = _screen(un_db, source, tmp_path, "--schema", "Person")
    assert result.exit_code == 1  # the ambiguous dates are bad rows
    assert "delimiter ';'" in result.output and f"{len(people)} rows: Person {len(people)}" in (
        result.output
    )
    assert "columns: name <- name, birthDate <- dob, nationality <- nationality" in result.output
    refused = errors.read_text().splitlines()
    assert [int(line.split(":")[1].split()[1]) for line in refused] == ambiguous
    assert all("column 'dob' (birthDate)" in line and "is ambiguous" in line for line in refused)
    assert len(_queries(out)) == len(people) - len(ambiguous)

    result, out, errors = _screen(
        un_db, source, tmp_path, "--schema", "Person", "--date-format", "DD/MM/YYYY"
    )
    assert result.exit_code == 0, result.output
    assert errors.read_text() == "" and len(_queries(out)) == len(people)


def test_ambiguous_date_is_refused_and_unambiguous_ones_are_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        normalise_date("10/07/1952")
    assert normalise_date("10/07/1952", "DD/MM/YYYY") == "1952-07-10"
    assert normalise_date("10/07/1952", "MM/DD/YYYY") == "1952-10-07"
    assert normalise_date("25/07/1952") == "1952-07-25"
    assert normalise_date("07/25/1952") == "1952-07-25"
    assert normalise_date("1952-10-07 00:00:00") == "1952-10-07"
    assert normalise_date("circa 1952") == "circa 1952"
    with pytest.raises(ValueError, match="not a date"):
        normalise_date("next tuesday")


def test_bad_dates_unknown_countries_and_field_counts_go_to_the_errors_file(
    ftm_db: str, tmp_path: Path
) -> None:
    source = tmp_path / "c.csv"
    source.write_text(
        "id,name,dob,country\n"
        "c1,Vladimir Putin,1952-10-07,Russia\n"
        "c2,Jane Nobody,31/02/1980,France\n"
        "c3,John Nobody,1980,Narnia\n"
        "c4,Acme Rocket,1999,ir,extra\n"
        '"c5","Vladimir Putin\n'
        'c6",1952,ru\n'
        "c7,Vladimir Putin,n/a,GBR\n"
        "c8,Jane Nobody,1980,unknown\n"
    )
    result, out, errors = _screen(ftm_db, source, tmp_path)
    assert result.exit_code == 1
    lines = errors.read_text().splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
    assert "'31/02/1980' is not a date" in lines[0]
    assert "column 'country' (country): 'Narnia' is not a country" in lines[1]
    assert "5 fields on line 5 but the header has 4" in lines[2]
    assert "runs over 2 lines (6-7)" in lines[3]  # the quote left open: c6 is not lost silently
    assert set(_queries(out)) == {"c1", "c7", "c8"}  # "n/a", "unknown": no value, no error


def test_cp1252_file_is_read_with_a_warning_and_encoding_can_be_given(
    ftm_db: str, tmp_path: Path
) -> None:
    source = tmp_path / "latin.csv"
    source.write_bytes("id,name\nc1,José Müller\nc2,Vladimir Putin\n".encode("cp1252"))
    table = open_table(source)
    assert table.encoding == "cp1252" and "line 2 is the first that is not" in table.warnings[0]
    assert [row["name"] for _, row in table.rows] == ["José Müller", "Vladimir Putin"]
    result, out, _ = _screen(ftm_db, source, tmp_path)
    assert result.exit_code == 0 and "warning:" in result.output and "cp1252" in result.output
    assert _queries(out)["c1"][0]["query_name"] == "José Müller"
    given = open_table(source, ReadOptions(encoding="latin-1"))
    assert given.warnings == [] and given.encoding == "latin-1"
    meta = json.loads((tmp_path / "results.csv.meta.json").read_text())
    assert meta["encoding"] == "cp1252" and meta["reader_warnings"]


def test_tab_delimiter_is_sniffed_or_given(ftm_db: str, tmp_path: Path) -> None:
    source = tmp_path / "c.tsv"
    source.write_text("id\tname\tnote\nc1\tVladimir Putin\ta, b; c\n")
    assert open_table(source).delimiter == "\t"
    result, out, _ = _screen(ftm_db, source, tmp_path, "--delimiter", "tab")
    assert result.exit_code == 0, result.output
    assert _queries(out)["c1"][0]["match_id"] == "os-putin"
    wrong, _, errors = _screen(ftm_db, source, tmp_path, "--delimiter", ";")
    assert wrong.exit_code == 2 and "no name column" in wrong.output


def test_watch_import_uses_the_same_reader(ftm_db: str, tmp_path: Path) -> None:
    source = tmp_path / "c.csv"
    source.write_text("id;name;dob\nc1;Vladimir Putin;10/07/1952\nc2;Jane Nobody;1980\n")
    result = run("--db", ftm_db, "watch", "import", str(source))
    assert result.exit_code == 1
    assert "delimiter ';'" in result.output and "2 rows: LegalEntity 2" in result.output
    assert "c.csv: line 2: column 'dob' (birthDate): '10/07/1952' is ambiguous" in result.output
    again = run("--db", ftm_db, "watch", "import", str(source), "--date-format", "MM/DD/YYYY")
    assert again.exit_code == 0, again.output
    listed = json.loads(run("--db", ftm_db, "watch", "list", "--json").stdout)
    assert {r["id"]: r["properties"].get("birthDate") for r in listed}["c1"] == ["1952-10-07"]


def test_a_stream_is_read_as_its_file_and_a_runaway_header_is_refused(tmp_path: Path) -> None:
    """open_stream: the same header, delimiter, encoding, warnings and rows as open_table."""
    data = "\ufeffid;name\r\nc1;José Müller\r\n\r\nc2;Vladimir Putin;extra\r\n".encode(
        "cp1252", "ignore"
    )
    source = tmp_path / "latin.csv"
    source.write_bytes(data)
    by_file = open_table(source)
    by_stream = open_stream(io.BytesIO(data), "latin.csv")
    as_text = open_stream(io.StringIO(data.decode("cp1252"), newline=""), "latin.csv")
    for table in (by_stream, as_text):
        assert (
            (table.header, table.delimiter)
            == (by_file.header, by_file.delimiter)
            == (
                ["id", "name"],
                ";",
            )
        )
    assert by_stream.warnings == by_file.warnings and by_stream.encoding == "cp1252"
    rows = list(by_file.rows)
    assert list(by_stream.rows) == list(as_text.rows) == rows
    assert [line for line, _ in rows] == [2, 4] and ROW_PROBLEM in rows[1][1]
    with pytest.raises(SanctionsError, match="header longer than"):
        open_stream(io.StringIO("a" * 70_000), "wide.csv")
