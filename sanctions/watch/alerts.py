"""Alerts and analysts' decisions on them.

An alert's ``status`` is ``open`` when raised, then the latest decision:
``escalated``, ``true_match`` or ``false_positive``; ``closed`` when it no
longer applies (its entity was removed from the list, its record was removed,
the pair no longer scores at the threshold, or a newer alert superseded it),
with the reason. A false positive is remembered for the pair (record content
hash, entity content hash) in ``watch_suppressions``: later runs record such a
match as ``false_positive`` without raising it, until either side changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from sanctions import audit
from sanctions.chunks import chunked
from sanctions.errors import ConflictError, NotFoundError, SanctionsError
from sanctions.screening.subjects import jurisdiction_of

from . import schema as t
from .integrity import decision_state
from .records import RecordChange, mark_records_removed, now

__all__ = [
    "ALERT_STATUSES",
    "DECISIONS",
    "canonical_status",
    "Alert",
    "Decision",
    "list_alerts",
    "get_alert",
    "close_alerts",
    "close_alerts_of_records",
    "remove_records",
    "decide",
    "decisions_of",
]

ALERT_STATUSES = ("open", "escalated", "true_match", "false_positive", "closed")
DECISIONS = ("true_match", "false_positive", "escalated")
STATUS_FILTERS = (*ALERT_STATUSES, "active", "all")


def canonical_status(name: str) -> str:
    """A decision or status name in its one spelling: ``false-positive`` -> ``false_positive``
    (``true-match`` and any case are accepted the same way)."""
    return name.strip().lower().replace("-", "_")


@dataclass
class Alert:
    """One alert: the pair, both versions, the score and why, and what it was screened with."""

    id: int
    record_id: str
    record_version: int
    record_hash: str
    record_caption: str
    entity_id: str
    entity_hash: str
    entity_caption: str
    dataset: str
    entity_version_id: int
    score: float
    explanation: list[dict[str, Any]]
    list_versions: dict[str, int]
    algorithm: str
    algorithm_version: str
    threshold: float
    status: str
    run_id: int
    created_at: str
    previous_alert_id: int | None = None
    changes: dict[str, Any] | None = None
    decision_id: int | None = None
    closed_run_id: int | None = None
    closed_at: str | None = None
    closed_reason: str | None = None
    subject_id: str | None = None  # the cluster (or listing) the alert is about
    listings: list[dict[str, Any]] | None = None  # every matching listing of the subject

    @classmethod
    def from_row(cls, row: Any) -> Alert:
        data = dict(row._mapping)
        data["explanation"] = json.loads(data["explanation"])
        data["list_versions"] = json.loads(data["list_versions"])
        data["changes"] = json.loads(data["changes"]) if data["changes"] else None
        data["listings"] = json.loads(data["listings"]) if data.get("listings") else None
        return cls(**data)

    @property
    def jurisdictions(self) -> list[str]:
        """The jurisdictions whose listings of the subject the record matches."""
        found = {x["jurisdiction"] for x in self.listings or []}
        return sorted(found or {jurisdiction_of(self.dataset)})

    @property
    def pair(self) -> tuple[str, str]:
        return (self.record_id, self.entity_id)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Decision:
    """An analyst's decision on an alert."""

    id: int
    alert_id: int
    decision: str
    reason: str
    analyst: str
    decided_at: str
    previous_status: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def list_alerts(
    conn: Connection,
    status: str = "active",
    record_id: str | None = None,
    entity_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Alert]:
    """Alerts by status (``active``: every status but closed; ``all``), newest first; one
    page (``limit``, ``offset``) read in SQL."""
    status = canonical_status(status)
    if status not in STATUS_FILTERS:
        raise SanctionsError(
            f"unknown alert status {status!r} (one of {', '.join(STATUS_FILTERS)})"
        )
    a = t.watch_alerts
    query = select(a).order_by(a.c.id.desc())
    if status == "active":
        query = query.where(a.c.status != "closed")
    elif status != "all":
        query = query.where(a.c.status == status)
    if record_id is not None:
        query = query.where(a.c.record_id == record_id)
    if entity_id is not None:
        query = query.where(a.c.entity_id == entity_id)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return [Alert.from_row(r) for r in conn.execute(query)]


def get_alert(conn: Connection, alert_id: int) -> Alert:
    row = conn.execute(select(t.watch_alerts).where(t.watch_alerts.c.id == alert_id)).first()
    if row is None:
        raise NotFoundError(f"no alert {alert_id}")
    return Alert.from_row(row)


