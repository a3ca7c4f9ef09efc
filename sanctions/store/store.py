"""The versioned store: every loaded version of every list, with diffs.

Loading a file parses it whole first (a parse error never touches the store),
then writes the new version, its entities and its diff to the previous version
in ONE transaction, and only at its end makes the new version current. A crash,
a kill -9 or a full disk at any point leaves the previous version current and
intact. Identical content (same bytes) as the current version is a no-op.

Before a version becomes current it passes the gates of :mod:`.gates`: content
of another list is refused, older content is kept as history, a version that
drops too much is held until an admin approves it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from sanctions import redact
from sanctions.chunks import chunked, insert_chunked
from sanctions.config import db_url
from sanctions.errors import FormatError, SanctionsError, StoreError, WrongListError
from sanctions.model import DATASETS, Entity
from sanctions.sources import ParseReport, SourceFormat, collect_report, detect_format
from sanctions.sources.fingerprint import OFAC_DATASETS, ofac_list_of, sequence_mark

from . import decisions, gates, history
from . import schema as t
from .gates import GatePolicy, VersionStats
from .info import Change, DatasetInfo, Diff, LoadResult, VersionInfo, add_report
from .migrate import migrate

log = logging.getLogger(__name__)

__all__ = ["Store", "LoadResult", "VersionInfo", "DatasetInfo", "Change", "Diff", "hash_path"]


def hash_path(path: Path) -> str:
    """SHA-256 of a file's bytes, or of a folder's files (names and bytes, sorted)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.lower().encode() + b"\0")
        with open(file, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN")


def _create_private(database: str | None) -> None:
    """Create a new SQLite file readable by its owner only (WAL files follow its mode)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.is_file() and path.stat().st_mode & 0o007:
            log.warning("store %s is open to every user of this machine (chmod 600 it)", path)


class Store:
    """A versioned store of sanctions lists in SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=True)

    @classmethod
    def open(cls, url: str | Path | None = None, migrate_schema: bool = True) -> Store:
        """Open (and create or upgrade) the store at a path or URL.

        A new SQLite file is created with mode 0600. Errors never show the
        database password (:mod:`sanctions.redact`).
        """
        sa_url = db_url(url)
        shown = redact.redact_url(str(url or sa_url))
        try:
            engine = create_engine(sa_url, future=True, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                _create_private(engine.url.database)
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "begin", _sqlite_begin)
            store = cls(engine)
            if migrate_schema:
                migrate(engine)
        except SQLAlchemyError as exc:
            cause = getattr(exc, "orig", None) or exc
            reason = " ".join(f"{type(cause).__name__}: {cause}".split())
            raise StoreError(
                f"cannot open store {shown}: {redact.redact_text(reason, str(url or ''), sa_url)}"
            ) from None  # the cause's text may hold the URL with its password
        except ImportError as exc:  # the driver of the URL's database is not installed
            raise StoreError(
                f"cannot open store {shown}: the {exc.name or 'database'} driver is not "
                "installed (for PostgreSQL: pip install 'sanctions[postgres]')"
            ) from None
        except (ValueError, OSError) as exc:  # a bad port, an unwritable folder...
            reason = redact.redact_text(str(exc), str(url or ""), sa_url)
            raise StoreError(f"cannot open store {shown}: {reason}") from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    # -- reading versions -----------------------------------------------------

    def _version(self, row: Any, current_ids: set[int] | None = None) -> VersionInfo:
        data = dict(row._mapping)
        data["members"] = gates.loads_list(data.get("members"))
        data["gate_reasons"] = gates.loads_list(data.get("gate_reasons"))
        info = VersionInfo(**data)
        info.current = current_ids is not None and info.id in current_ids
        return info

    def _current_ids(self, conn: Connection) -> set[int]:
        rows = conn.execute(select(t.datasets.c.current_version_id))
        return {r[0] for r in rows if r[0] is not None}

    def current_version(self, dataset: str) -> VersionInfo | None:
        with self.engine.connect() as conn:
            vid = conn.execute(
                select(t.datasets.c.current_version_id).where(t.datasets.c.id == dataset)
            ).scalar()
            if vid is None:
                return None
            row = conn.execute(select(t.versions).where(t.versions.c.id == vid)).one()
            return self._version(row, {vid})

    def versions(self, dataset: str | None = None) -> list[VersionInfo]:
        with self.engine.connect() as conn:
            query = select(t.versions).order_by(t.versions.c.dataset, t.versions.c.seq)
            if dataset:
                query = query.where(t.versions.c.dataset == dataset)
            current = self._current_ids(conn)
            return [self._version(r, current) for r in conn.execute(query)]

    def get_version(self, dataset: str, ref: str | int) -> VersionInfo:
        """A version by id, by its number within the dataset (``v3``) or by hash prefix."""
        text = str(ref).strip()
        for version in self.versions(dataset):
            if (
                text == str(version.id)
                or text.lower() == f"v{version.seq}"
                or (len(text) >= 6 and version.content_hash.startswith(text.lower()))
            ):
                return version
        raise StoreError(f"{dataset} has no version {text!r} (see `sanctions lists --versions`)")

    def pending_versions(self, dataset: str | None = None) -> list[VersionInfo]:
        """Versions held by the gates (or kept as older), awaiting an admin's decision."""
        return [v for v in self.versions(dataset) if v.pending]

    def approve_version(
        self, dataset: str, ref: str | int, actor: str | None = None, note: str | None = None
    ) -> VersionInfo:
        """Make a held version current (audited as ``list.approved``)."""
        return decisions.decide(self, dataset, ref, approve=True, actor=actor, note=note)

    def reject_version(
        self, dataset: str, ref: str | int, actor: str | None = None, note: str | None = None
    ) -> VersionInfo:
        """Close a held version without making it current (audited as ``list.rejected``)."""
        return decisions.decide(self, dataset, ref, approve=False, actor=actor, note=note)

    def rollback_version(
        self,
        dataset: str,
        ref: str | int,
        actor: str | None = None,
        note: str | None = None,
        confirm: bool = False,
    ) -> VersionInfo:
        """Make an earlier version's content current again (audited as ``list.rollback``)."""
        return history.rollback(self, dataset, ref, actor=actor, note=note, confirm=confirm)

    def datasets(self) -> list[DatasetInfo]:
        with self.engine.connect() as conn:
            counts: dict[str, int] = dict(
                conn.execute(
                    select(t.versions.c.dataset, func.count()).group_by(t.versions.c.dataset)
                ).all()
            )
            current = self._current_ids(conn)
            versions = {
                v.dataset: v
                for v in (
                    self._version(r, current)
                    for r in conn.execute(select(t.versions).where(t.versions.c.id.in_(current)))
                )
            }
            rows = conn.execute(select(t.datasets).order_by(t.datasets.c.id)).all()
        return [
            DatasetInfo(r.id, r.title, versions.get(r.id), int(counts.get(r.id, 0))) for r in rows
        ]

    # -- reading entities -------------------------------------------------------

    def _entity(self, data: str, version: VersionInfo | None) -> Entity:
        entity = Entity.from_dict(json.loads(data))
        if version is not None:
            entity.listing.dataset_version = (
                f"{version.dataset}@v{version.seq}:{version.content_hash[:12]}"
            )
            entity.listing.source_file = version.source_file
        return entity

    def iter_entities(
        self,
        datasets: Iterable[str] | None = None,
        version_ids: Iterable[int] | None = None,
    ) -> Iterator[Entity]:
        """Entities of the current versions (or of given versions), streamed.

        A dataset or version the store does not know raises `StoreError` before anything
        is read: a typo must not read as "no entities" and leave a list unscreened.
        """
        if version_ids is None:
            known = self.datasets()
            infos = [d.current for d in known if d.current is not None]
            if datasets is not None:
                wanted = set(datasets)
                unknown = wanted - {d.id for d in known}
                if unknown:
                    raise StoreError(
                        f"unknown dataset(s): {', '.join(sorted(unknown))}"
                        f" (the store has: {', '.join(sorted(d.id for d in known)) or 'none'})"
                    )
                infos = [v for v in infos if v.dataset in wanted]
        else:
            wanted_ids = set(version_ids)
            infos = [v for v in self.versions() if v.id in wanted_ids]
            missing = wanted_ids - {v.id for v in infos}
            if missing:
                raise StoreError(f"unknown version id(s): {', '.join(map(str, sorted(missing)))}")
        for info in infos:
            query = (
                select(t.blobs.c.data)
                .select_from(
                    t.version_entities.join(t.blobs, t.version_entities.c.hash == t.blobs.c.hash)
                )
                .where(t.version_entities.c.version_id == info.id)
                .order_by(t.version_entities.c.entity_id)
            )
            with self.engine.connect() as conn:
                for (data,) in conn.execution_options(yield_per=1000).execute(query):
                    yield self._entity(data, info)

    def get_entity(self, entity_id: str, version_id: int | None = None) -> Entity | None:
        """An entity as in its dataset's current version (or a given version)."""
        with self.engine.connect() as conn:
            query = (
                select(t.blobs.c.data, t.version_entities.c.version_id)
                .select_from(
                    t.version_entities.join(t.blobs, t.version_entities.c.hash == t.blobs.c.hash)
                )
                .where(t.version_entities.c.entity_id == entity_id)
            )
            if version_id is None:
                current = self._current_ids(conn)
                query = query.where(t.version_entities.c.version_id.in_(current))
            else:
                query = query.where(t.version_entities.c.version_id == version_id)
            row = conn.execute(query).first()
            if row is None:
                return None
            vrow = conn.execute(select(t.versions).where(t.versions.c.id == row[1])).one()
        return self._entity(row[0], self._version(vrow))

    def get_entities(self, entity_ids: Iterable[str], version_id: int) -> dict[str, Entity]:
        """Several entities as in one version, by id (those it does not hold are left out)."""
        ids = sorted(set(entity_ids))
        found: dict[str, Entity] = {}
        with self.engine.connect() as conn:
            vrow = conn.execute(select(t.versions).where(t.versions.c.id == version_id)).first()
            if vrow is None:
                return found
            version = self._version(vrow)
            for chunk in chunked(ids):
                rows = conn.execute(
                    select(t.version_entities.c.entity_id, t.blobs.c.data)
                    .select_from(
                        t.version_entities.join(
                            t.blobs, t.version_entities.c.hash == t.blobs.c.hash
                        )
                    )
                    .where(t.version_entities.c.version_id == version_id)
                    .where(t.version_entities.c.entity_id.in_(chunk))
                )
                found.update({r[0]: self._entity(r[1], version) for r in rows})
        return found

    def entity_history(self, entity_id: str) -> list[dict[str, Any]]:
        """Every version that added, removed or changed this entity."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.changes, t.versions.c.seq, t.versions.c.loaded_at, t.versions.c.dataset)
                .join(t.versions, t.versions.c.id == t.changes.c.version_id)
                .where(t.changes.c.entity_id == entity_id)
                .order_by(t.versions.c.id)
            ).all()
        return [
            {
                "version_id": r.version_id,
                "dataset": r.dataset,
                "seq": r.seq,
                "loaded_at": r.loaded_at,
                "change": r.change,
                "properties": json.loads(r.properties) if r.properties else [],
            }
            for r in rows
        ]

    # -- diffs ------------------------------------------------------------------------

    def diff(
        self, dataset: str, from_ref: str | int | None = None, to_ref: str | int | None = None
    ) -> Diff:
        """The changes between two versions (default: the current one and its predecessor)."""
        versions = self.versions(dataset)
        if not versions:
            raise StoreError(f"dataset {dataset!r} has no versions in the store")
        to_v = (
            self.get_version(dataset, to_ref)
            if to_ref is not None
            else next((v for v in versions if v.current), versions[-1])
        )
        if from_ref is not None:
            from_v: VersionInfo | None = self.get_version(dataset, from_ref)
        else:
            from_v = next((v for v in versions if v.id == to_v.parent_id), None)
        if from_v is not None and from_v.id == to_v.parent_id:
            return Diff(dataset, from_v, to_v, self._stored_changes(to_v.id))
        if from_v is None:
            return Diff(dataset, None, to_v, self._stored_changes(to_v.id))
        with self.engine.connect() as conn:
            old = self._version_map(conn, from_v.id)
            new = self._version_map(conn, to_v.id)
            changes = self._compute_changes(conn, old, new)
        return Diff(dataset, from_v, to_v, changes)

    def _stored_changes(self, version_id: int) -> list[Change]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(t.changes)
                .where(t.changes.c.version_id == version_id)
                .order_by(t.changes.c.entity_id)
            ).all()
        return [
            Change(
                r.entity_id, r.change, r.caption, json.loads(r.properties) if r.properties else []
            )
            for r in rows
        ]

    def _version_map(self, conn: Connection, version_id: int) -> dict[str, tuple[str, str]]:
        rows = conn.execute(
            select(
                t.version_entities.c.entity_id,
                t.version_entities.c.hash,
                t.version_entities.c.caption,
            ).where(t.version_entities.c.version_id == version_id)
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def _blobs(self, conn: Connection, hashes: Iterable[str]) -> dict[str, Entity]:
        found: dict[str, Entity] = {}
        hashes = list(hashes)
        for chunk in chunked(hashes):
            rows = conn.execute(select(t.blobs).where(t.blobs.c.hash.in_(chunk)))
            found.update({r.hash: Entity.from_dict(json.loads(r.data)) for r in rows})
        return found

    def _compute_changes(
        self,
        conn: Connection,
        old: dict[str, tuple[str, str]],
        new: dict[str, tuple[str, str]],
        new_entities: dict[str, Entity] | None = None,
    ) -> list[Change]:
        changes = [Change(eid, "added", new[eid][1]) for eid in new.keys() - old.keys()]
        changes += [Change(eid, "removed", old[eid][1]) for eid in old.keys() - new.keys()]
        changed = [eid for eid in new.keys() & old.keys() if new[eid][0] != old[eid][0]]
        olds = self._blobs(conn, [old[eid][0] for eid in changed])
        if new_entities is None:
            new_entities = {}
            news = self._blobs(conn, [new[eid][0] for eid in changed])
            new_entities = {eid: news[new[eid][0]] for eid in changed}
        for eid in changed:
            props = olds[old[eid][0]].diff_properties(new_entities[eid]) or ["(content)"]
            changes.append(Change(eid, "changed", new[eid][1], props))
        changes.sort(key=lambda c: c.entity_id)
        return changes

    # -- loading ----------------------------------------------------------------------

    def load(
        self,
        path: str | Path,
        dataset: str | None = None,
        source_url: str | None = None,
        progress: Callable[[int], None] | None = None,
        strict: bool = False,
        *,
        allow_older: bool = False,
        policy: GatePolicy | None = None,
        published: str | None = None,
    ) -> LoadResult:
        """Parse a list file (or file set folder) and store it as a new version of its dataset.

        ``dataset`` is the list expected (default: the one the content names); content
        of another list raises :class:`~sanctions.errors.WrongListError` and stores
        nothing. The new version then passes the gates (see :mod:`.gates`): the
        result's ``status`` is ``loaded`` (current), ``held`` or ``older`` (stored,
        not current), or ``unchanged``/``rejected`` for content seen before.

        With ``strict``, a file holding any value the parser could not place (kept
        as text and counted in the result otherwise) is refused and nothing is stored.
        ``published`` is the publication date when the file states none (see
        :func:`.history.resolve_published`).
        """
        path = Path(path)
        started = datetime.now(UTC)
        policy = policy or GatePolicy.from_env()
        if allow_older:
            policy = replace(policy, allow_older=True)
        fmt = detect_format(path)
        dated, dated_from = history.resolve_published(
            fmt, path, published, guess=source_url is None
        )
        expected = dataset or fmt.dataset_for(path)
        self._refuse_if(gates.check_format, path, expected, path, fmt, expected)
        content_hash = hash_path(path)
        current = self.current_version(expected)
        if current is not None and current.content_hash == content_hash:
            return self._seen(current, "unchanged", fmt.name, current)
        entities = None
        report = ParseReport()
        if dataset is None and expected in OFAC_DATASETS:
            with collect_report() as report:
                expected, entities = self._ofac_list(path, fmt, expected, progress)
            current = self.current_version(expected)
            if current is not None and current.content_hash == content_hash:
                return self._seen(current, "unchanged", fmt.name, current)
        seen = self._stored_copy(expected, content_hash, policy.allow_older)
        if seen is not None:
            return self._seen(seen, seen.status or "", fmt.name, current)
        if entities is None:
            with collect_report() as report:
                entities = self._parse_all(path, fmt, expected, progress)
        if strict and report.total:
            raise FormatError(
                f"--strict: {report.total:,} values not understood "
                f"({'; '.join(report.summary())}); nothing loaded",
                path,
            )
        doubts = self._refuse_if(gates.check_content, path, expected, path, expected, entities)
        stated = dated if dated_from != history.FROM_PATH else None  # a guess gates nothing
        result = self.save_version(
            expected,
            entities,
            content_hash=content_hash,
            fmt=fmt.name,
            source_file=path.name,
            source_url=source_url,
            published=dated,
            stats=gates.stats_of(expected, entities, path, stated, doubts),
            policy=policy,
            published_from=dated_from,
            source_path=str(path.resolve()),
        )
        result.seconds = (datetime.now(UTC) - started).total_seconds()
        add_report(result, report)
        return result

    def _ofac_list(
        self, path: Path, fmt: SourceFormat, named: str, progress: Callable[[int], None] | None
    ) -> tuple[str, dict[str, Entity] | None]:
        """The OFAC list the entries tell (SDN or Consolidated), when no dataset was asked for.

        The format's guess (file names, record counts) is replaced by what the entries
        say; the file is then parsed again under the right dataset (``None``).
        """
        entities = self._parse_all(path, fmt, named, progress)
        found = ofac_list_of(entities.values())
        if found is None or found == named:
            return named, entities
        log.info("%s: the entries are %s's, not %s's as the file suggests", path, found, named)
        return found, None

    def _refuse_if(self, check: Callable[..., Any], path: Path, dataset: str, *args: Any) -> Any:
        """Run a refusal gate (return what it returns); audit a refusal before raising it."""
        try:
            return check(*args)
        except WrongListError as exc:
            from sanctions import audit

            details = {"dataset": dataset, "path": str(path), "reason": exc.message}
            with self.engine.begin() as conn:
                audit.append(
                    conn, audit.current_actor(), "list.refused", f"dataset:{dataset}", details
                )
            log.info("refused: %s", exc)
            raise

    def _stored_copy(
        self, dataset: str, content_hash: str, allow_older: bool
    ) -> VersionInfo | None:
        """A held, older or rejected version with the same bytes (reported, not stored again)."""
        for version in reversed(self.versions(dataset)):
            if version.content_hash != content_hash:
                continue
            if version.status in (gates.HELD, gates.REJECTED) or (
                version.status == gates.OLDER and not allow_older
            ):
                return version
        return None

    @staticmethod
    def _seen(
        version: VersionInfo, status: str, fmt: str, current: VersionInfo | None
    ) -> LoadResult:
        return LoadResult(
            version.dataset,
            status,
            version.id,
            version.seq,
            version.content_hash,
            fmt,
            version.entity_count,
            reasons=list(version.gate_reasons or []),
            current_version_id=current.id if current else None,
            current_seq=current.seq if current else None,
        )

    def _parse_all(
        self, path: Path, fmt: SourceFormat, dataset: str, progress: Callable[[int], None] | None
    ) -> dict[str, Entity]:
        entities: dict[str, Entity] = {}
        try:
            for entity in fmt.parse(path, dataset=dataset):
                if entity.id in entities:
                    raise FormatError(f"duplicate entity id {entity.id!r}", path)
                entities[entity.id] = entity
                if progress is not None:
                    progress(1)
        except SanctionsError:
            raise
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise FormatError(
                f"cannot parse as {fmt.name}: {exc.__class__.__name__}: {exc}", path
            ) from exc
        if not entities:
            raise FormatError(f"no entities found (format {fmt.name})", path)
        return entities

    def save_version(
        self,
        dataset: str,
        entities: dict[str, Entity],
        *,
        content_hash: str,
        fmt: str,
        source_file: str | None = None,
        source_url: str | None = None,
        published: str | None = None,
        stats: VersionStats | None = None,
        policy: GatePolicy | None = None,
        published_from: str | None = None,
        source_path: str | None = None,
    ) -> LoadResult:
        """Write a parsed version in one transaction; make it current if it passes the gates."""
        if stats is None:
            names, aliases = gates.count_names(entities.values())
            stats = VersionStats(
                len(entities), names, aliases, None, published, sequence_mark(dataset, entities)
            )
        row = {
            "dataset": dataset,
            "content_hash": content_hash,
            "format": fmt,
            "source_file": source_file,
            "source_url": source_url,
            "published": published,
            "published_from": published_from if published else None,
            "source_path": source_path,
        }
        try:
            with self.engine.begin() as conn:
                return self._save(conn, row, entities, stats, policy or GatePolicy.from_env())
        except DBAPIError as exc:
            raise StoreError(
                f"could not store {dataset} ({exc.orig.__class__.__name__}: {exc.orig}); "
                "the previous version is kept"
            ) from exc

    def _save(
        self,
        conn: Connection,
        row: dict[str, Any],
        entities: dict[str, Entity],
        stats: VersionStats,
        policy: GatePolicy,
    ) -> LoadResult:
        dataset = row["dataset"]
        current_id = self._lock_dataset(conn, dataset)
        old: dict[str, tuple[str, str]] = {}
        seq = 1
        previous = previous_seq = None
        if current_id is not None:
            old = self._version_map(conn, current_id)
            previous, previous_seq = self._stats(conn, current_id, old)
            seq = 1 + (
                conn.execute(
                    select(func.max(t.versions.c.seq)).where(t.versions.c.dataset == dataset)
                ).scalar()
                or 0
            )
        canonical = {eid: e.canonical() for eid, e in entities.items()}
        hashes = {eid: c[0] for eid, c in canonical.items()}
        new = {eid: (hashes[eid], e.caption) for eid, e in entities.items()}
        changes = (
            self._compute_changes(conn, old, new, entities)
            if current_id is not None
            else [Change(eid, "added", new[eid][1]) for eid in sorted(new)]
        )
        counts = {
            k: sum(1 for c in changes if c.change == k) for k in ("added", "removed", "changed")
        }
        verdict = gates.evaluate(previous, stats, counts["removed"], policy)
        inserted = conn.execute(
            insert(t.versions).values(
                **row,
                seq=seq,
                loaded_at=_now(),
                entity_count=len(entities),
                parent_id=current_id,
                status=verdict.status,
                name_count=stats.name_count,
                alias_count=stats.alias_count,
                members=gates.dumps_list(stats.members),
                gate_reasons=gates.dumps_list(verdict.reasons or None),
                **counts,
            )
        ).inserted_primary_key
        if inserted is None:
            raise StoreError(f"could not create a version row for {dataset}")
        version_id = int(inserted[0])
        self._insert_blobs(conn, canonical)
        rows = [
            {
                "version_id": version_id,
                "entity_id": eid,
                "hash": hashes[eid],
                "schema": e.schema,
                "caption": e.caption,
            }
            for eid, e in entities.items()
        ]
        insert_chunked(conn, t.version_entities, rows, 5000)
        self._insert_changes(conn, version_id, changes, old, new)
        accepted = verdict.status == gates.ACCEPTED
        if accepted:
            self._make_current(conn, dataset, version_id)
        self._audit_load(conn, version_id, verdict)
        log.info(
            "stored %s v%d (%s): %d entities (%s)",
            dataset,
            seq,
            verdict.status,
            len(entities),
            counts,
        )
        return LoadResult(
            dataset,
            "loaded" if accepted else verdict.status,
            version_id,
            seq,
            row["content_hash"],
            row["format"],
            len(entities),
            added=counts["added"],
            removed=counts["removed"],
            changed=counts["changed"],
            reasons=verdict.reasons,
            current_version_id=version_id if accepted else current_id,
            current_seq=seq if accepted else previous_seq,
        )

    def _insert_changes(
        self,
        conn: Connection,
        version_id: int,
        changes: list[Change],
        old: dict[str, tuple[str, str]],
        new: dict[str, tuple[str, str]],
    ) -> None:
        change_rows = [
            {
                "version_id": version_id,
                "entity_id": c.entity_id,
                "change": c.change,
                "caption": c.caption,
                "old_hash": old.get(c.entity_id, (None,))[0],
                "new_hash": new.get(c.entity_id, (None,))[0],
                "properties": _dumps(c.properties) if c.properties else None,
            }
            for c in changes
        ]
        insert_chunked(conn, t.changes, change_rows, 5000)

    def _make_current(self, conn: Connection, dataset: str, version_id: int) -> None:
        conn.execute(
            update(t.datasets)
            .where(t.datasets.c.id == dataset)
            .values(current_version_id=version_id, updated_at=_now())
        )

    def _stats(
        self, conn: Connection, version_id: int, entity_map: dict[str, tuple[str, str]]
    ) -> tuple[VersionStats, int]:
        """What the gates compare, and the number, of a stored version (counted once for older rows)."""
        row = conn.execute(select(t.versions).where(t.versions.c.id == version_id)).one()
        names, aliases = row.name_count, row.alias_count
        if names is None or aliases is None:  # stored before the gates: count and remember
            hashes = [h for h, _caption in entity_map.values()]
            names, aliases = gates.count_names(self._blobs(conn, hashes).values())
            conn.execute(
                update(t.versions)
                .where(t.versions.c.id == version_id)
                .values(name_count=names, alias_count=aliases)
            )
        stats = VersionStats(
            entity_count=row.entity_count,
            name_count=names,
            alias_count=aliases,
            members=gates.loads_list(row.members),
            published=None if row.published_from == history.FROM_PATH else row.published,
            mark=sequence_mark(row.dataset, entity_map),
        )
        return stats, int(row.seq)

    def _audit_load(self, conn: Connection, version_id: int, verdict: gates.Verdict) -> None:
        """Log the load (and a hold) in the audit trail, in the load's own transaction."""
        from sanctions import audit

        row = conn.execute(select(t.versions).where(t.versions.c.id == version_id)).one()
        details = {k: v for k, v in row._mapping.items() if k != "id"}
        details["version_id"] = version_id
        subject = f"list-version:{version_id}"
        actor = audit.current_actor()
        audit.append(conn, actor, "list.loaded", subject, details)
        if verdict.status != gates.ACCEPTED:
            audit.append(
                conn,
                actor,
                f"list.{verdict.status}",
                subject,
                {"dataset": row.dataset, "seq": row.seq, "reasons": verdict.reasons},
            )

    def _lock_dataset(self, conn: Connection, dataset: str) -> int | None:
        """Create the dataset row if needed and lock it for this transaction."""
        query = select(t.datasets.c.current_version_id).where(t.datasets.c.id == dataset)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "INSERT INTO datasets (id, title) VALUES (%(id)s, %(title)s) ON CONFLICT (id) DO NOTHING",
                {"id": dataset, "title": DATASETS.get(dataset, dataset)},
            )
            return conn.execute(query.with_for_update()).scalar()
        # Take SQLite's write lock first (a write, even of no row), so that two loads
        # serialise and the read happens under it: a read first would fail with "database
        # is locked" when another writer (an audited /match) commits in between.
        conn.execute(update(t.datasets).where(t.datasets.c.id == dataset).values(updated_at=_now()))
        row = conn.execute(query).first()
        if row is None:
            conn.execute(
                insert(t.datasets).values(id=dataset, title=DATASETS.get(dataset, dataset))
            )
            return None
        return row[0]

    def _insert_blobs(self, conn: Connection, canonical: dict[str, tuple[str, str]]) -> None:
        wanted = dict(canonical.values())
        keys = list(wanted)
        existing: set[str] = set()
        for chunk in chunked(keys):
            existing.update(
                r[0] for r in conn.execute(select(t.blobs.c.hash).where(t.blobs.c.hash.in_(chunk)))
            )
        rows = [{"hash": h, "data": data} for h, data in wanted.items() if h not in existing]
        insert_chunked(conn, t.blobs, rows)
