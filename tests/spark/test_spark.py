"""Screening on Apache Spark (local[2]): the same results as ``screen --file``, every row
exactly once even when a task dies, bad input reported per row or refused up front."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark", reason="PySpark not installed: pip install 'sanctions[spark]'")

from sanctions.errors import SanctionsError  # noqa: E402
from sanctions.screening import Screener  # noqa: E402
from sanctions.screening.batch import screen_file  # noqa: E402

pytestmark = pytest.mark.slow  # a Spark session takes 10-60 s to start on a busy machine

NAMES = ["Oskar Pretendski", "Northwind Made Up Trading", "Oskar Pretendsky", "Jane Ordinary"]


def java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and Path(home, "bin", "java").exists()))


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """A local[2] session allowing 3 attempts per task (local mode allows 1 by default)."""
    if not java_found():
        pytest.skip("no Java found (java on PATH or JAVA_HOME): .ci/run installs it on CI")
    from sanctions.spark import session

    spark = session(
        "local[2,3]",
        **{
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
        },
    )
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def customers(path: Path, n: int) -> Path:
    """``n`` rows with an id; every 13th has no name, every 17th a date that is no date."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "name", "dob", "country"])
        for i in range(n):
            name = "" if i % 13 == 5 else NAMES[i % len(NAMES)]
            dob = "31/31/1961" if i % 17 == 3 else ("1961-04-02" if i % 2 else "")
            out.writerow([f"c{i}", name, dob, "by" if i % 3 else ""])
    return path


def test_spark_finds_what_screen_file_finds(spark: Any, store: Any, tmp_path: Path) -> None:
    from sanctions.spark import screen_files

    source = customers(tmp_path / "customers.csv", 400)
    local = tmp_path / "local.csv"
    errors = tmp_path / "errors.txt"
    screen_file(Screener(store), source, local, errors, workers=1, options={"cutoff": 0.5})
    with open(local, encoding="utf-8") as fh:
        expected = {
            (r["query_id"], int(r["rank"]), r["match_id"], round(float(r["score"]), 6), r["match"])
            for r in csv.DictReader(fh)
        }
    bad = {line.split(": ")[1] for line in errors.read_text().splitlines()}

    output = str(tmp_path / "spark.parquet")
    summary = screen_files(spark, str(source), output, store, id_column="id", cutoff=0.5)
    rows = spark.read.parquet(output).collect()
    found = {
        (r.query_id, r.rank, r.entity_id or "", round(r.score, 6), str(r.match))
        for r in rows
        if r.error is None
    }
    assert found == expected
    errored = {r.query_id for r in rows if r.error is not None}
    assert len(errored) == len(bad) == summary.errors > 0
    assert (summary.rows, summary.list_versions) == (400, {"fixture": 1})
    assert summary.counted == "observed while writing"  # one job, no second read
    assert summary.alerts == sum(1 for r in rows if r.match and r.rank == 1) > 0
    assert {r.list_versions for r in rows} == {json.dumps({"fixture": 1})}
    first = next(r for r in rows if r.match)
    assert json.loads(first.explanation)[0]["feature"] == "name"
    no_date = next(r for r in rows if r.query_id == "c3")
    assert "31/31/1961" in no_date.error and "birthDate" in no_date.error


