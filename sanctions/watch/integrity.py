"""Alerts and decisions rebuilt from the audit log, and compared with their tables.

Every change to an alert is logged in the same transaction, with the alert's
state after the change (``details["row"]``: every column when it is raised, the
changed columns afterwards), and every decision with its whole row
(``details["decision_record"]``). Replaying the log therefore rebuilds both
tables; :func:`check_state` compares the rebuild with the tables and names each
row edited, inserted or deleted outside the application. Remembered false
positives (``watch_suppressions``, which keep later matches quiet) must each
come from a logged false-positive decision.

:func:`check_references` finds rows that point at nothing: an alert whose
record, record version, list entity, run or decision does not exist.

Entries written before the rows were logged whole carry fewer fields; those
fields are checked (status, score, pair, reasons), the rest cannot be.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, select

from sanctions.audit import audit_log
from sanctions.store import Store

from . import schema as t
from .records import record_hash

__all__ = ["alert_state", "decision_state", "check_state", "check_references"]

ALERT_JSON = ("explanation", "list_versions", "changes", "listings")
MAX_REPORTED = 200


def alert_state(row: Mapping[Any, Any]) -> dict[str, Any]:
    """An alert row as logged: every column but the id, JSON columns as objects."""
    out = {}
    for column in t.watch_alerts.columns:
        if column.name == "id":
            continue
        value = row[column.name]
        if column.name in ALERT_JSON and value is not None:
            value = json.loads(value)
        out[column.name] = value
    return out


def decision_state(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A decision row as logged: every column."""
    return {column.name: row[column.name] for column in t.watch_decisions.columns}


def _legacy(action: str, details: dict[str, Any]) -> dict[str, Any]:
    """The columns an entry written before whole rows were logged still tells."""
    if action in ("alert.raised", "alert.suppressed"):
        return {
            "record_id": details.get("record_id"),
            "record_version": details.get("record_version"),
            "entity_id": details.get("entity_id"),
            "entity_hash": details.get("entity_hash"),
            "score": details.get("score"),
            "run_id": details.get("run"),
            "previous_alert_id": details.get("previous_alert"),
            "decision_id": details.get("decision"),
            "status": "open" if action == "alert.raised" else "false_positive",
        }
    if action == "alert.closed":
        return {
            "status": "closed",
            "closed_reason": details.get("reason"),
            "closed_run_id": details.get("run"),
        }
    if action == "alert.decided":
        return {"status": details.get("decision")}
    return {}


class _Replay:
    """The alerts and decisions as the audit log says they are."""

    def __init__(self) -> None:
        self.alerts: dict[int, dict[str, Any]] = {}
        self.alert_entry: dict[int, int] = {}  # alert id -> last entry that set it
        self.decisions: dict[int, dict[str, Any]] = {}
        self.decision_entry: dict[int, int] = {}
        self.legacy_decisions: dict[int, list[tuple[int, dict[str, Any]]]] = {}

    def apply(self, entry_id: int, action: str, subject: str, details: dict[str, Any]) -> None:
        try:
            alert_id = int(subject.removeprefix("alert:"))
        except ValueError:
            return
        row = details.get("row")
        state = row if isinstance(row, dict) else _legacy(action, details)
        if not state:
            return
        if action in ("alert.raised", "alert.suppressed"):
            self.alerts[alert_id] = dict(state)
        else:
            self.alerts.setdefault(alert_id, {}).update(state)
        if action == "alert.decided" and not isinstance(row, dict):
            self.alerts[alert_id].pop("decision_id", None)  # older entries did not log it
        self.alert_entry[alert_id] = entry_id
        if action != "alert.decided":
            return
        record = details.get("decision_record")
        if isinstance(record, dict) and "id" in record:
            self.decisions[int(record["id"])] = record
            self.decision_entry[int(record["id"])] = entry_id
        else:
            wanted = {k: details.get(k) for k in ("decision", "reason", "analyst")}
            self.legacy_decisions.setdefault(alert_id, []).append((entry_id, wanted))


def _alert_events(conn: Connection) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    a = audit_log.c
    query = (
        select(a.id, a.action, a.subject, a.details, a.actor)
        .where(a.action.like("alert.%"))
        .order_by(a.id)
    )
    for row in conn.execution_options(yield_per=2000).execute(query):
        details = json.loads(row.details)
        if row.action == "alert.decided":
            details.setdefault("analyst", row.actor)
        yield row.id, row.action, row.subject, details


