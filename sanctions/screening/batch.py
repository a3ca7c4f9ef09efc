"""Batch screening of customer files (CSV or Parquet) on every core.

Each row becomes a query through a column mapping (``name``, ``birthDate``,
``nationality``... -> the file's column names; common names are recognised
without a mapping). A row that cannot be screened (no name, bad schema...) is
written with its line number to the errors file while the rest is screened:
a batch run never stops on one bad row and never skips one silently.

The output has one row per candidate at or above ``cutoff`` (at most
``limit`` per query), and one row with empty match fields for a query without
any, so that every input row is accounted for.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sanctions.csvsafe import SafeDictWriter
from sanctions.errors import SanctionsError

from .evidence import RunEvidence, file_sha256, list_versions, record_run, write_sidecar
from .parallel import WorkerMemory, default_workers, map_ordered, memory_kib
from .query import QueryError
from .screener import Screener
from .subjects import SubjectMap, screen_by_subject
from .tabular import (
    ROW_PROBLEM,
    ReadOptions,
    check_column_types,
    check_row_values,
    date_pattern,
    open_table,
)

__all__ = [
    "ColumnMap",
    "BatchSummary",
    "FilePlan",
    "ReadOptions",
    "inspect_file",
    "screen_file",
    "read_rows",
    "query_chunks",
    "screen_chunk",
    "FILE_CUTOFF",
    "OUTPUT_COLUMNS",
    "SUBJECT_COLUMNS",
]

OUTPUT_COLUMNS = [
    "line",
    "query_id",
    "query_name",
    "rank",
    "match_id",
    "match_caption",
    "match_schema",
    "score",
    "match",
    "datasets",
    "matched_name",
    "explanation",
    "run_id",
    "list_versions",
]
SUBJECT_COLUMNS = ["subject_id", "subject_listings", "subject_datasets", "subject_jurisdictions"]
CHUNK = 250
FILE_CUTOFF = 0.5  # the cutoff of a file screened without one (CLI, Spark): near misses only
T = TypeVar("T")

# FtM property -> column names recognised without a mapping (compared lowercase).
AUTO_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full_name", "fullname", "customer_name", "customer", "entity_name"),
    "firstName": ("first_name", "firstname", "given_name"),
    "middleName": ("middle_name", "middlename"),
    "lastName": ("last_name", "lastname", "surname", "family_name"),
    "birthDate": ("birth_date", "birthdate", "date_of_birth", "dob"),
    "nationality": ("nationality", "citizenship"),
    "country": ("country", "country_code", "jurisdiction"),
    "gender": ("gender", "sex"),
    "passportNumber": ("passport", "passport_number", "passportnumber"),
    "idNumber": ("id_number", "national_id", "idnumber"),
    "imoNumber": ("imo", "imo_number"),
    "leiCode": ("lei", "lei_code"),
    "swiftBic": ("bic", "swift", "swift_bic"),
    "registrationNumber": ("registration_number", "company_number"),
}


@dataclass
class ColumnMap:
    """Which column holds which query property (``props``), the id and the schema."""

    props: dict[str, str] = field(default_factory=dict)
    id_column: str | None = None
    schema_column: str | None = None
    schema: str = "LegalEntity"
    date_format: str | None = None  # how to read NN/NN/YYYY dates (see .tabular)

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> ColumnMap:
        """The mapping the column options of a command or a request describe, read one way
        for all: ``name_column``, ``birth_date_column``, ``country_column``, ``column``
        (``PROP=COLUMN`` items, as ``--column`` and the API's ``column=``; blanks around
        either side stripped, an empty side refused), ``id_column``, ``schema_column``, ``schema`` (default
        ``LegalEntity``) and ``date_format`` (checked before any row is read)."""
        props = {
            prop: opts[key]
            for prop, key in (
                ("name", "name_column"),
                ("birthDate", "birth_date_column"),
                ("nationality", "country_column"),
            )
            if opts.get(key)
        }
        for item in opts.get("column") or ():
            prop, sep, column = item.partition("=")
            if not sep or not prop.strip() or not column.strip():
                raise SanctionsError(f"column {item!r}: expected PROP=COLUMN")
            props[prop.strip()] = column.strip()
        date_format = opts.get("date_format")
        if date_format:
            date_pattern(date_format)
        schema = opts.get("schema") or "LegalEntity"
        return cls(props, opts.get("id_column"), opts.get("schema_column"), schema, date_format)

    def resolve(self, header: list[str]) -> ColumnMap:
        """The mapping completed with recognised column names; checks given names exist."""
        lower = {h.lower().strip(): h for h in header}
        missing = [c for c in self.props.values() if c not in header]
        for column in (self.id_column, self.schema_column):
            if column and column not in header:
                missing.append(column)
        if missing:
            raise SanctionsError(
                f"columns not in the file: {', '.join(missing)} (it has: {', '.join(header)})"
            )
        props = dict(self.props)
        for prop, names in AUTO_COLUMNS.items():
            if prop not in props:
                found = next((lower[n] for n in names if n in lower), None)
                if found:
                    props[prop] = found
        id_column = self.id_column or next(
            (lower[n] for n in ("id", "customer_id", "query_id") if n in lower), None
        )
        if "name" not in props and not {"firstName", "lastName"} & set(props):
            raise SanctionsError(f"no name column found (use --name-column; columns: {header})")
        return ColumnMap(props, id_column, self.schema_column, self.schema, self.date_format)

    def query(self, row: Mapping[str, Any], line: int) -> dict[str, Any]:
        """The FtM query of one row; a value over several lines is an error (a quote left
        open swallows the rows that follow into one value), as are a wrong number of
        fields, a date that is not one (or ambiguous) and an unknown country."""
        if ROW_PROBLEM in row:
            raise QueryError(str(row[ROW_PROBLEM]), line)
        for column in (*self.props.values(), self.id_column, self.schema_column):
            value = row.get(column) if column else None
            if isinstance(value, str) and ("\n" in value or "\r" in value):
                lines = value.count("\n") + 1
                raise QueryError(
                    f"column {column!r}: the value runs over {lines} lines ({line}-"
                    f"{line + lines - 1}): a quote left open? (rows inside it are not read)",
                    line,
                )
        props: dict[str, list[str]] = {}
        for prop, column in self.props.items():
            value = row.get(column)
            if value is not None and str(value).strip():
                props.setdefault(prop, []).append(str(value).strip())
        try:
            props = check_row_values(props, self.props, self.date_format)
        except ValueError as exc:
            raise QueryError(str(exc), line) from None
        schema = self.schema
        if self.schema_column and str(row.get(self.schema_column) or "").strip():
            schema = str(row[self.schema_column]).strip()
        qid = str(row.get(self.id_column) or "") if self.id_column else ""
        return {"id": qid or f"line-{line}", "schema": schema, "properties": props}


def read_rows(
    path: Path, options: ReadOptions | None = None
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header and the rows (with their line numbers) of a CSV or Parquet file."""
    table = open_table(path, options)
    return table.header, table.rows


