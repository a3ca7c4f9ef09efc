"""The Python API of continuous screening: one object over a store.

    >>> watch = Watch(Store.open("lists.db"), actor="alice")
    >>> watch.import_file(Path("customers.csv"), ColumnMap(id_column="customer_id"))
    >>> report = watch.rescreen()              # delta since the last run (full the first time)
    >>> for alert in watch.alerts("open"): ...
    >>> watch.decide(alert.id, "false_positive", "different birth date", analyst="bob")

Every write is one transaction together with its audit entry. The CLI and the
HTTP API call these methods and hold no logic of their own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from sanctions import audit
from sanctions.coordination import Resolver
from sanctions.coordination.subjects import load_subjects
from sanctions.errors import SanctionsError, StoreError
from sanctions.matching import DEFAULT_THRESHOLD
from sanctions.store import Store

from . import schema as t
from .alerts import Alert, Decision, decide, decisions_of, get_alert, list_alerts, remove_records
from .case import alert_case, record_cases
from .importer import ColumnMap, ImportOptions, import_stream
from .integrity import check_state
from .reconcile import RunReport, record_list_loads, write_plan
from .records import (
    ImportReport,
    RecordChange,
    WatchedRecord,
    audit_changes,
    get_records,
    make_record_data,
    page_records,
    upsert_records,
    validate,
)
from .runs import delta_fallback, last_run, plan_delta, plan_full, take_snapshot

__all__ = ["Watch"]

T = TypeVar("T")


class Watch:
    """Watched records, screening runs, alerts, decisions and the audit log of one store."""

    def __init__(
        self, store: Store, actor: str | None = None, threshold: float = DEFAULT_THRESHOLD
    ) -> None:
        self.store = store
        self.actor = actor or audit.current_actor()
        self.threshold = threshold

    def _write(self, fn: Callable[[Connection], T]) -> T:
        try:
            with self.store.begin() as conn:
                return fn(conn)
        except DBAPIError as exc:
            raise StoreError(
                f"could not write to the store ({exc.orig.__class__.__name__}: {exc.orig}); "
                "nothing was changed"
            ) from exc

    def _read(self, fn: Callable[[Connection], T]) -> T:
        with self.store.connect() as conn:
            return fn(conn)

    # -- records -------------------------------------------------------------------

    def import_file(
        self, path: Path, cmap: ColumnMap | None = None, options: ImportOptions | None = None
    ) -> ImportReport:
        """Add or update the records of a CSV or Parquet file (one transaction); with
        ``options.remove_missing``, stop watching the others, refused when unsafe
        (:class:`sanctions.watch.importer.ImportOptions`)."""
        with open(path, "rb") as handle:
            return self.import_stream(handle, Path(path).name, cmap, options)

    def import_stream(
        self,
        stream: IO[bytes] | IO[str],
        name: str,
        cmap: ColumnMap | None = None,
        options: ImportOptions | None = None,
    ) -> ImportReport:
        """:meth:`import_file` of a stream: CSV text or bytes, or Parquet bytes (``name``
        ending ``.parquet``); ``name`` names the source in row errors and the audit log.
        No temporary file: an upload is imported from memory."""
        return self._write(lambda c: import_stream(c, stream, name, self.actor, cmap, options))

    def add(
        self, record_id: str, properties: Mapping[str, Any], schema: str = "Person"
    ) -> RecordChange:
        """Add a record, or make a new version of it if its content changed."""
        data = make_record_data(schema, properties)
        validate(record_id, data)

        def write(conn: Connection) -> RecordChange:
            audit.lock(conn)
            change = upsert_records(conn, [(record_id, data)], self.actor, source="api")[0]
            audit_changes(conn, [change], self.actor, {"caption": _caption(data)})
            return change

        return self._write(write)

    def remove(self, record_id: str, reason: str = "") -> RecordChange:
        """Stop watching a record; its alerts are closed with the reason."""

        def write(conn: Connection) -> RecordChange:
            audit.lock(conn)
            change = remove_records(conn, [record_id], self.actor, reason or "no reason given")[0]
            audit_changes(conn, [change], self.actor, {"reason": reason})
            return change

        return self._write(write)

    def records(self, status: str | None = "active") -> list[WatchedRecord]:
        return self._read(lambda c: get_records(c, status=status))

    def records_page(
        self,
        status: str | None = "active",
        limit: int = 100,
        offset: int = 0,
        after: str | None = None,
    ) -> tuple[int, list[WatchedRecord]]:
        """(count of records with the status, one page of them by id) read in SQL."""
        return self._read(lambda c: page_records(c, status, limit, offset, after))

    def record(self, record_id: str) -> WatchedRecord | None:
        found = self._read(lambda c: get_records(c, [record_id], status=None))
        return found[0] if found else None

    # -- runs ----------------------------------------------------------------------

    def rescreen(self, full: bool = False, resolve: bool = False, workers: int = 1) -> RunReport:
        """Screen the records: a delta since the last run, or everything (``full``).

        With ``resolve``, the clusters are first brought up to date (an incremental
        ``sanctions resolve``) when a list changed since the last resolve, so that a new
        listing of an alerted subject joins its alert instead of raising its own.

        A full run screens on ``workers`` processes sharing one loaded index.
        """
        started = time.perf_counter()
        resolved = None
        if resolve and load_subjects(self.store).note:
            resolved = Resolver(self.store).run()
        snapshot = take_snapshot(self.store)
        if not snapshot.versions:
            raise SanctionsError("no lists loaded: load or update lists before screening")
        run = self._read(last_run)
        fallback = None if full else delta_fallback(snapshot, run, self.threshold)
        if full or fallback is not None:
            plan = plan_full(self.store, snapshot, self.threshold, fallback, workers)
        else:
            plan = plan_delta(self.store, snapshot, run, self.threshold)
        plan.subjects = load_subjects(self.store, snapshot.versions.values())
        if plan.subjects.note:
            plan.stats["subject_note"] = plan.subjects.note
        if resolved is not None:
            plan.stats["resolved"] = {
                k: resolved.to_dict()[k] for k in ("mode", "dirty_datasets", "seconds")
            }
        return write_plan(self.store, plan, self.actor, started)

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        r = t.watch_runs
        query = select(r).order_by(r.c.id.desc()).limit(limit)
        return self._read(lambda c: [dict(row._mapping) for row in c.execute(query)])

    def record_list_loads(self) -> int:
        """Log list versions the audit log does not know (``list.seen``: not logged by a load)."""

        def write(conn: Connection) -> int:
            audit.lock(conn)
            return record_list_loads(self.store, conn, self.actor)

        return self._write(write)

    # -- alerts and decisions ----------------------------------------------------------

    def alerts(
        self,
        status: str = "active",
        record_id: str | None = None,
        entity_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Alert]:
        return self._read(lambda c: list_alerts(c, status, record_id, entity_id, limit, offset))

    def alert(self, alert_id: int) -> Alert:
        return self._read(lambda c: get_alert(c, alert_id))

    def alert_case(self, alert_id: int) -> dict[str, Any]:
        """The alert as an analyst works it: side by side, evidence, changes, history."""
        return self._read(lambda c: alert_case(self.store, c, get_alert(c, alert_id)))

    def record_cases(
        self, status: str = "active", record_id: str | None = None
    ) -> list[dict[str, Any]]:
        """One case per customer over the alerts of ``status``."""
        return record_cases(self.alerts(status, record_id))

    def decisions(self, alert_id: int) -> list[Decision]:
        return self._read(lambda c: decisions_of(c, alert_id))

    def decide(
        self, alert_id: int, decision: str, reason: str, analyst: str | None = None
    ) -> Decision:
        """Mark an alert true match, false positive or escalated (with reason and analyst)."""

        def write(conn: Connection) -> Decision:
            audit.lock(conn)
            return decide(conn, alert_id, decision, reason, analyst or self.actor)

        return self._write(write)

    # -- audit ---------------------------------------------------------------------

    def verify_audit(self, expect: str | None = None) -> audit.VerifyResult:
        """Check the audit chain (with the key and ``expect``, an exported head, when given)
        and that the alert, decision and suppression tables agree with it."""
        result = audit.verify(self.store.engine, expect=expect)
        result.add_state_problems(self._read(check_state))
        return result

    def audit_head(self) -> audit.Head:
        """The head of the audit log, to keep outside the database."""
        return audit.head(self.store.engine)

    def export_audit(self, out: IO[str], fmt: str = "jsonl") -> int:
        if fmt == "jsonl":
            return audit.export_jsonl(self.store.engine, out)
        if fmt == "csv":
            return audit.export_csv(self.store.engine, out)
        raise SanctionsError(f"unknown audit export format {fmt!r} (jsonl or csv)")


def _caption(data: Mapping[str, Any]) -> str:
    names = data["properties"].get("name") or []
    return str(names[0]) if names else ""
