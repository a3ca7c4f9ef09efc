"""Importing watched records from CSV or Parquet files, with a column mapping.

The mapping is the batch screener's (:class:`sanctions.screening.batch.ColumnMap`):
FtM property -> column, plus the id column (required here: a watched record
keeps the user's own id) and an optional schema column. Common column names
(``name``, ``first_name``, ``date_of_birth``, ``nationality``, ``passport``...)
are recognised without a mapping.

Rows that cannot be used are reported with their line numbers; the others are
imported, all in one transaction.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from sanctions import audit
from sanctions.errors import SanctionsError
from sanctions.screening.batch import ColumnMap, read_rows
from sanctions.screening.query import QueryError

from .records import (
    ImportReport,
    _existing,
    file_sha256,
    make_record_data,
    remove_records,
    upsert_records,
    validate,
)

__all__ = ["ColumnMap", "import_file", "read_records"]


def read_records(
    path: Path, cmap: ColumnMap | None = None
) -> tuple[list[tuple[str, dict[str, Any]]], list[str], int]:
    """The valid ``(id, data)`` records of a file, the errors (with lines), and the row count."""
    header, rows = read_rows(path)
    cmap = (cmap or ColumnMap()).resolve(header)
    if cmap.id_column is None:
        raise SanctionsError(
            f"{path.name}: watched records need the user's own id: name the id column "
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
            errors.append(f"{path.name}: line {line}: no id in column {cmap.id_column!r}")
            continue
        if record_id in first_line:
            errors.append(
                f"{path.name}: line {line}: duplicate id {record_id!r} "
                f"(first on line {first_line[record_id]}); row skipped"
            )
            continue
        try:
            query = cmap.query(row, line)
            data = make_record_data(query["schema"], query["properties"])
            validate(record_id, data)
        except (QueryError, ValueError, TypeError) as exc:
            errors.append(f"{path.name}: line {line}: {exc}")
            continue
        first_line[record_id] = line
        records.append((record_id, data))
    return records, errors, count


def import_file(
    conn: Connection,
    path: Path,
    actor: str,
    cmap: ColumnMap | None = None,
    remove_missing: bool = False,
) -> ImportReport:
    """Import (add or update) every valid row; optionally remove records not in the file."""
    started = time.perf_counter()
    path = Path(path)
    records, errors, count = read_records(path, cmap)
    report = ImportReport(source=path.name, rows=count, errors=errors)
    audit.lock(conn)
    existing = _existing(conn, None)
    changes = upsert_records(conn, records, actor, source=path.name, known=dict(existing))
    for change in changes:
        if change.change == "added":
            report.added += 1
        elif change.change == "unchanged":
            report.unchanged += 1
        else:
            report.updated += 1
    if remove_missing:
        seen = {r[0] for r in records}
        gone = [i for i, (_, _, status) in existing.items() if status == "active" and i not in seen]
        if gone:
            remove_records(conn, gone, actor, f"not in {path.name}")
            report.removed = len(gone)
    report.seconds = time.perf_counter() - started
    details = {k: v for k, v in report.to_dict().items() if k not in ("errors", "seconds")}
    details.update(errors=len(errors), sha256=file_sha256(path))
    audit.append(conn, actor, "records.imported", f"file:{path.name}", details)
    return report
