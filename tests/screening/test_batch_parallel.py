"""Batch screening on every core: same results as one process, pinned list versions,
constant-memory streaming, and failures that keep nothing half-written."""

from __future__ import annotations

import csv
import gc
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanctions.errors import SanctionsError
from sanctions.screening import Screener
from sanctions.screening import screener as screener_module
from sanctions.screening.batch import ROW_PROBLEM, ColumnMap, _read_columns, screen_file
from sanctions.screening.parallel import GC_THRESHOLDS, WorkerDied, WorkerMemory, map_ordered

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "batch"
EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "eval"


@pytest.fixture()
def store(tmp_path: Path) -> Iterator[Any]:
    from sanctions.store import Store

    store = Store.open(tmp_path / "lists.db")
    store.load(FIXTURES / "v1.jsonl", dataset="fixture")
    yield store
    store.close()


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def results(path: Path) -> list[dict[str, str]]:
    """The result rows without the run id (which differs from run to run)."""
    with open(path, encoding="utf-8") as fh:
        return [{k: v for k, v in row.items() if k != "run_id"} for row in csv.DictReader(fh)]


def mixed_rows(n: int) -> list[list[str]]:
    names = ["Oskar Pretendski", "Northwind Made Up Trading", "Greta Fabulova", "Jane Ordinary"]
    rows = [["id", "name", "dob"]]
    for i in range(n):
        dob = "" if i % 3 else "1961-04-02"
        rows.append([f"c{i}", names[i % 4] if i % 97 else "", dob])  # every 97th: no name
    return rows


@pytest.mark.slow  # worker processes (CI runs it)
def test_two_workers_write_what_one_process_writes(store: Any, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"  # wide: a column no query reads (not shipped)
    write_csv(
        source,
        [[*row, "notes" if i == 0 else f"note {i}"] for i, row in enumerate(mixed_rows(1_300))],
    )
    outputs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}.csv"
        errors = tmp_path / f"errors{workers}.txt"
        summary = screen_file(Screener(store), source, out, errors, workers=workers)
        assert summary.workers == workers and summary.rows == 1_300
        outputs.append((results(out), errors.read_text(), summary.alerts, summary.errors))
    assert outputs[0] == outputs[1]
    assert outputs[0][3] == 14 and outputs[0][2] > 0  # rows 0, 97, ... have no name
    each = summary.memory["per_worker"]  # the 2-worker run's: one entry per worker seen
    assert len(each) == summary.memory["workers"] and 1 <= len(each) <= 2
    assert all(w["peak_rss_mib"] > 0 and w["cpu_seconds"] > 0 for w in each)
    lines = [int(r["line"]) for r in outputs[0][0]]
    assert lines == sorted(lines)


def test_workers_are_shipped_only_the_columns_a_query_reads() -> None:
    cmap = ColumnMap().resolve(["id", "name", "dob", "notes", "branch"])
    rows = iter([(2, {"id": "c1", "name": "Jane", "dob": "", "notes": "x" * 500, "branch": "7"})])
    problem = iter([(3, {"id": "c2", "name": "Bob", ROW_PROBLEM: "3 fields, 5 expected"})])
    header = ["id", "name", "dob", "notes", "branch"]
    assert list(_read_columns(rows, cmap, header)) == [(2, {"id": "c1", "name": "Jane", "dob": ""})]
    kept = list(_read_columns(problem, cmap, header))
    assert kept == [(3, {"id": "c2", "name": "Bob", ROW_PROBLEM: "3 fields, 5 expected"})]
    narrow = [(2, {"id": "c1", "name": "Jane"})]
    assert list(_read_columns(iter(narrow), cmap, ["id", "name"])) == narrow