def _diff(
    what: str, actual: Mapping[str, Any], logged: Mapping[str, Any], entry: int
) -> str | None:
    wrong = [k for k, v in logged.items() if k in actual and actual[k] != v]
    if not wrong:
        return None
    parts = ", ".join(f"{k} is {actual[k]!r} (logged {logged[k]!r})" for k in wrong[:4])
    return f"{what} differs from the audit log (entry {entry}): {parts}: edited in place"


def _check_alerts(conn: Connection, replay: _Replay) -> list[str]:
    problems = []
    seen: set[int] = set()
    for row in conn.execute(select(t.watch_alerts).order_by(t.watch_alerts.c.id)):
        seen.add(row.id)
        logged = replay.alerts.get(row.id)
        if logged is None:
            problems.append(f"alert {row.id} is not in the audit log: inserted outside the program")
            continue
        problem = _diff(
            f"alert {row.id}", alert_state(row._mapping), logged, replay.alert_entry[row.id]
        )
        if problem:
            problems.append(problem)
    for alert_id in sorted(replay.alerts.keys() - seen):
        problems.append(
            f"alert {alert_id} is in the audit log (entry {replay.alert_entry[alert_id]}) "
            "but not in the table: deleted"
        )
    return problems


def _check_decisions(conn: Connection, replay: _Replay) -> list[str]:
    problems = []
    seen: set[int] = set()
    legacy_rows: dict[int, list[Any]] = {}
    for row in conn.execute(select(t.watch_decisions).order_by(t.watch_decisions.c.id)):
        seen.add(row.id)
        logged = replay.decisions.get(row.id)
        if logged is None:
            legacy_rows.setdefault(row.alert_id, []).append(row)
            continue
        entry = replay.decision_entry[row.id]
        problem = _diff(f"decision {row.id}", decision_state(row._mapping), logged, entry)
        if problem:
            problems.append(problem)
    for decision_id in sorted(replay.decisions.keys() - seen):
        problems.append(
            f"decision {decision_id} is in the audit log (entry "
            f"{replay.decision_entry[decision_id]}) but not in the table: deleted"
        )
    for alert_id in sorted(legacy_rows.keys() | replay.legacy_decisions.keys()):
        rows = legacy_rows.get(alert_id, [])
        older = replay.legacy_decisions.get(alert_id, [])
        if len(rows) != len(older):
            problems.append(
                f"alert {alert_id} has {len(rows)} decision rows not in the audit log's "
                f"whole-row entries but {len(older)} older decision entries: rows were "
                "inserted or deleted"
            )
            continue
        for row, (entry, wanted) in zip(rows, older, strict=True):
            problem = _diff(f"decision {row.id}", dict(row._mapping), wanted, entry)
            if problem:
                problems.append(problem)
    return problems


def _check_suppressions(conn: Connection) -> list[str]:
    d = t.watch_decisions
    decisions = {r.id: r for r in conn.execute(select(d))}
    problems = []
    keys = ("record_id", "record_hash", "entity_id", "entity_hash")
    for row in conn.execute(select(t.watch_suppressions)):
        decision = decisions.get(row.decision_id)
        pair = f"{row.record_id} / {row.entity_id}"
        if decision is None or decision.decision != "false_positive":
            problems.append(
                f"remembered false positive {pair} points at decision {row.decision_id}, "
                "which is not a false-positive decision: inserted outside the program"
            )
        elif any(getattr(decision, k) != getattr(row, k) for k in keys):
            problems.append(
                f"remembered false positive {pair} does not match decision {row.decision_id}'s "
                "record and entity versions: edited in place"
            )
    return problems


def check_state(conn: Connection) -> list[str]:
    """Each alert, decision or remembered false positive that disagrees with the audit log."""
    replay = _Replay()
    for event in _alert_events(conn):
        replay.apply(*event)
    return _check_alerts(conn, replay) + _check_decisions(conn, replay) + _check_suppressions(conn)


