"""Batch screening on Apache Spark (``pip install 'sanctions[spark]'``, PySpark >= 3.5).

    >>> from sanctions.spark import screen
    >>> matches = screen(customers_df, "lists.db", {"name": "full_name"}, id_column="cust_id")
    >>> matches.write.parquet("matches.parquet")

How it runs:

* the **index** is built (or loaded from the cache) once, on the driver, from the
  store (a SQLite file or a PostgreSQL URL); that fixes the list versions of the
  whole job. It is written as one file, shipped to the executors with
  ``SparkContext.addFile`` and, in each executor's Python worker, checked against
  its SHA-256 (taken on the driver and sent with the task) and loaded once: the
  worker keeps it for every later task (``spark.python.worker.reuse``, Spark's
  default);
* **one copy per executor**: a session made by :func:`session` runs this module as
  PySpark's daemon (``spark.python.daemon.module``). The job names its index file
  in the Python workers' environment (:data:`DAEMON_ENV`), which gives the job a
  daemon of its own; that daemon loads the index (checked against its SHA-256)
  and rigour's taggers *before* it forks the job's Python workers, so they share
  one copy copy-on-write instead of each unpickling its own (the pages a worker's
  reference counts write to become its own: docs/scale.md has the figures). Where the daemon
  cannot read the file (a cluster whose executors do not see the driver's disk),
  it says so in the executor's log and each worker loads the shipped file itself;
* rows are screened in Arrow batches (``mapInArrow``) by the same code as
  ``sanctions screen --file`` (:func:`sanctions.screening.batch.screen_chunk`),
  so the scores are the same;
* every input row gives at least one output row: one per candidate at or above
  the cutoff, or one with rank 0 (no candidate), or one with ``error`` set (no
  name, a date that is not a date...). A task that fails (a worker killed) is
  retried by Spark and its output is kept once: each row appears exactly once.

Output columns: :data:`OUTPUT_SCHEMA`. ``row`` is Spark's
``monotonically_increasing_id`` of the input row (increasing in input order, not
consecutive); without an id column the query id is ``row-<row>``.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import json
import logging
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctions.errors import SanctionsError
from sanctions.screening import Screener
from sanctions.screening.batch import FILE_CUTOFF, ColumnMap, query_chunks, screen_chunk
from sanctions.screening.evidence import new_run_id
from sanctions.screening.parallel import GC_THRESHOLDS
from sanctions.screening.tabular import check_arrow_types
from sanctions.store import hash_path

if TYPE_CHECKING:
    from sanctions.store import Store

log = logging.getLogger(__name__)

__all__ = [
    "DAEMON_ENV",
    "OUTPUT_SCHEMA",
    "ROW_COLUMN",
    "SparkIndex",
    "SparkSummary",
    "read_table",
    "run_daemon",
    "screen",
    "screen_files",
    "session",
    "write_table",
]

ROW_COLUMN = "_sanctions_row"
OUTPUT_SCHEMA = (
    "query_id string, row long, query_name string, rank int, entity_id string, "
    "entity_caption string, entity_schema string, score double, match boolean, "
    "datasets string, matched_name string, explanation string, error string, "
    "list_versions string, run_id string"
)
_LOADED: dict[str, Screener] = {}  # index SHA-256 -> screener, per executor Python worker
DAEMON_MODULE = "sanctions.spark"  # run as PySpark's daemon: see run_daemon()
DAEMON_ENV = "SANCTIONS_SPARK_INDEX"  # "<sha256> <threshold> <path>": what the daemon preloads
_LOADED_BY: dict[str, int] = {}  # index SHA-256 -> the process that loaded it (a daemon's: shared)


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError as exc:
        raise SanctionsError(
            "Spark screening needs PySpark: pip install 'sanctions[spark]'"
        ) from exc
    return pyspark


def session(master: str = "local[*]", app: str = "sanctions-screen", **conf: str) -> Any:
    """A Spark session; executors run this Python (``PYSPARK_PYTHON``) unless set already.

    A session already active in this process is returned as it is (Spark has one).
    """
    _pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app)
    defaults = {"spark.python.worker.reuse": "true", "spark.python.daemon.module": DAEMON_MODULE}
    for key, value in {**defaults, **conf}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkIndex:
    """The driver's index written to one file, its SHA-256, and the versions it holds."""

    def __init__(self, store: Store | str | Path, threshold: float | None = None) -> None:
        from sanctions.store import Store

        opened = store if isinstance(store, Store) else Store.open(store)
        self.store = opened
        screener = Screener(opened) if threshold is None else Screener(opened, threshold=threshold)
        index = screener.index  # built (or loaded) once: it pins the list versions
        if not screener.versions:
            raise SanctionsError("the store holds no lists: load or update lists first")
        self.threshold = screener.threshold
        self.store_versions = list(screener.versions)
        self.versions = {v.dataset: v.seq for v in screener.versions}
        self.list_versions = json.dumps(self.versions, sort_keys=True)
        folder = Path(tempfile.mkdtemp(prefix="sanctions-spark-"))
        self.path = folder / "index.pickle"
        with open(self.path, "wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.sha256 = hash_path(self.path)
        self.name = f"sanctions-index-{self.sha256[:16]}.pickle"
        self.path = self.path.rename(folder / self.name)

    def ship(self, spark: Any) -> None:
        """Hand the file to every executor (SparkFiles)."""
        spark.sparkContext.addFile(str(self.path))

    def daemon_spec(self) -> str:
        """What the job's daemon preloads (:data:`DAEMON_ENV`): SHA-256, threshold, path."""
        return f"{self.sha256} {self.threshold!r} {self.path}"

    def remove(self) -> None:
        """Delete the driver's copy (and its folder) once the job is done."""
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def _executor_screener(name: str, sha256: str, threshold: float) -> Screener:
    """The index of this job, loaded once per executor Python worker, checked first
    (inherited from the daemon that forked this worker where it preloaded it)."""
    screener = _LOADED.get(sha256)
    if screener is None:
        from pyspark import SparkFiles

        screener = _load_index(Path(SparkFiles.get(name)), sha256, threshold)
    if screener.threshold != threshold:  # the same index, another job's threshold
        screener = Screener(index=screener.index, threshold=threshold)
    return screener


def _load_index(path: Path, sha256: str, threshold: float) -> Screener:
    """Load, check and warm an index file; it becomes this process's only loaded index."""
    from sanctions.cache import gc_paused

    if hash_path(path) != sha256:
        raise SanctionsError(f"{path}: the shipped index is not the driver's (SHA-256 differs)")
    with open(path, "rb") as fh, gc_paused():
        index = pickle.load(fh)  # noqa: S301 - the driver's own file, checked above
    # Frozen at once: unpickled with the collector paused, the index's millions of objects
    # would otherwise all be scanned by the first collection after the pause (warm() below
    # freezes again what it adds).
    gc.freeze()
    _LOADED.clear()  # one job's index at a time
    _LOADED_BY.clear()
    screener = _LOADED[sha256] = Screener(index=index, threshold=threshold)
    _LOADED_BY[sha256] = os.getpid()
    screener.warm()  # rigour's taggers and the matcher's tables, also frozen
    gc.set_threshold(*GC_THRESHOLDS)  # as in screen --file: this process only screens
    log.info("index %s loaded in Python process %d", path.name, os.getpid())
    return screener


def run_daemon() -> None:
    """PySpark's daemon (``python -m sanctions.spark``), with the job's index loaded first.

    Spark starts one daemon per Python environment; :func:`screen` names the job's
    index file in that environment (:data:`DAEMON_ENV`), so the daemon of a job
    loads it (SHA-256 checked, taggers built, all frozen out of the garbage
    collector's sight) before PySpark's own daemon loop forks the Python workers:
    they share that one copy copy-on-write. A file the daemon cannot read or check
    is logged and left to the workers (each loads the shipped copy, checked)."""
    spec = os.environ.get(DAEMON_ENV, "")
    if spec:
        try:
            sha256, threshold, path = spec.split(" ", 2)
            _load_index(Path(path), sha256, float(threshold))
        except Exception as exc:  # noqa: BLE001 - never the daemon's end: workers load it
            log.warning("Spark daemon: index not preloaded (%s): each worker loads its own", exc)
    from pyspark.daemon import manager

    manager()


def _screen_batches(
    batches: Iterator[Any],
    shipped: tuple[str, str, float],
    cmap: ColumnMap,
    options: dict[str, Any],
    stamp: tuple[str, str],
) -> Iterator[Any]:
    """mapInArrow function: input Arrow batches -> output batches (OUTPUT_SCHEMA)."""
    import pyarrow as pa

    screener = _executor_screener(*shipped)
    list_versions, run_id = stamp
    for batch in batches:
        rows = {row[ROW_COLUMN]: row for row in batch.to_pylist()}
        out: list[dict[str, Any]] = []
        for chunk in query_chunks(iter(rows.items()), cmap, size=batch.num_rows or 1):
            ids = {line: q["id"] for line, q in chunk if isinstance(q, dict)}
            state = (screener, options, None)
            for row, found, error in screen_chunk(state, chunk, structured=True):
                if error:
                    qid = _row_id(cmap, rows[row], row)
                    out.append({"query_id": qid, "row": row, "rank": 0, "error": error})
                    continue
                out.extend(_output(found, ids[row]))
        for record in out:
            record.update(list_versions=list_versions, run_id=run_id)
        yield pa.RecordBatch.from_pylist(out, schema=_arrow_schema())


def _output(found: list[dict[str, Any]], query_id: str) -> list[dict[str, Any]]:
    out = []
    for r in found:
        out.append(
            {
                "query_id": query_id,
                "row": r["line"],
                "query_name": r["query_name"],
                "rank": r["rank"],
                "entity_id": r.get("match_id"),
                "entity_caption": r.get("match_caption"),
                "entity_schema": r.get("match_schema"),
                "score": float(r["score"]),
                "match": bool(r["match"]),
                "datasets": r.get("datasets"),
                "matched_name": r.get("matched_name"),
                "explanation": json.dumps(r["explanations"]) if r.get("explanations") else None,
            }
        )
    return out


def _row_id(cmap: ColumnMap, values: dict[str, Any], row: int) -> str:
    """The query id of a bad row: its id column's value, or ``row-N``."""
    if cmap.id_column:
        value = values.get(cmap.id_column)
        if value not in (None, ""):
            return str(value)
    return f"row-{row}"


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"long": pa.int64(), "int": pa.int32(), "double": pa.float64(), "boolean": pa.bool_()}
    fields = [part.strip().split(" ") for part in OUTPUT_SCHEMA.split(",")]
    return pa.schema([(name, types.get(kind, pa.string())) for name, kind in fields])


