"""Watched records: imports with a column mapping, versions by content hash, add/remove."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from sanctions.errors import SanctionsError
from sanctions.watch import ColumnMap, ImportOptions

from .conftest import customer_map


def test_import_maps_columns_and_versions_records_by_content(
    watch: Any, watch_files: Path, tmp_path: Path
) -> None:
    report = watch.import_file(watch_files / "customers.csv", customer_map())
    assert (report.rows, report.added, report.errors) == (7, 7, [])
    boris = watch.record("c-1")
    assert boris.schema == "Person" and boris.version == 1
    assert boris.properties == {
        "birthDate": ["1970-03-01"],
        "name": ["Boris Fictionov"],
        "nationality": ["Russia"],
    }
    assert watch.record("c-6").schema == "Company"
    again = watch.import_file(watch_files / "customers.csv", customer_map())
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)
    edited = tmp_path / "edited.csv"
    text = (watch_files / "customers.csv").read_text().replace("1970-03-01", "1970-03-02")
    edited.write_text(text)
    third = watch.import_file(edited, customer_map())
    assert (third.updated, third.unchanged) == (1, 6)
    boris2 = watch.record("c-1")
    assert boris2.version == 2 and boris2.hash != boris.hash


def test_bad_rows_are_reported_with_their_lines_and_the_rest_imported(
    watch: Any, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "ref,surname,given,dob\n"
        "a1,Doe,Jane,1980-01-01\n"
        ",Nobody,No,1970\n"
        "a2,,,1990\n"
        "a1,Doe,John,1981\n"
        "a3,Roe,Richard,not a date\n"
    )
    cmap = ColumnMap({"lastName": "surname", "firstName": "given"}, id_column="ref")
    report = watch.import_file(path, cmap)
    assert report.added == 1  # a3's birth date is not a date: a bad row, never dropped silently
    lines = [e.split(":")[1].strip() for e in report.errors]
    assert lines == ["line 3", "line 4", "line 5", "line 6"]
    assert "duplicate id 'a1' (first on line 2)" in report.errors[2]
    assert "column 'dob' (birthDate): 'not a date' is not a date" in report.errors[3]
    assert watch.record("a1").caption == "Jane Doe"


def test_an_id_column_is_required(watch: Any, tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    path.write_text("name\nJane Doe\n")
    with pytest.raises(SanctionsError, match="need the user's own id"):
        watch.import_file(path, ColumnMap())


def test_parquet_import(watch: Any, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "customer_id": ["p1", "p2"],
            "name": ["Jane Doe", "Acme Ltd"],
            "kind": ["Person", "Company"],
        }
    )
    pq.write_table(table, tmp_path / "c.parquet")
    report = watch.import_file(tmp_path / "c.parquet", ColumnMap(schema_column="kind"))
    assert report.added == 2 and watch.record("p2").schema == "Company"


def test_remove_missing_stops_watching_records_not_in_the_file(
    watch: Any, watch_files: Path, tmp_path: Path
) -> None:
    watch.import_file(watch_files / "customers.csv", customer_map())
    short = tmp_path / "short.csv"
    lines = (watch_files / "customers.csv").read_text().splitlines()
    short.write_text("\n".join(lines[:3]) + "\n")
    report = watch.import_file(
        short, customer_map(), ImportOptions(remove_missing=True, confirm_removals=5)
    )
    assert report.removed == 5 and [r.id for r in watch.records()] == ["c-1", "c-2"]
    assert len(watch.records("removed")) == 5


def test_add_validates_and_value_order_does_not_make_a_version(watch: Any) -> None:
    first = watch.add("x", {"name": ["A Person", "Another Name"], "nationality": "France"})
    same = watch.add("x", {"name": ["Another Name", " A Person "], "nationality": ["France"]})
    assert (first.change, same.change, same.version) == ("added", "unchanged", 1)
    with pytest.raises(SanctionsError, match="no usable name"):
        watch.add("y", {"nationality": "France"})
    with pytest.raises(SanctionsError, match="unknown schema"):
        watch.add("z", {"name": "Thing"}, schema="Spaceship")


class _OneWay(io.RawIOBase):
    """A binary stream that cannot seek (a pipe, an HTTP body read as it comes)."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._data.readinto(buffer)


def _imported_entry(watch: Any) -> dict[str, Any]:
    from sanctions import audit

    entries = [e for e in audit.iter_entries(watch.store.engine) if e.action == "records.imported"]
    return {"subject": entries[-1].subject, **json.loads(entries[-1].details)}


@pytest.mark.parametrize("kind", ["text", "bytes", "one-way bytes"])
def test_a_stream_imports_as_its_file_does(
    kind: str, watch_files: Path, tmp_path: Path, store: Any
) -> None:
    """import_stream (no temporary file) gives the file's report, records and audit entry."""
    from sanctions.store import Store
    from sanctions.watch import Watch

    source = watch_files / "customers.csv"
    data = source.read_bytes() + b"c-9,,1970-01-01,Russia,Person\nc-10,X Y,1970-13-45,,Person\n"
    path = tmp_path / "customers.csv"
    path.write_bytes(data)
    stream = {
        "text": lambda: io.StringIO(data.decode("utf-8"), newline=""),
        "bytes": lambda: io.BytesIO(data),
        "one-way bytes": lambda: io.BufferedReader(_OneWay(data)),
    }[kind]()
    by_file = Watch(store, actor="tester").import_file(path, customer_map())
    other = Store.open(tmp_path / "other.db")
    try:
        watch = Watch(other, actor="tester")
        by_stream = watch.import_stream(stream, "customers.csv", customer_map())
        assert by_stream.to_dict() | {"seconds": 0} == by_file.to_dict() | {"seconds": 0}
        assert [e.split(":")[1].strip() for e in by_stream.errors] == ["line 9", "line 10"]
        assert watch.record("c-1").properties == Watch(store).record("c-1").properties
        assert _imported_entry(watch) == _imported_entry(Watch(store))
    finally:
        other.close()