def close_alerts(
    conn: Connection,
    closures: Iterable[tuple[Alert, str]],
    actor: str,
    run_id: int | None = None,
) -> int:
    """Close alerts, each with its reason, and log each closure."""
    closures = list(closures)
    if not closures:
        return 0
    stamp = now()
    conn.execute(
        update(t.watch_alerts)
        .where(t.watch_alerts.c.id == bindparam("aid"))
        .values(
            status="closed",
            closed_reason=bindparam("reason"),
            closed_at=stamp,
            closed_run_id=run_id,
        ),
        [{"aid": alert.id, "reason": reason} for alert, reason in closures],
    )
    events = [
        (
            actor,
            "alert.closed",
            f"alert:{alert.id}",
            {
                "reason": reason,
                "run": run_id,
                "status_was": alert.status,
                **_pair(alert),
                "row": {
                    "status": "closed",
                    "closed_reason": reason,
                    "closed_at": stamp,
                    "closed_run_id": run_id,
                },
            },
        )
        for alert, reason in closures
    ]
    audit.append_many(conn, events)
    return len(closures)


def _pair(alert: Alert) -> dict[str, Any]:
    return {
        "record_id": alert.record_id,
        "record_version": alert.record_version,
        "entity_id": alert.entity_id,
        "entity_hash": alert.entity_hash,
    }


def remove_records(
    conn: Connection, ids: Iterable[str], actor: str, reason: str
) -> list[RecordChange]:
    """Stop watching records and close their alerts (with the reason), in one go."""
    changes = mark_records_removed(conn, ids)
    closed = [c.id for c in changes]
    close_alerts_of_records(conn, closed, f"record removed by {actor}: {reason}", actor)
    return changes


def close_alerts_of_records(
    conn: Connection, record_ids: list[str], reason: str, actor: str
) -> int:
    """Close every alert (not yet closed) of these records."""
    a = t.watch_alerts
    alerts: list[Alert] = []
    for chunk in chunked(record_ids):
        rows = conn.execute(select(a).where(a.c.record_id.in_(chunk) & (a.c.status != "closed")))
        alerts += [Alert.from_row(r) for r in rows]
    return close_alerts(conn, [(alert, reason) for alert in alerts], actor)


def decide(conn: Connection, alert_id: int, decision: str, reason: str, analyst: str) -> Decision:
    """Record an analyst's decision; a false positive is remembered for the version pair."""
    decision = canonical_status(decision)
    if decision not in DECISIONS:
        raise SanctionsError(f"unknown decision {decision!r} (one of {', '.join(DECISIONS)})")
    if not reason.strip():
        raise SanctionsError("a decision needs a reason")
    if not analyst.strip():
        raise SanctionsError("a decision needs the analyst's name")
    alert = get_alert(conn, alert_id)
    if alert.status == "closed":
        raise ConflictError(
            f"alert {alert_id} is closed ({alert.closed_reason}): nothing to decide"
        )
    stamp = now()
    inserted = conn.execute(
        insert(t.watch_decisions).values(
            alert_id=alert_id,
            decision=decision,
            reason=reason.strip(),
            analyst=analyst.strip(),
            decided_at=stamp,
            record_id=alert.record_id,
            record_hash=alert.record_hash,
            entity_id=alert.entity_id,
            entity_hash=alert.entity_hash,
        )
    ).inserted_primary_key
    assert inserted is not None
    decision_id = int(inserted[0])
    conn.execute(
        update(t.watch_alerts)
        .where(t.watch_alerts.c.id == alert_id)
        .values(status=decision, decision_id=decision_id)
    )
    _remember(conn, alert, decision, decision_id)
    details = {
        "decision": decision,
        "reason": reason.strip(),
        "status_was": alert.status,
        **_pair(alert),
        "row": {"status": decision, "decision_id": decision_id},
        "decision_record": decision_state(
            conn.execute(select(t.watch_decisions).where(t.watch_decisions.c.id == decision_id))
            .one()
            ._mapping
        ),
    }
    audit.append(conn, analyst.strip(), "alert.decided", f"alert:{alert_id}", details)
    return Decision(
        decision_id, alert_id, decision, reason.strip(), analyst.strip(), stamp, alert.status
    )


def _remember(conn: Connection, alert: Alert, decision: str, decision_id: int) -> None:
    s = t.watch_suppressions
    key = {
        "record_id": alert.record_id,
        "record_hash": alert.record_hash,
        "entity_id": alert.entity_id,
        "entity_hash": alert.entity_hash,
    }
    conn.execute(delete(s).where(*[s.c[k] == v for k, v in key.items()]))
    if decision == "false_positive":
        conn.execute(insert(s).values(decision_id=decision_id, **key))


def suppressions(conn: Connection) -> dict[tuple[str, str, str, str], int]:
    """Remembered false positives: (record id, record hash, entity id, entity hash) -> decision."""
    s = t.watch_suppressions
    rows = conn.execute(select(s))
    return {(r.record_id, r.record_hash, r.entity_id, r.entity_hash): r.decision_id for r in rows}


def decisions_of(conn: Connection, alert_id: int) -> list[Decision]:
    d = t.watch_decisions
    rows = conn.execute(select(d).where(d.c.alert_id == alert_id).order_by(d.c.id))
    return [Decision(r.id, r.alert_id, r.decision, r.reason, r.analyst, r.decided_at) for r in rows]