def loaded_by(sha256: str) -> Any:
    """A mapInArrow function: (this worker's pid, the pid that loaded the index) per batch."""

    def probe(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        from sanctions import spark as module

        for _ in batches:
            pid = module._LOADED_BY.get(sha256, -1)
            yield pa.RecordBatch.from_pylist([{"worker": os.getpid(), "loaded_by": pid}])

    return probe


def test_the_python_workers_share_one_index_loaded_by_their_daemon(
    spark: Any, store: Any, tmp_path: Path
) -> None:
    """The job's daemon loads the index before it forks the workers: one copy, shared."""
    from pyspark import cloudpickle

    from sanctions.spark import DAEMON_ENV, SparkIndex, read_table, screen

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    index = SparkIndex(store)
    index.ship(spark)
    try:
        source = customers(tmp_path / "customers.csv", 200)
        df = read_table(spark, str(source)).repartition(4)
        assert len(screen(df, store, id_column="id", index=index).collect()) >= 200
        environment = spark.sparkContext.environment
        environment[DAEMON_ENV] = index.daemon_spec()  # the job's environment: its daemon
        try:
            probe = df.mapInArrow(loaded_by(index.sha256), "worker long, loaded_by long")
        finally:
            environment.pop(DAEMON_ENV)
        seen = {(r.worker, r.loaded_by) for r in probe.collect()}
    finally:
        index.remove()
    loaders = {loader for _, loader in seen}
    assert len(loaders) == 1 and -1 not in loaders  # one process loaded it, for all of them
    assert all(worker != loader for worker, loader in seen)  # ... and it is not a worker


def crash_once(marker: Path) -> Any:
    """A mapInArrow function that kills its Python worker the first time it sees row c150."""

    def crash(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            if "c150" in batch.column("id").to_pylist() and not marker.exists():
                marker.write_text("crashed")
                os._exit(1)
            yield batch

    return crash


def test_a_task_that_dies_is_retried_and_each_row_is_kept_once(
    spark: Any, store: Any, tmp_path: Path
) -> None:
    from pyspark import cloudpickle

    from sanctions.spark import _observed, _observed_counts, read_table, screen

    marker = tmp_path / "crashed"
    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # executors cannot import tests
    source = customers(tmp_path / "customers.csv", 300)
    df = read_table(spark, str(source)).repartition(3)
    df = df.mapInArrow(crash_once(marker), df.schema)
    result, observation = _observed(screen(df, store, id_column="id"))
    rows = result.collect()
    assert marker.exists()  # the task died once, and was run again
    keys = [(r.query_id, r.rank) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r.query_id for r in rows} == {f"c{i}" for i in range(300)}
    # the audit entry's counts, observed in the same job: the failed attempt not counted
    assert _observed_counts(observation) == {
        "rows": 300,
        "alerts": len({r.query_id for r in rows if r.match}),
        "errors": sum(1 for r in rows if r.error is not None),
        "output_rows": len(rows),
    }


def test_wrong_column_types_are_refused_before_the_job(spark: Any, store: Any) -> None:
    from sanctions.spark import screen

    df = spark.createDataFrame([(1, 2.5, "a")], "name long, dob double, id string")
    with pytest.raises(SanctionsError, match="wrong column types") as err:
        screen(df, store, {"birthDate": "dob"})
    assert "'name' (name) is int64" in str(err.value)
    assert "'dob' (birthDate) is double" in str(err.value)


def test_spark_screen_command_writes_csv_and_audits_the_run(
    spark: Any, store: Any, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from sanctions.cli import main
    from sanctions.screening.evidence import find_run

    source = customers(tmp_path / "customers.csv", 60)
    output = tmp_path / "matches.csv"
    db = store.engine.url.database
    args = ["--db", db, "spark-screen", str(source), str(output), "--id-column", "id", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 60 and summary["list_versions"] == {"fixture": 1}
    parts = sorted(output.glob("part-*.csv"))
    with open(parts[0], encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[:3] == ["query_id", "row", "query_name"]
    run = find_run(store.engine, summary["run_id"])
    assert run["rows"] == 60 and run["kind"] == "spark-screen"
    again = CliRunner().invoke(main, args)  # never overwrites earlier results
    assert again.exit_code != 0 and "already exists" in again.output
    assert spark.sparkContext._jsc is not None  # the shared session was left running


@pytest.mark.parametrize("problem", ["missing", "other-sha256", "garbled"])
def test_a_daemon_that_cannot_preload_the_index_says_so_and_still_serves(
    problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    """The workers then load the shipped copy themselves (checked the same way)."""
    import pyspark.daemon

    from sanctions import spark as module
    from sanctions.store import hash_path

    path = tmp_path / "index.pickle"
    if problem != "missing":
        path.write_bytes(b"not an index")
    sha256 = hash_path(path) if problem == "garbled" else "0" * 64
    served: list[bool] = []
    monkeypatch.setattr(pyspark.daemon, "manager", lambda: served.append(True))
    monkeypatch.setenv(module.DAEMON_ENV, f"{sha256} 0.7 {path}")
    monkeypatch.setattr(module, "_LOADED", {})
    module.run_daemon()
    assert served == [True] and module._LOADED == {}
    assert "index not preloaded" in caplog.text