def screen(
    df: Any,
    store: Store | str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    id_column: str | None = None,
    schema_column: str | None = None,
    schema: str = "LegalEntity",
    date_format: str | None = None,
    threshold: float | None = None,
    limit: int = 5,
    cutoff: float = FILE_CUTOFF,
    index: SparkIndex | None = None,
    run_id: str | None = None,
    partitions: int | None = None,
) -> Any:
    """A DataFrame of matches (:data:`OUTPUT_SCHEMA`) of the query rows of ``df``.

    ``columns`` maps query properties to columns (``{"name": "full_name",
    "birthDate": "dob"}``); common column names are recognised without it, as in
    ``screen --file``. ``store`` is a :class:`~sanctions.store.Store`, a SQLite
    path or a database URL. The result is lazy: the screening runs when it is
    written or collected. ``index`` reuses one already shipped. Input with fewer
    partitions than the cluster has cores is spread over ``partitions`` (default:
    one per core: each Python worker loads the index once and keeps its warm name
    caches for the whole partition) so that every core screens.
    """
    _pyspark()
    from pyspark.sql import functions as F

    cmap = ColumnMap(dict(columns or {}), id_column, schema_column, schema, date_format)
    cmap = cmap.resolve([c for c in df.columns if c != ROW_COLUMN])
    check_arrow_types("input DataFrame", _arrow_types(df), cmap)
    spark = df.sparkSession
    if index is None:
        index = SparkIndex(store, threshold)
        index.ship(spark)
        atexit.register(index.remove)  # the DataFrame is lazy: the file must outlive this call
    used = [*cmap.props.values(), cmap.id_column, cmap.schema_column]
    keep = list(dict.fromkeys(c for c in used if c))
    rows = df.select(*keep).withColumn(ROW_COLUMN, F.monotonically_increasing_id())
    cores = spark.sparkContext.defaultParallelism
    if partitions is None and rows.rdd.getNumPartitions() < cores:
        partitions = cores  # a file under 128 MB is one partition: one core would work
    if partitions:
        rows = rows.repartition(partitions)  # rows keep their ROW_COLUMN (input order)
    shipped = (index.name, index.sha256, index.threshold)
    options = {"limit": limit, "cutoff": cutoff}
    stamp = (index.list_versions, run_id or new_run_id())

    def screen_batches(batches: Iterator[Any]) -> Iterator[Any]:
        return _screen_batches(batches, shipped, cmap, options, stamp)

    # The function takes the environment as it is now: the job's daemon preloads its index.
    environment = spark.sparkContext.environment
    before = environment.get(DAEMON_ENV)
    environment[DAEMON_ENV] = index.daemon_spec()
    try:
        return rows.mapInArrow(screen_batches, OUTPUT_SCHEMA)
    finally:
        if before is None:
            environment.pop(DAEMON_ENV, None)
        else:
            environment[DAEMON_ENV] = before


