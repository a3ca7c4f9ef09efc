"""Work on many rows in bounded pieces: ``IN`` lists and bulk inserts.

A database takes a bounded number of parameters per statement (SQLite 32,766 in
current builds, fewer in old ones; PostgreSQL 65,535) and a huge ``executemany``
holds everything in memory at once. Every area of the store reads and writes in
these pieces, one way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, insert

__all__ = ["IN_CHUNK", "ROW_CHUNK", "chunked", "execute_chunked", "insert_chunked"]

T = TypeVar("T")

IN_CHUNK = 500  # values in one ``IN (...)`` list
ROW_CHUNK = 2000  # rows in one bulk insert or update


def chunked(items: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive pieces of at most ``size``."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def execute_chunked(
    conn: Connection, statement: Any, rows: Sequence[dict[str, Any]], size: int = ROW_CHUNK
) -> None:
    """Run ``statement`` for every row (``executemany``), ``size`` rows at a time."""
    for piece in chunked(rows, size):
        conn.execute(statement, list(piece))


def insert_chunked(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], size: int = ROW_CHUNK
) -> None:
    """Insert ``rows`` into ``table``, ``size`` at a time."""
    execute_chunked(conn, insert(table), rows, size)