@dataclass
class FilePlan:
    """What a customer file holds, found before screening it: shown to the user first."""

    table: str
    warnings: list[str]
    columns: ColumnMap
    rows: int
    schemata: dict[str, int]
    bad_schema_rows: int = 0

    def lines(self) -> list[str]:
        cmap = self.columns
        mapping = ", ".join(f"{prop} <- {column}" for prop, column in cmap.props.items())
        schema = f"column {cmap.schema_column!r}" if cmap.schema_column else "none"
        counts = ", ".join(f"{name} {n:,}" for name, n in sorted(self.schemata.items()))
        return [
            self.table,
            f"columns: {mapping}; id <- {cmap.id_column or '(line number)'}; schema column: "
            f"{schema} (default {cmap.schema})",
            f"{self.rows:,} rows: {counts or 'none'}",
        ]


def inspect_file(
    source: Path, cmap: ColumnMap | None = None, read_options: ReadOptions | None = None
) -> FilePlan:
    """Read a customer file once without screening: its column mapping and schema counts."""
    table = open_table(source, read_options)
    resolved = (cmap or ColumnMap()).resolve(table.header)
    check_column_types(table, resolved)
    schemata: dict[str, int] = {}
    rows = 0
    for _, row in table.rows:
        rows += 1
        schema = resolved.schema
        if resolved.schema_column and str(row.get(resolved.schema_column) or "").strip():
            schema = str(row[resolved.schema_column]).strip()
        schemata[schema] = schemata.get(schema, 0) + 1
    return FilePlan(table.describe(), list(table.warnings), resolved, rows, schemata)


@dataclass
class BatchSummary:
    """What a batch run did: counts, time, the list versions it was pinned to, memory."""

    rows: int = 0
    screened: int = 0
    alerts: int = 0
    errors: int = 0
    seconds: float = 0.0
    workers: int = 1
    run_id: str | None = None
    meta_path: str | None = None
    list_versions: dict[str, int] = field(default_factory=dict)  # dataset -> version seq
    memory: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "rows_per_second": round(self.rows_per_second, 1)}


