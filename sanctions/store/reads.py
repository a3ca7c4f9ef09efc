"""The store's reads for other packages: what they ask of the stored lists, by meaning.

Code outside ``sanctions/store`` never reads the store's tables (:mod:`.schema`); it
calls these methods (mixed into :class:`~sanctions.store.Store`). Packages with
tables of their own in the same database use :meth:`StoreReads.connect` and
:meth:`StoreReads.begin`. A read a caller needs inside its own transaction takes
``conn=`` (a connection from those two).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from sanctions.chunks import IN_CHUNK, chunked
from sanctions.model import Entity

from . import schema as t
from .checks import check_store

__all__ = ["EntityRef", "StoreReads"]

EntityRef = tuple[int, str, str]  # (version id, entity id, blob hash): one entity of a version


class StoreReads:
    """Connections for other packages' tables, and the reads they need of the lists."""

    engine: Engine

    # -- connections for the tables of other packages ---------------------------------

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection to the store's database, for a package's OWN tables (watch,
        coordination, audit...): the store's tables are read through its methods."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction on the store's database (committed at the end of the block,
        rolled back on an exception), for a package's own tables; see :meth:`connect`."""
        with self.engine.begin() as conn:
            yield conn

    def _reading(self, conn: Connection | None) -> Any:
        """The caller's connection (to read inside its transaction), or a new one."""
        return nullcontext(conn) if conn is not None else self.engine.connect()

    def version_records(self, *, conn: Connection | None = None) -> list[dict[str, Any]]:
        """Every version's stored row as written (column -> value), oldest first: the
        details an audit entry keeps of a version (``list.seen``)."""
        with self._reading(conn) as c:
            rows = c.execute(select(t.versions).order_by(t.versions.c.id))
            return [dict(r._mapping) for r in rows]

    def check(self) -> list[str]:
        """Every broken invariant of the stored lists, one line each (see :mod:`.checks`)."""
        with self.engine.connect() as conn:
            return check_store(conn)

    def table_counts(self) -> dict[str, int]:
        """Rows in the store's main tables (``datasets``, ``versions``, ``blobs``)."""
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
                for name, table in (
                    ("datasets", t.datasets),
                    ("versions", t.versions),
                    ("blobs", t.blobs),
                )
            }

    def entity_hashes(
        self, version_ids: Iterable[int], *, conn: Connection | None = None
    ) -> list[EntityRef]:
        """(version id, entity id, content hash) of every entity these versions hold,
        ordered by version then entity id. The hash changes exactly when the entity's
        content does (see :meth:`entities_by_hash`)."""
        ve = t.version_entities
        ids = sorted(set(version_ids))
        out: list[EntityRef] = []
        with self._reading(conn) as c:
            for chunk in chunked(ids):
                query = (
                    select(ve.c.version_id, ve.c.entity_id, ve.c.hash)
                    .where(ve.c.version_id.in_(chunk))
                    .order_by(ve.c.version_id, ve.c.entity_id)
                )
                out += [(r[0], r[1], r[2]) for r in c.execute(query)]
        return out

    def entities_by_hash(
        self, hashes: Iterable[str], *, conn: Connection | None = None
    ) -> dict[str, Entity]:
        """Entity content by content hash (hashes the store does not hold are left out)."""
        with self._reading(conn) as c:
            return self._blobs(c, sorted(set(hashes)))

    def iter_entity_json(
        self, hashes: Sequence[str], size: int = IN_CHUNK
    ) -> Iterator[list[tuple[str, str]]]:
        """(hash, the entity's FtM JSON text) in pieces of at most ``size`` hashes, for
        callers that parse in other processes (the text travels cheaper than an Entity)."""
        blobs = t.blobs
        with self.engine.connect() as conn:
            for chunk in chunked(hashes, size):
                query = select(blobs.c.hash, blobs.c.data).where(blobs.c.hash.in_(chunk))
                yield [(r[0], r[1]) for r in conn.execute(query)]

    def first_listed(self, version_ids: Iterable[int]) -> list[tuple[str, str, int]]:
        """(entity id, dataset, seq of the first of these versions that held it)."""
        ve, v = t.version_entities, t.versions
        query = (
            select(ve.c.entity_id, v.c.dataset, func.min(v.c.seq))
            .join(v, v.c.id == ve.c.version_id)
            .where(ve.c.version_id.in_(sorted(set(version_ids))))
            .group_by(ve.c.entity_id, v.c.dataset)
        )
        with self.engine.connect() as conn:
            return [(r[0], r[1], int(r[2])) for r in conn.execute(query)]

    def entity_change_dates(self, version_ids: Sequence[int]) -> dict[str, tuple[Any, Any]]:
        """Entity id -> load times of the first and last stored change (added, changed,
        removed) of it, over every version of these versions' datasets up to the newest
        of them."""
        if not version_ids:
            return {}
        v, ch = t.versions, t.changes
        datasets = select(v.c.dataset).where(v.c.id.in_(list(version_ids)))
        query = (
            select(ch.c.entity_id, func.min(v.c.loaded_at), func.max(v.c.loaded_at))
            .join(v, v.c.id == ch.c.version_id)
            .where(v.c.dataset.in_(datasets))
            .where(v.c.id <= max(version_ids))
            .group_by(ch.c.entity_id)
        )
        with self.engine.connect() as conn:
            return {r[0]: (r[1], r[2]) for r in conn.execute(query)}

    def changed_entity_json(self, version_id: int, change: str) -> list[str | None]:
        """The FtM JSON text of the entities a version ``added`` (their new content) or
        ``removed`` (their last content), from its stored diff (``None``: content lost)."""
        ch, blobs = t.changes, t.blobs
        if change == "added":
            joined = ch.outerjoin(blobs, blobs.c.hash == ch.c.new_hash)
        elif change == "removed":
            joined = ch.join(blobs, blobs.c.hash == ch.c.old_hash)
        else:
            raise ValueError(f"change must be 'added' or 'removed', not {change!r}")
        query = (
            select(blobs.c.data)
            .select_from(joined)
            .where(ch.c.version_id == version_id, ch.c.change == change)
        )
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(query)]

    def _blobs(self, conn: Connection, hashes: Iterable[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        hashes = list(hashes)
        for chunk in chunked(hashes):
            rows = conn.execute(select(t.blobs).where(t.blobs.c.hash.in_(chunk)))
            found.update({r.hash: Entity.from_dict(json.loads(r.data)) for r in rows})
        return found