def _arrow_types(df: Any) -> dict[str, Any]:
    """The Arrow type of each column of a Spark DataFrame (for the type check)."""
    from pyspark.sql.pandas.types import to_arrow_type

    return {f.name: to_arrow_type(f.dataType) for f in df.schema.fields}


# -- files in, files out (the ``spark-screen`` command) --------------------------------------


def _file_format(path: str, given: str | None) -> str:
    if given:
        return given
    name = path.rstrip("/").lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".txt", ".tsv")):
        return "csv"
    raise SanctionsError(f"{path}: cannot tell CSV from Parquet by its name: give --format")


def read_table(
    spark: Any,
    path: str,
    fmt: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Any:
    """A CSV (header line, every column read as text) or Parquet file or folder."""
    from pyspark.errors import AnalysisException

    fmt = _file_format(path, fmt)
    try:
        if fmt == "parquet":
            return spark.read.parquet(path)
        reader = spark.read.option("header", True).option("mode", "PERMISSIVE")
        if delimiter:
            reader = reader.option("sep", delimiter)
        if encoding:
            reader = reader.option("encoding", encoding)
        return reader.csv(path)
    except AnalysisException as exc:  # no such path, not Parquet...
        raise SanctionsError(f"{path}: cannot read it as {fmt}: {_first_line(exc)}") from exc


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def write_table(df: Any, path: str, fmt: str | None = None) -> None:
    """Write a result folder (Spark writes part files); refuses to overwrite one.

    CSV cells that a spreadsheet would run as a formula get a leading ``'``
    (:mod:`sanctions.csvsafe`), as in every CSV this project writes.
    """
    from pyspark.errors import AnalysisException

    fmt = _file_format(path, fmt)
    try:
        _write(df, path, fmt)
    except AnalysisException as exc:
        if "already exists" in str(exc).lower() or "PATH_ALREADY_EXISTS" in str(exc):
            raise SanctionsError(f"{path} already exists: results are never overwritten") from exc
        raise SanctionsError(f"{path}: cannot write the results: {_first_line(exc)}") from exc


def _write(df: Any, path: str, fmt: str) -> None:
    if fmt == "parquet":
        df.write.mode("errorifexists").parquet(path)
        return
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from sanctions.csvsafe import FORMULA_PREFIXES

    pattern = "^[" + "".join(c for c in FORMULA_PREFIXES if c != "-") + "-]"  # "-" last: literal
    safe = [
        F.when(F.col(f.name).rlike(pattern), F.concat(F.lit("'"), F.col(f.name)))
        .otherwise(F.col(f.name))
        .alias(f.name)
        if isinstance(f.dataType, StringType)
        else F.col(f.name)
        for f in df.schema.fields
    ]
    df.select(*safe).write.mode("errorifexists").option("header", True).csv(path)


@dataclass
class SparkSummary:
    """What a Spark job did, counted on its written output."""

    rows: int = 0
    alerts: int = 0
    errors: int = 0
    output_rows: int = 0
    seconds: float = 0.0
    run_id: str = ""
    list_versions: dict[str, int] = field(default_factory=dict)
    counted: str = ""  # how the counts were taken: observed while writing, or read back

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


_COUNTS = ("rows", "alerts", "errors", "output_rows")


def _observed(result: Any) -> tuple[Any, Any]:
    """The result with its counts observed while it is written (no second job).

    Each input row has exactly one output row of rank 0 or 1 (rank 0: an error or no
    candidate; rank 1: its best candidate, and a row with any match has a matching
    rank 1, the results being sorted by score). The metrics are taken in the job's
    result stage, where Spark keeps the output of one attempt of each task only.
    """
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    observation = Observation("sanctions-screening")
    rank, one = F.col("rank"), F.lit(1)
    observed = result.observe(
        observation,
        F.count(F.when(rank <= 1, one)).alias("rows"),
        F.count(F.when((rank == 1) & F.col("match"), one)).alias("alerts"),
        F.count(F.col("error")).alias("errors"),
        F.count(one).alias("output_rows"),
    )
    return observed, observation


def _observed_counts(observation: Any) -> dict[str, int] | None:
    """The observed counts, or ``None`` where this Spark did not report them."""
    try:
        metrics = observation.get
    except Exception:  # noqa: BLE001 - Spark's own errors: counted on the output instead
        log.warning("the job's observed counts are missing: counting the written output")
        return None
    if not all(isinstance(metrics.get(k), int) for k in _COUNTS):
        return None
    return {k: int(metrics[k]) for k in _COUNTS}


def _read_back_counts(spark: Any, output: str, out_format: str | None) -> dict[str, int]:
    """The counts read back from the written output (a second job)."""
    from pyspark.sql import functions as F

    written = spark.read.schema(OUTPUT_SCHEMA)
    written = (
        written.parquet(output)
        if _file_format(output, out_format) == "parquet"
        else (written.option("header", True).csv(output))
    )
    row = written.agg(
        F.countDistinct("row").alias("rows"),
        F.countDistinct(F.when(F.col("match"), F.col("row"))).alias("alerts"),
        F.count(F.col("error")).alias("errors"),
        F.count(F.lit(1)).alias("output_rows"),
    ).first()
    return {k: int(row[k]) for k in _COUNTS}


def screen_files(
    spark: Any,
    source: str,
    output: str,
    store: Store | str | Path,
    columns: Mapping[str, str] | None = None,
    *,
    in_format: str | None = None,
    out_format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    **options: Any,
) -> SparkSummary:
    """Screen a CSV/Parquet file into a result folder; audit the run (with a store).

    ``options`` go to :func:`screen` (id_column, threshold, limit, cutoff...). The
    counts of the summary and of the audit entry are observed while the output is
    written (one job), or read back from it where Spark does not report them.
    """
    from sanctions.screening.evidence import RunEvidence, list_versions, record_run

    started = time.perf_counter()
    index = SparkIndex(store, options.pop("threshold", None))
    evidence = RunEvidence("spark-screen", index.threshold, list_versions(index.store_versions))
    evidence.input_name, evidence.cutoff = source, options.get("cutoff", FILE_CUTOFF)
    evidence.limit = options.get("limit", 5)
    try:
        index.ship(spark)
        df = read_table(spark, source, in_format, delimiter, encoding)
        result = screen(df, store, columns, index=index, run_id=evidence.run_id, **options)
        result, observation = _observed(result)
        write_table(result, output, out_format)
    finally:
        index.remove()
    counts = _observed_counts(observation)
    counted = "observed while writing" if counts else "read back from the output"
    counts = counts or _read_back_counts(spark, output, out_format)
    summary = SparkSummary(
        counts["rows"],
        counts["alerts"],
        counts["errors"],
        counts["output_rows"],
        time.perf_counter() - started,
        evidence.run_id,
        dict(index.versions),
        counted,
    )
    evidence.rows, evidence.errors, evidence.matched = summary.rows, summary.errors, summary.alerts
    evidence.screened = summary.rows - summary.errors
    evidence.extra.update(
        output=output, seconds=round(summary.seconds, 3), engine="spark", counted=counted
    )
    if hasattr(index.store, "engine"):
        record_run(index.store, evidence.finish())
    return summary


if __name__ == "__main__":  # PySpark's daemon (spark.python.daemon.module)
    from sanctions.spark import run_daemon as _run_daemon

    _run_daemon()