# -- screening chunks (in this process or in forked workers) -------------------------------

ChunkResult = list[tuple[int, list[dict[str, Any]], str]]


def screen_chunk(
    state: tuple[Screener, dict[str, Any], SubjectMap | None],
    chunk: list[tuple[int, Any]],
    structured: bool = False,
) -> ChunkResult:
    """(line, output rows, error) for each (line, query or error message) of a chunk;
    with a :class:`SubjectMap` in ``state``, one row per subject. ``structured`` adds
    each match's explanations as data (``explanations``: Spark's JSON column); a file
    has only their text, so the file path neither builds nor ships them."""
    screener, options, subjects = state
    out: ChunkResult = []
    for line, query in chunk:
        if isinstance(query, str):  # an error found while reading the row
            out.append((line, [], query))
            continue
        try:
            if subjects is not None:
                grouped = screen_by_subject(screener, query, subjects, **options)
                out.append((line, _subject_rows(line, query, grouped.subjects), ""))
                continue
            result = screener.screen(query, **options)
        except QueryError as exc:
            out.append((line, [], exc.message))
            continue
        out.append((line, _output_rows(line, query, result.results, structured), ""))
    return out


def _base(line: int, query: dict[str, Any]) -> dict[str, Any]:
    names = query["properties"].get("name") or [
        " ".join(v[0] for k, v in query["properties"].items() if k.endswith("Name"))
    ]
    return {"line": line, "query_id": query["id"], "query_name": names[0]}


def _match_row(match: Any, structured: bool = False) -> dict[str, Any]:
    name = match.score.features[0]
    row = {
        "match_id": match.record.id,
        "match_caption": match.record.caption,
        "match_schema": match.record.schema,
        "score": match.score.score,
        "match": match.score.match,
        "datasets": ";".join(match.record.datasets),
        "matched_name": name.candidate_value or "",
        "explanation": "; ".join(f.describe() for f in match.score.features),
    }
    if structured:
        row["explanations"] = match.score.explanations  # Spark's JSON column
    return row


def _subject_rows(line: int, query: dict[str, Any], subjects: list[Any]) -> list[dict[str, Any]]:
    """One row per subject: its lead listing, then every listing it matched and its lists."""
    base = _base(line, query)
    rows = []
    for rank, subject in enumerate(subjects, start=1):
        listings = "; ".join(f"{m.record.id} {m.score.score:.2f}" for m in subject.matches)
        row = {**base, "rank": rank, **_match_row(subject.lead), "match": subject.match}
        row.update(
            subject_id=subject.subject_id,
            subject_listings=listings,
            subject_datasets=";".join(subject.datasets),
            subject_jurisdictions=";".join(subject.jurisdictions),
        )
        rows.append(row)
    if not rows:
        rows.append({**base, "rank": 0, "score": 0.0, "match": False})
    return rows


def _output_rows(
    line: int, query: dict[str, Any], matches: list[Any], structured: bool = False
) -> list[dict[str, Any]]:
    base = _base(line, query)
    rows = [
        {**base, "rank": rank, **_match_row(match, structured)}
        for rank, match in enumerate(matches, start=1)
    ]
    if not rows:
        rows.append({**base, "rank": 0, "score": 0.0, "match": False})
    return rows


def query_chunks(
    rows: Iterator[tuple[int, dict[str, Any]]], cmap: ColumnMap, size: int = CHUNK
) -> Iterator[list[tuple[int, Any]]]:
    """The rows as chunks of (line, query), or (line, error message) for a bad row."""
    for chunk in _row_chunks(rows, size):
        yield [(line, _row_query(cmap, row, line)) for line, row in chunk]