@pytest.mark.slow  # worker processes (CI runs it)
def test_a_store_updated_during_a_job_does_not_change_its_versions(
    store: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(screener_module, "REFRESH_SECONDS", 0.0)  # a screener would see it
    source = tmp_path / "customers.csv"
    write_csv(source, [["name"]] + [["Greta Fabulova"]] * 1_000)
    screener = Screener(store)
    updated = []

    def load_v2_once(_: int) -> None:
        if not updated:
            updated.append(store.load(FIXTURES / "v2.jsonl", dataset="fixture"))

    out = tmp_path / "out.csv"
    summary = screen_file(
        screener, source, out, tmp_path / "e.txt", workers=1, progress=load_v2_once
    )
    assert updated and updated[0].status == "loaded"
    assert summary.list_versions == {"fixture": 1} and summary.alerts == 0
    rows = results(out)
    assert len(rows) == 1_000 and {r["list_versions"] for r in rows} == {rows[0]["list_versions"]}
    assert not any(r["match_id"] for r in rows)
    again = screen_file(screener, source, tmp_path / "out2.csv", tmp_path / "e2.txt", workers=2)
    assert again.list_versions == {"fixture": 2} and again.alerts == 1_000


def test_a_failed_run_leaves_no_results_file(store: Any, tmp_path: Path) -> None:
    source = tmp_path / "customers.csv"
    write_csv(source, mixed_rows(600))
    out = tmp_path / "out.parquet"

    def fail(_: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        screen_file(Screener(store), source, out, tmp_path / "e.txt", workers=2, progress=fail)
    assert not out.exists() and not list(tmp_path.glob(".out.parquet*"))


def _die_on_three(state: Any, item: int) -> int:
    if item == 3:
        os._exit(9)  # a worker killed mid-job (the OOM killer, a kill -9)
    return item * state


def test_a_worker_that_dies_stops_the_job_with_a_clear_error() -> None:
    with pytest.raises(WorkerDied, match="worker died"):
        list(map_ordered(_die_on_three, iter(range(10)), 2, workers=2))


def _double(state: int, item: int) -> int:
    return item * state


def test_map_ordered_keeps_the_order_and_reads_the_input_lazily() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1_000):
            taken.append(i)
            yield i

    memory = WorkerMemory()
    stream = map_ordered(_double, items(), 2, workers=2, window=4, memory=memory)
    first = [next(stream) for _ in range(3)]
    assert first == [0, 2, 4] and len(taken) <= 3 + 4  # never more than the window ahead
    assert list(stream) == [2 * i for i in range(3, 1_000)]
    assert memory.summary()["workers"] == 2 and memory.summary()["worker_peak_rss_mib"] > 0


def _gc_threshold(state: Any, item: int) -> tuple[int, tuple[int, ...]]:
    return os.getpid(), gc.get_threshold()


@pytest.mark.parametrize("workers", [1, 2])
def test_chunks_are_screened_with_a_relaxed_gc_which_is_restored_after(workers: int) -> None:
    before = gc.get_threshold()
    seen = list(map_ordered(_gc_threshold, iter(range(6)), None, workers=workers))
    assert {threshold for _, threshold in seen} == {GC_THRESHOLDS} != {before}
    assert ({pid for pid, _ in seen} == {os.getpid()}) == (workers == 1)  # forked: inherited
    assert gc.get_threshold() == before


@pytest.mark.slow  # real lists or a server: CI runs it, the fast loop does not
def test_parquet_streamed_in_and_out_with_typed_columns(store: Any, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "customers.parquet"
    names = ["Oskar Pretendski", None, "Jane Ordinary"] * 20_000
    pq.write_table(pa.table({"name": names, "id": [str(i) for i in range(60_000)]}), source)
    out = tmp_path / "out.parquet"
    summary = screen_file(Screener(store), source, out, tmp_path / "e.txt", workers=2)
    assert (summary.rows, summary.errors, summary.alerts) == (60_000, 20_000, 20_000)
    written = pq.ParquetFile(out)
    assert written.metadata.num_rows == 40_000 and written.metadata.num_row_groups > 1
    schema = written.schema_arrow
    assert str(schema.field("line").type) == "int64" and str(schema.field("match").type) == "bool"
    first = written.read_row_group(0).slice(0, 1).to_pylist()[0]
    assert (first["line"], first["match_id"], first["match"]) == (1, "bt-1", True)


def test_parquet_with_wrong_column_types_is_refused_naming_them(store: Any, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    source = tmp_path / "wrong.parquet"
    table = pa.table({"name": [1, 2], "birth_date": [1.5, 2.5], "id": [7, 8]})
    pq.write_table(table, source)
    with pytest.raises(SanctionsError) as err:
        screen_file(Screener(store), source, tmp_path / "o.csv", tmp_path / "e.txt", workers=1)
    message = str(err.value)
    assert (
        "wrong.parquet" in message
        and "wrong column types" in message
        and "'name' (name) is int64" in message
    )
    assert "'birth_date' (birthDate) is double" in message and "'id'" not in message
    assert not (tmp_path / "o.csv").exists()


def test_unparseable_dates_and_missing_names_are_bad_rows_on_every_path(
    store: Any, tmp_path: Path
) -> None:
    source = tmp_path / "customers.csv"
    write_csv(
        source,
        [["name", "dob"], ["Oskar Pretendski", "31/31/1961"], ["", "1961"], ["Oskar", "1961"]],
    )
    for workers in (1, 2):
        errors = tmp_path / f"e{workers}.txt"
        summary = screen_file(
            Screener(store), source, tmp_path / "o.csv", errors, ColumnMap(), workers=workers
        )
        assert (summary.rows, summary.errors, summary.screened) == (3, 2, 1)
        lines = errors.read_text().splitlines()
        assert "line 2" in lines[0] and "31/31/1961" in lines[0] and "line 3" in lines[1]


def real_rows(n: int) -> list[list[str]]:
    """``n`` rows of real names: synthetic customers with a listed name every 20th row."""
    with open(EVAL / "negatives_synthetic_us.csv", encoding="utf-8") as fh:
        negatives = list(csv.DictReader(fh))
    with open(EVAL / "un_people_perturbed.csv", encoding="utf-8") as fh:
        listed = list(csv.DictReader(fh))
    rows = [["id", "full_name", "date_of_birth", "nationality"]]
    for i in range(n):
        src = listed[(i // 20) % len(listed)] if i % 20 == 0 else negatives[i % len(negatives)]
        rows.append([f"r{i}", src["full_name"], src["date_of_birth"], src["nationality"]])
    return rows


@pytest.mark.slow
def test_ten_thousand_real_rows_on_two_workers_equal_one_process(
    real_store_path: Path, tmp_path: Path
) -> None:
    from sanctions.store import Store

    source = tmp_path / "customers.csv"
    write_csv(source, real_rows(10_000))
    store = Store.open(real_store_path)
    outputs = []
    for workers in (1, 2):
        out, errors = tmp_path / f"out{workers}.csv", tmp_path / f"errors{workers}.txt"
        summary = screen_file(Screener(store), source, out, errors, workers=workers)
        outputs.append((results(out), errors.read_text(), summary.to_dict()))
    (one, errors_one, first), (two, errors_two, second) = outputs
    assert first["rows"] == second["rows"] == 10_000
    assert first["alerts"] == second["alerts"] >= 400  # the planted listed names are found
    assert first["list_versions"] == second["list_versions"] and len(first["list_versions"]) >= 5
    assert errors_one == errors_two
    assert len(one) == len(two) and one == two


def screened_one_by_one(screener: Screener, rows: list[list[str]]) -> list[tuple[Any, ...]]:
    """What :class:`Screener` answers for each row on its own, as (query id, rank, listed
    id, score, match), with a rank-0 row for a query without candidates."""
    header, expected = rows[0], []
    for values in rows[1:]:
        row = dict(zip(header, values, strict=True))
        props = {"name": [row.get("name") or row.get("full_name") or ""]}
        dob = row.get("dob") or row.get("date_of_birth")
        if dob:
            props["birthDate"] = [dob]
        if row.get("nationality"):
            props["nationality"] = [row["nationality"].lower()]
        if not props["name"][0].strip():
            continue  # a bad row: in the errors file, not in the results
        query = {"id": row["id"], "schema": "LegalEntity", "properties": props}
        found = screener.screen(query).results
        expected.extend(
            (row["id"], rank, m.record.id, repr(m.score.score), str(m.score.match))
            for rank, m in enumerate(found, start=1)
        )
        if not found:
            expected.append((row["id"], 0, "", repr(0.0), "False"))
    return expected


def written(path: Path) -> list[tuple[Any, ...]]:
    return [
        (r["query_id"], int(r["rank"]), r["match_id"], r["score"], r["match"])
        for r in results(path)
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_every_row_is_what_the_screener_answers_for_it_alone(
    store: Any, tmp_path: Path, workers: int
) -> None:
    source = tmp_path / "customers.csv"
    rows = mixed_rows(700)
    write_csv(source, rows)
    out = tmp_path / "out.csv"
    screen_file(Screener(store), source, out, tmp_path / "e.txt", workers=workers)
    expected = screened_one_by_one(Screener(store), rows)
    assert written(out) == expected and any(m == "True" for *_, m in expected)


@pytest.mark.slow
def test_real_rows_are_what_the_screener_answers_for_each_alone(
    real_store_path: Path, tmp_path: Path
) -> None:
    from sanctions.store import Store

    source = tmp_path / "customers.csv"
    rows = real_rows(600)
    write_csv(source, rows)
    store = Store.open(real_store_path)
    out = tmp_path / "out.csv"
    summary = screen_file(Screener(store), source, out, tmp_path / "e.txt", workers=2)
    expected = screened_one_by_one(Screener(store), rows)
    assert summary.rows == 600 and summary.alerts >= 25  # every 20th row is a listed name
    assert written(out) == expected