def _check_records(conn: Connection) -> Iterator[str]:
    """Each record points at its version, and each version's content matches its hash."""
    rv = t.watch_record_versions
    versions = {}
    query = select(rv.c.record_id, rv.c.version, rv.c.hash, rv.c.data)
    for r in conn.execution_options(yield_per=5000).execute(query):
        versions[(r.record_id, r.version)] = r.hash
        if record_hash(json.loads(r.data)) != r.hash:
            yield (
                f"watched record {r.record_id} version {r.version}: its content does not match "
                "its hash (edited in place)"
            )
    for row in conn.execute(select(t.watch_records)):
        logged = versions.get((row.id, row.version))
        if logged is None:
            yield f"watched record {row.id}: its version {row.version} does not exist"
        elif logged != row.hash:
            yield f"watched record {row.id}: its hash differs from version {row.version}'s"


def _alert_references(
    row: Any,
    records: dict[str, str],
    record_versions: set[tuple[str, int]],
    refs: dict[str, set[Any]],
) -> Iterator[str]:
    name = f"alert {row.id}"
    if row.record_id not in records:
        yield f"{name}: watched record {row.record_id} does not exist"
    elif row.status != "closed" and records[row.record_id] != "active":
        yield f"{name} is {row.status} but record {row.record_id} is {records[row.record_id]}"
    if (row.record_id, row.record_version) not in record_versions:
        yield f"{name}: record {row.record_id} has no version {row.record_version}"
    if (row.entity_version_id, row.entity_id, row.entity_hash) not in refs["entities"]:
        yield (
            f"{name}: entity {row.entity_id} ({row.entity_hash[:12]}) is not in list version "
            f"{row.entity_version_id}"
        )
    for column, table in (
        ("run_id", "runs"),
        ("closed_run_id", "runs"),
        ("previous_alert_id", "alerts"),
    ):
        value = getattr(row, column)
        if value is not None and value not in refs[table]:
            yield f"{name}: {column} {value} does not exist"
    if (
        row.decision_id is not None
        and (row.decision_id, row.record_id, row.entity_id) not in refs["decisions"]
    ):
        yield f"{name}: decision {row.decision_id} does not exist or is about another pair"
    if (row.status == "closed") != (row.closed_at is not None):
        yield f"{name}: status {row.status} but closed_at is {row.closed_at!r}"


def _entity_refs(store: Store, conn: Connection) -> set[tuple[int, str, str]]:
    """(list version, entity id, hash) of every entity some alert points at."""
    a = t.watch_alerts
    wanted = {
        (r[0], r[1]) for r in conn.execute(select(a.c.entity_version_id, a.c.entity_id).distinct())
    }
    held = store.entity_hashes({v for v, _ in wanted}, conn=conn)
    return {ref for ref in held if (ref[0], ref[1]) in wanted}


def check_references(store: Store, conn: Connection) -> list[str]:
    """Rows of the watch tables that point at nothing (records, versions, entities, runs).

    ``conn`` is a connection to ``store``'s database (its list versions are read through it).
    """
    problems = list(_check_records(conn))
    records = {
        r.id: r.status for r in conn.execute(select(t.watch_records.c.id, t.watch_records.c.status))
    }
    rv = t.watch_record_versions
    record_versions = {(r[0], r[1]) for r in conn.execute(select(rv.c.record_id, rv.c.version))}
    d = t.watch_decisions
    decisions = conn.execute(select(d.c.id, d.c.record_id, d.c.entity_id, d.c.alert_id)).all()
    refs: dict[str, set[Any]] = {
        "runs": {r[0] for r in conn.execute(select(t.watch_runs.c.id))},
        "alerts": {r[0] for r in conn.execute(select(t.watch_alerts.c.id))},
        "decisions": {(r[0], r[1], r[2]) for r in decisions},
        "entities": _entity_refs(store, conn),
    }
    for row in conn.execute(select(t.watch_alerts).order_by(t.watch_alerts.c.id)):
        problems += _alert_references(row, records, record_versions, refs)
    for decision in decisions:
        if decision.alert_id not in refs["alerts"]:
            problems.append(f"decision {decision.id}: alert {decision.alert_id} does not exist")
    return problems + list(_check_runs(store, conn))


def _check_runs(store: Store, conn: Connection) -> Iterator[str]:
    """Each run screened list versions that exist."""
    versions = {r["id"] for r in store.version_records(conn=conn)}
    for run in conn.execute(select(t.watch_runs.c.id, t.watch_runs.c.list_versions)):
        for dataset, version_id in json.loads(run.list_versions).items():
            if version_id not in versions:
                yield f"run {run.id}: list version {version_id} ({dataset}) does not exist"