def _row_chunks(rows: Iterator[tuple[int, T]], size: int = CHUNK) -> Iterator[list[tuple[int, T]]]:
    """The rows as lists of ``size`` (line, row) pairs, in input order."""
    chunk: list[tuple[int, T]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _read_columns(
    rows: Iterator[tuple[int, dict[str, Any]]], cmap: ColumnMap, header: list[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows with only the columns their query reads (and a reader's problem with the
    row): what is shipped to the workers, whatever else a wide file holds."""
    wanted = {*cmap.props.values(), cmap.id_column, cmap.schema_column} - {None}
    if set(header) <= wanted:
        yield from rows
        return
    keep = [*(c for c in header if c in wanted), ROW_PROBLEM]
    for line, row in rows:
        yield line, {column: row[column] for column in keep if column in row}


def _row_query(cmap: ColumnMap, row: Mapping[str, Any], line: int) -> dict[str, Any] | str:
    """The query of one row, or the message of why the row cannot be screened."""
    try:
        return cmap.query(row, line)
    except QueryError as exc:
        return exc.message
    except ValueError as exc:  # a value the row's checks refuse; anything else is a bug
        return str(exc)


@dataclass
class _FileJob:
    """What a worker needs to turn a chunk of raw rows into the text written for them:
    built before the workers fork, so they inherit it instead of each row carrying it."""

    state: tuple[Screener, dict[str, Any], SubjectMap | None]
    cmap: ColumnMap
    source_name: str
    header: list[str]  # the results file's columns
    columns: dict[str, str]  # the same on every result row (the run's evidence)
    parquet: bool


@dataclass
class _ChunkOutput:
    """A screened chunk as it is written: CSV text (or Parquet rows), the errors file's
    lines and the counts of the summary."""

    rows: int = 0
    screened: int = 0
    alerts: int = 0
    errors: int = 0
    text: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)
    error_text: str = ""


def _screen_raw_chunk(job: _FileJob, chunk: list[tuple[int, dict[str, Any]]]) -> _ChunkOutput:
    """Screen raw (line, row) pairs in a worker: the row is turned into its query and the
    results into ready-to-write text here, so the main process only reads and writes."""
    queries = [(line, _row_query(job.cmap, row, line)) for line, row in chunk]
    out = _ChunkOutput(rows=len(queries))
    errors: list[str] = []
    for line, out_rows, error in screen_chunk(job.state, queries):
        if error:
            out.errors += 1
            errors.append(f"{job.source_name}: line {line}: {error}\n")
            continue
        out.screened += 1
        out.alerts += any(r.get("match") for r in out_rows)
        out.records.extend({**r, **job.columns} for r in out_rows)
    out.error_text = "".join(errors)
    if not job.parquet:
        buffer = io.StringIO(newline="")
        SafeDictWriter(buffer, job.header, extrasaction="ignore").writerows(out.records)
        out.text, out.records = buffer.getvalue(), []
    return out


def screen_file(
    screener: Screener,
    source: Path,
    out: Path,
    errors_path: Path,
    cmap: ColumnMap | None = None,
    options: dict[str, Any] | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    read_options: ReadOptions | None = None,
    actor: str | None = None,
    subjects: SubjectMap | None = None,
) -> BatchSummary:
    """Screen every row of ``source``; results to ``out``, bad rows to ``errors_path``.

    With ``subjects``, each row's results are one per subject (the lead listing,
    and the subject's matched listings and lists in the ``subject_*`` columns).

    ``workers`` processes (default: every core) screen chunks of rows against one
    index loaded here first and shared with them (:mod:`.parallel`); results are
    written in input order, identical to a one-process run. The list versions are
    pinned when the job starts: a store updated during the run does not change
    what the rest of the file is screened against.

    With a store, the run is evidenced (:mod:`.evidence`): one ``screening.run``
    audit entry, ``run_id`` and ``list_versions`` columns on every result row,
    and the whole context in ``<out>.meta.json``. The results file appears only
    when the run is complete.
    """
    started = time.perf_counter()
    table = open_table(source, read_options)
    header, rows = table.header, table.rows
    cmap = (cmap or ColumnMap()).resolve(header)
    check_column_types(table, cmap)
    workers = default_workers() if workers is None else max(1, workers)
    index = screener.index  # loaded once, before any worker starts: it fixes the versions
    versions = list(screener.versions)  # set with the index: the versions it was built from
    pinned = Screener(index=index, threshold=screener.threshold)
    if workers > 1:
        pinned.warm()  # built once here and shared by the forked workers, not once in each
    summary = BatchSummary(workers=workers)
    summary.list_versions = {v.dataset: v.seq for v in versions}
    evidence = _file_evidence(screener, versions, source, options or {})
    evidence.extra.update(_read_context(table, cmap), workers=workers)
    if actor:  # who asked (a web session's key), else the process's user
        evidence.actor = actor
    evidence.extra["group"] = "listing" if subjects is None else "subject"
    if subjects is not None and subjects.note:
        evidence.extra["subject_note"] = subjects.note
    columns = OUTPUT_COLUMNS + (SUBJECT_COLUMNS if subjects is not None else [])
    memory = WorkerMemory()
    with _OutputWriter(out, columns) as writer:
        job = _FileJob(
            (pinned, options or {}, subjects),
            cmap,
            source.name,
            columns,
            evidence.columns(),
            writer.parquet,
        )
        with open(errors_path, "w", encoding="utf-8") as errors:
            chunks = _row_chunks(_read_columns(rows, cmap, header) if workers > 1 else rows)
            for done in map_ordered(_screen_raw_chunk, chunks, job, workers, memory=memory):
                summary.rows += done.rows
                summary.screened += done.screened
                summary.alerts += done.alerts
                summary.errors += done.errors
                errors.write(done.error_text)
                writer.write(done)
                if progress is not None:
                    progress(done.rows)
        summary.seconds = time.perf_counter() - started
        summary.memory = {"main_peak_rss_mib": round(memory_kib()[0] / 1024, 1)}
        summary.memory.update(memory.summary())
        evidence.extra.update(memory=summary.memory, seconds=round(summary.seconds, 3))
        writer.commit()
    _record_evidence(screener, evidence, summary, out)
    return summary


def _read_context(table: Any, cmap: ColumnMap) -> dict[str, Any]:
    """How the file was read, for the run's evidence."""
    return {
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "date_format": cmap.date_format,
        "reader_warnings": table.warnings,
        "columns": {**cmap.props, "(id)": cmap.id_column, "(schema)": cmap.schema_column},
    }


def _record_evidence(
    screener: Screener, evidence: RunEvidence, summary: BatchSummary, out: Path
) -> None:
    """The run's audit entry (with a store) and its sidecar; no evidence, no results file."""
    summary.run_id = evidence.run_id
    evidence.rows, evidence.screened = summary.rows, summary.screened
    evidence.matched, evidence.errors = summary.alerts, summary.errors
    entry = None
    if screener.store is not None:
        try:
            entry = record_run(screener.store, evidence)
        except Exception:
            out.unlink(missing_ok=True)  # results without their evidence are not kept
            raise
    summary.meta_path = str(write_sidecar(out, evidence, entry))


def _file_evidence(
    screener: Screener, versions: list[Any], source: Path, options: dict[str, Any]
) -> RunEvidence:
    """The run's evidence, naming the versions its index was built from."""
    return RunEvidence(
        kind="screen-file",
        threshold=screener.threshold,
        list_versions=list_versions(versions),
        input_name=source.name,
        input_sha256=file_sha256(source),
        cutoff=options.get("cutoff"),
        limit=options.get("limit"),
    )


class _OutputWriter:
    """Writes result rows as CSV or Parquet, streamed in batches to a temporary file that
    takes the final name only on :meth:`commit` (a failed run leaves no results file)."""

    BATCH = 20_000

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.partial")
        self.header = header
        self.parquet = path.suffix.lower() in (".parquet", ".pq")
        self.rows: list[dict[str, Any]] = []
        self.parquet_writer: Any = None
        self.handle = open(self.tmp, "wb" if self.parquet else "w", **_text(self.parquet))  # noqa: SIM115
        if not self.parquet:
            SafeDictWriter(self.handle, header).writeheader()

    def __enter__(self) -> _OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)  # committed: renamed already; failed: dropped

    def write(self, done: _ChunkOutput) -> None:
        """A chunk's results: its CSV text as it is, or its rows into the Parquet batch."""
        if not self.parquet:
            self.handle.write(done.text)
            return
        self.rows.extend(done.records)
        if len(self.rows) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise SanctionsError("Parquet needs pyarrow: pip install 'sanctions[parquet]'") from exc
        columns: dict[str, list[Any]] = {c: [r.get(c) for r in self.rows] for c in self.header}
        columns["score"] = [float(v or 0.0) for v in columns["score"]]
        columns["match"] = [bool(v) for v in columns["match"]]
        columns["rank"] = [int(v or 0) for v in columns["rank"]]
        columns["line"] = [int(v) for v in columns["line"]]
        batch = pa.table(columns, schema=_parquet_schema(pa, self.header))
        if self.parquet_writer is None:
            self.parquet_writer = pq.ParquetWriter(self.handle, batch.schema)
        self.parquet_writer.write_table(batch)
        self.rows = []

    def commit(self) -> None:
        """Finish the file and give it its name."""
        if self.parquet:
            if self.rows or self.parquet_writer is None:
                self._flush()
            self.parquet_writer.close()
        self.handle.close()
        os.replace(self.tmp, self.path)


def _text(parquet: bool) -> dict[str, Any]:
    return {} if parquet else {"encoding": "utf-8", "newline": ""}


def _parquet_schema(pa: Any, header: list[str]) -> Any:
    types = {"line": pa.int64(), "rank": pa.int32(), "score": pa.float64(), "match": pa.bool_()}
    return pa.schema([(c, types.get(c, pa.string())) for c in header])
