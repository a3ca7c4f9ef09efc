"""Importing watched records from CSV or Parquet files, with a column mapping.

The mapping is the batch screener's (:class:`sanctions.screening.batch.ColumnMap`):
FtM property -> column, plus the id column (required here: a watched record
keeps the user's own id) and an optional schema column. Common column names
(``name``, ``first_name``, ``date_of_birth``, ``nationality``, ``passport``...)
are recognised without a mapping.

Rows that cannot be used are reported with their line numbers; the others are
imported, all in one transaction.

``remove_missing`` (stop watching the records that are not in the file) fails
closed: it is refused, and nothing at all is imported, when the file has no
rows, when any row failed validation (its customer would be removed), or when it
would remove more than ``max_removal_share`` (default 10%) of the watched
records unless ``confirm_removals`` equals the number it would remove.
"""

from __future__ import annotations

import hashlib
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from sqlalchemy import Connection

from sanctions import audit
from sanctions.errors import SanctionsError
from sanctions.screening.batch import ColumnMap
from sanctions.screening.query import QueryError
from sanctions.screening.tabular import ReadOptions, Table, open_stream, open_table

from .alerts import remove_records
from .records import (
    ImportReport,
    _existing,
    make_record_data,
    upsert_records,
    validate,
)

__all__ = [
    "DEFAULT_MAX_REMOVAL_SHARE",
    "ColumnMap",
    "ImportOptions",
    "ImportRefused",
    "check_removals",
    "import_stream",
    "read_records",
]

DEFAULT_MAX_REMOVAL_SHARE = 0.10


class ImportRefused(SanctionsError):
    """An import with ``remove_missing`` that would stop watching records unsafely."""


@dataclass(frozen=True)
class ImportOptions:
    """How an import reads its file and whether it stops watching the records not in it.

    ``remove_missing``: stop watching the records the file does not hold, refused when
    unsafe (:func:`check_removals`: ``confirm_removals`` must equal the number removed
    when it is over ``max_removal_share`` of the watched records). ``read_options``
    (:class:`sanctions.screening.tabular.ReadOptions`): delimiter, encoding, dates.
    """

    remove_missing: bool = False
    confirm_removals: int | None = None
    max_removal_share: float = DEFAULT_MAX_REMOVAL_SHARE
    read_options: ReadOptions | None = None


