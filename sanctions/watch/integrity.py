"""Alerts and decisions rebuilt from the audit log, and compared with their tables.

Every change to an alert is logged in the same transaction, with the alert's
state after the change (``details["row"]``: every column when it is raised, the
changed columns afterwards), and every decision with its whole row
(``details["decision_record"]``). Replaying the log therefore rebuilds both
tables; :func:`check_state` compares the rebuild with the tables and names each
row edited, inserted or deleted outside the application. Remembered false
positives (``watch_suppressions``, which keep later matches quiet) must each
come from a logged false-positive decision.

Entries written before the rows were logged whole carry fewer fields; those
fields are checked (status, score, pair, reasons), the rest cannot be.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, select

from sanctions.audit import audit_log

from . import schema as t

__all__ = ["alert_state", "decision_state", "check_state"]

ALERT_JSON = ("explanation", "list_versions", "changes")
MAX_REPORTED = 200


def alert_state(row: Mapping[str, Any]) -> dict[str, Any]:
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


def decision_state(row: Mapping[str, Any]) -> dict[str, Any]:
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
        logged = replay.legacy_decisions.get(alert_id, [])
        if len(rows) != len(logged):
            problems.append(
                f"alert {alert_id} has {len(rows)} decision rows not in the audit log's "
                f"whole-row entries but {len(logged)} older decision entries: rows were "
                "inserted or deleted"
            )
            continue
        for row, (entry, wanted) in zip(rows, logged, strict=True):
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