def read_records(
    source: Path | Table,
    cmap: ColumnMap | None = None,
    read_options: ReadOptions | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[tuple[str, dict[str, Any]]], list[str], int]:
    """The valid ``(id, data)`` records of a file or an opened table, the errors (with
    lines), and the row count (the reader's warnings, such as a cp1252 fallback, are added
    to ``warnings``)."""
    table = source if isinstance(source, Table) else open_table(source, read_options)
    header, rows, name = table.header, table.rows, table.path.name
    if warnings is not None:
        warnings.extend(table.warnings)
    cmap = (cmap or ColumnMap()).resolve(header)
    if cmap.id_column is None:
        raise SanctionsError(
            f"{name}: watched records need the user's own id: name the id column "
            f"(--id-column; columns: {', '.join(header)})"
        )
    records: list[tuple[str, dict[str, Any]]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    count = 0
    for line, row in rows:
        count += 1
        record_id = str(row.get(cmap.id_column) or "").strip()
        if not record_id:
            errors.append(f"{name}: line {line}: no id in column {cmap.id_column!r}")
            continue
        if record_id in first_line:
            errors.append(
                f"{name}: line {line}: duplicate id {record_id!r} "
                f"(first on line {first_line[record_id]}); row skipped"
            )
            continue
        try:
            query = cmap.query(row, line)
            data = make_record_data(query["schema"], query["properties"])
            validate(record_id, data)
        except QueryError as exc:
            errors.append(f"{name}: line {line}: {exc.message}")
            continue
        except (ValueError, TypeError) as exc:
            errors.append(f"{name}: line {line}: {exc}")
            continue
        first_line[record_id] = line
        records.append((record_id, data))
    return records, errors, count


def check_removals(
    name: str,
    rows: int,
    errors: list[str],
    gone: int,
    active: int,
    confirm: int | None = None,
    max_share: float = DEFAULT_MAX_REMOVAL_SHARE,
) -> None:
    """Raise :class:`ImportRefused` unless removing ``gone`` of ``active`` records is safe."""
    keep = "nothing was imported or removed"
    if rows == 0:
        raise ImportRefused(
            f"{name}: the file has no records: refusing to remove the {active:,} watched "
            f"records with remove_missing ({keep})"
        )
    if errors:
        raise ImportRefused(
            f"{name}: {len(errors):,} rows failed validation (first: {errors[0]}): refusing "
            f"remove_missing, their customers would stop being watched; fix the file or "
            f"import without remove_missing ({keep})"
        )
    if confirm is not None and confirm != gone:
        raise ImportRefused(
            f"{name}: remove_missing would remove {gone:,} records, not the {confirm:,} "
            f"confirmed ({keep})"
        )
    if confirm is None and gone > max_share * active:
        raise ImportRefused(
            f"{name}: remove_missing would remove {gone:,} of {active:,} watched records "
            f"(over {max_share:.0%}): confirm the number with --confirm-removals {gone} "
            f"(API: confirm_removals={gone}) ({keep})"
        )


def _rewound_sha256(stream: IO[bytes] | IO[str]) -> tuple[IO[bytes] | IO[str], str]:
    """The SHA-256 of a stream's bytes (text: as UTF-8) and the stream, back at its start
    (one that cannot seek is read into memory: an upload is there already)."""
    if isinstance(stream, io.TextIOBase):
        text = stream.read()
        return io.StringIO(text, newline=""), hashlib.sha256(text.encode("utf-8")).hexdigest()
    raw = cast(IO[bytes], stream)
    binary: IO[bytes] = raw if raw.seekable() else io.BytesIO(raw.read())
    start = binary.tell()
    digest = hashlib.sha256()
    for block in iter(lambda: binary.read(1 << 20), b""):
        digest.update(block)
    binary.seek(start)
    return binary, digest.hexdigest()


def import_stream(
    conn: Connection,
    stream: IO[bytes] | IO[str],
    name: str,
    actor: str,
    cmap: ColumnMap | None = None,
    options: ImportOptions | None = None,
) -> ImportReport:
    """Import (add or update) every valid row of a CSV (text or bytes) or Parquet (bytes,
    ``name`` ending ``.parquet``) stream; ``name`` names the source in messages and the
    audit log. With ``options.remove_missing``, remove the records not in it (refused
    with :class:`ImportRefused` when unsafe: see :func:`check_removals`)."""
    opts = options or ImportOptions()
    started = time.perf_counter()
    stream, sha256 = _rewound_sha256(stream)
    warnings: list[str] = []
    table = open_stream(stream, name, opts.read_options)
    records, errors, count = read_records(table, cmap, warnings=warnings)
    report = ImportReport(source=name, rows=count, errors=errors, warnings=warnings)
    audit.lock(conn)
    existing = _existing(conn, None)
    gone: list[str] = []
    if opts.remove_missing:
        seen = {r[0] for r in records}
        active = [i for i, (_, _, status) in existing.items() if status == "active"]
        gone = [i for i in active if i not in seen]
        check_removals(
            name,
            count,
            errors,
            len(gone),
            len(active),
            opts.confirm_removals,
            opts.max_removal_share,
        )
    changes = upsert_records(conn, records, actor, source=name, known=dict(existing))
    for change in changes:
        if change.change == "added":
            report.added += 1
        elif change.change == "unchanged":
            report.unchanged += 1
        else:
            report.updated += 1
    if gone:
        remove_records(conn, gone, actor, f"not in {name}")
        report.removed = len(gone)
    report.seconds = time.perf_counter() - started
    details = {k: v for k, v in report.to_dict().items() if k not in ("errors", "seconds")}
    if not warnings:
        details.pop("warnings")
    details.update(errors=len(errors), sha256=sha256)
    audit.append(conn, actor, "records.imported", f"file:{name}", details)
    return report
