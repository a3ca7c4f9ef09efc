"""Screening runs, the writing half: turn a plan's matches into alerts, in one transaction.

For every pair the run decides (a full run: all of them):

* a match whose record and entity versions equal those of the pair's alert
  keeps that alert (and its decision) as it is;
* a match with a changed side closes the old alert ("superseded") and raises
  a new one that names what changed (record fields, entity properties);
* a match without an alert raises one, unless the pair of versions was
  cleared as a false positive before: then it is recorded as
  ``false_positive`` without being raised;
* an alert without a match is closed, with the reason: the entity was removed
  from its list, the record was removed, or the pair no longer scores; but not
  while its list is current by a rollback (``sanctions versions rollback``):
  only a loaded or approved version closes alerts;
* but a change of the record alone (a rename, say: anyone with the ``screen``
  role can make one) never closes an alert that is open, escalated or a
  ``true_match``: one that no longer matches stays as it is, and a decided one
  (escalated, true match) stays with its decisions even when the new version
  still matches. Only an analyst's decision, a removal of the record (analyst or
  admin) or a change of the listed entity moves it on.

Then the matches are folded by subject (:mod:`subjects`): one alert per
(record, subject), whose ``listings`` gather every matching listing of the
subject; a new listing of an alerted subject updates that alert (audited,
``alert.updated``) instead of raising another.

The run row, the alerts, the closures, the records' ``screened_hash`` and the
audit entries are written in ONE transaction: a crash leaves no trace of the
run, and running it again is safe.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError

from sanctions import audit
from sanctions.chunks import chunked, execute_chunked, insert_chunked
from sanctions.errors import StoreError
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION
from sanctions.model import Entity
from sanctions.screening.evidence import canonical_sha256, list_versions
from sanctions.store import Store

from . import schema as t
from .alerts import Alert, close_alerts, suppressions
from .integrity import alert_state
from .prefilter import matcher_fingerprint
from .records import dumps, now, record_version_data
from .runs import Hit, Plan
from .subjects import Group, fold_by_subject, listing_entry, open_alerts, write_updates

__all__ = ["RunReport", "write_plan", "record_list_loads"]


@dataclass
class RunReport:
    """What a run did, and how long each step took."""

    run_id: int
    kind: str
    note: str | None
    list_versions: dict[str, int]
    records_total: int
    records_screened: int
    entities_screened: int
    raised: int = 0
    suppressed: int = 0
    closed: int = 0
    kept: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items())
        note = f" ({self.note})" if self.note else ""
        if self.kind == "full":
            what = f"{self.records_screened:,} records against {self.entities_screened:,} entities"
            screen = self.timings.get("screen", 0.0)
            if screen > 0:
                what += (
                    f" ({self.records_screened / screen:,.0f} records/s on "
                    f"{self.stats.get('workers', 1)} worker(s))"
                )
        else:
            others = self.records_total - self.records_screened
            what = (
                f"{self.records_screened:,} new or changed records against every entity; "
                f"{self.stats.get('prefilter_candidates', 0):,} of the {others:,} others against "
                f"{self.stats.get('entities_added_or_changed', 0):,} added or changed entities; "
                f"{self.stats.get('entities_removed', 0):,} entities removed"
            )
        held = len(self.stats.get("held_after_record_change", []))
        unscreenable = len(self.stats.get("unscreenable", []))
        extra = f", {held} kept open after a record change" if held else ""
        updated = len(self.stats.get("subject_updates", []))
        if updated:
            extra += f", {updated} alerts updated with their subject's listings"
        if unscreenable:
            extra += f"; {unscreenable} records COULD NOT BE SCREENED (see stats.unscreenable)"
        return (
            f"run {self.run_id} ({self.kind}{note}): {what}: {self.raised} alerts raised, "
            f"{self.suppressed} known false positives kept quiet, {self.closed} closed, "
            f"{self.kept} unchanged{extra}; {self.seconds:.2f} s (steps: {steps}); list "
            f"versions {', '.join(f'{d}@{v}' for d, v in sorted(self.list_versions.items()))}"
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def record_list_loads(store: Store, conn: Connection, actor: str) -> int:
    """Log every list version the audit log does not know yet (``list.seen``).

    A load logs its own version (``list.loaded``); a version found here was written
    by an older release, or outside the program: ``sanctions doctor`` names it.
    """
    a = audit.audit_log.c
    seen = {
        r[0]
        for r in conn.execute(select(a.subject).where(a.action.in_(["list.loaded", "list.seen"])))
    }
    events = []
    for row in store.version_records(conn=conn):
        subject = f"list-version:{row['id']}"
        if subject in seen:
            continue
        details = {k: v for k, v in row.items() if k not in ("id",)}
        details["version_id"] = row["id"]
        events.append((actor, "list.seen", subject, details))
    audit.append_many(conn, events)
    return len(events)


def write_plan(store: Store, plan: Plan, actor: str, started: float) -> RunReport:
    """Write a run whole, or not at all."""
    try:
        with store.begin() as conn:
            return _write(store, conn, plan, actor, started)
    except DBAPIError as exc:
        raise StoreError(
            f"could not record the screening run ({exc.orig.__class__.__name__}: {exc.orig}); "
            "nothing was written: run it again"
        ) from exc


def _write(store: Store, conn: Connection, plan: Plan, actor: str, started: float) -> RunReport:
    audit.lock(conn)
    latest = conn.execute(select(t.watch_runs.c.id).order_by(t.watch_runs.c.id.desc())).scalar()
    if latest != plan.snapshot.last_run_id:
        raise StoreError(
            f"another screening run ({latest}) was recorded while this one was computing; "
            "nothing was written: run again"
        )
    record_list_loads(store, conn, actor)
    clock = time.perf_counter()
    report = RunReport(
        0,
        plan.kind,
        plan.note,
        plan.snapshot.list_versions,
        len(plan.snapshot.records),
        len(plan.screened_records),
        plan.entities_screened,
    )
    report.run_id = _insert_run(conn, plan, actor)
    active_ids = _still_active(conn, {h.record_id for h in plan.hits.values()})
    closures, new_hits, report.kept = _sort_out(conn, plan, active_ids)
    kept = open_alerts(conn, closures)
    groups, updates = fold_by_subject(plan, kept, closures, new_hits, report.run_id)
    report.closed = close_alerts(conn, closures, actor, report.run_id)
    report.raised, report.suppressed = _raise(store, conn, plan, groups, report.run_id, actor)
    if write_updates(conn, updates, report.run_id, actor):
        plan.stats["subject_updates"] = [{"alert": u.alert.id, "note": u.note()} for u in updates]
    _mark_screened(conn, plan.screened_records)
    plan.timings["write"] = time.perf_counter() - clock
    report.seconds = time.perf_counter() - started
    report.timings = dict(plan.timings)
    report.stats = dict(plan.stats)
    _finish_run(conn, report, actor, plan)
    return report


def _insert_run(conn: Connection, plan: Plan, actor: str) -> int:
    stamp = now()
    values = {
        "kind": plan.kind,
        "based_on": plan.based_on,
        "note": plan.note,
        "actor": actor,
        "started_at": stamp,
        "finished_at": stamp,
        "seconds": 0.0,
        "algorithm": ALGORITHM,
        "algorithm_version": ALGORITHM_VERSION,
        "threshold": plan.threshold,
        "list_versions": dumps(plan.snapshot.list_versions),
        "records_total": len(plan.snapshot.records),
        "records_screened": len(plan.screened_records),
        "entities_screened": plan.entities_screened,
        "raised": 0,
        "suppressed": 0,
        "closed": 0,
        "keys_digest": plan.keys_digest,
        "stats": dumps({"matcher": matcher_fingerprint()}),
    }
    inserted = conn.execute(insert(t.watch_runs).values(**values)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])


def _finish_run(conn: Connection, report: RunReport, actor: str, plan: Plan) -> None:
    stats = {"matcher": matcher_fingerprint(), "timings": report.timings, **report.stats}
    conn.execute(
        update(t.watch_runs)
        .where(t.watch_runs.c.id == report.run_id)
        .values(
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            seconds=report.seconds,
            raised=report.raised,
            suppressed=report.suppressed,
            closed=report.closed,
            stats=dumps(stats),
        )
    )
    details = {k: v for k, v in report.to_dict().items() if k not in ("timings", "stats")}
    records = sorted((i, v, h) for i, (v, h, _) in plan.snapshot.records.items())
    details.update(
        # the screening evidence (docs/evidence.md): what, against which versions, how
        input_sha256=canonical_sha256(records),
        rows=len(records),
        threshold=plan.threshold,
        algorithm={"name": ALGORITHM, "version": ALGORITHM_VERSION},
        list_versions_detail=list_versions(plan.snapshot.versions.values()),
    )
    audit.append(conn, actor, "run.completed", f"run:{report.run_id}", details)


def _still_active(conn: Connection, ids: Iterable[str]) -> set[str]:
    ids = sorted(ids)
    r = t.watch_records
    out: set[str] = set()
    for chunk in chunked(ids):
        query = select(r.c.id).where(r.c.id.in_(chunk) & (r.c.status == "active"))
        out.update(row[0] for row in conn.execute(query))
    return out


def _sort_out(
    conn: Connection, plan: Plan, active_ids: set[str]
) -> tuple[list[tuple[Alert, str]], list[tuple[Hit, Alert | None]], int]:
    """Alerts to close (with reasons), matches to raise (with the alert they follow), kept count."""
    a = t.watch_alerts
    alerts = [Alert.from_row(r) for r in conn.execute(select(a).where(a.c.status != "closed"))]
    hits = {pair: h for pair, h in plan.hits.items() if h.record_id in active_ids}
    closures: list[tuple[Alert, str]] = []
    new_hits: list[tuple[Hit, Alert | None]] = []
    kept = 0
    for alert in alerts:
        if not plan.touches(*alert.pair) and not _unlisted_after_rollback(plan, alert):
            hits.pop(alert.pair, None)
            continue
        hit = hits.pop(alert.pair, None)
        if _held(plan, alert, hit):
            plan.stats.setdefault("held_after_record_change", []).append(alert.id)
            kept += 1
        elif hit is None and _rolled_back(plan, alert):
            plan.stats.setdefault("held_after_rollback", []).append(alert.id)
            kept += 1
        elif hit is None:
            closures.append((alert, _close_reason(plan, alert)))
        elif (hit.record_hash, hit.entity_hash) == (alert.record_hash, alert.entity_hash):
            kept += 1
        else:
            closures.append((alert, "superseded: " + _what_changed(alert, hit)))
            new_hits.append((hit, alert))
    previous = _latest_closed(conn, list(hits))
    new_hits += [(hit, previous.get(pair)) for pair, hit in sorted(hits.items())]
    return closures, new_hits, kept


HELD_STATUSES = ("open", "escalated", "true_match")


def _held(plan: Plan, alert: Alert, hit: Hit | None) -> bool:
    """Whether a change of the record alone leaves this alert as it is (see module doc)."""
    if alert.status not in HELD_STATUSES:
        return False
    record = plan.snapshot.records.get(alert.record_id)
    entity = plan.snapshot.entities.get(alert.entity_id)
    if record is None or entity is None or entity[0] != alert.entity_hash:
        return False  # record removed, or the list changed: closed or re-raised as usual
    if record[1] == alert.record_hash:
        return False  # the record did not change (a threshold change, say)
    return hit is None or alert.status != "open"


def _rolled_back(plan: Plan, alert: Alert) -> bool:
    """Whether the alert's list is current by a rollback: it closes no alert (a later
    approved version that still lacks the entity does)."""
    if alert.record_id not in plan.snapshot.records:
        return False  # the record was removed: its alerts close as usual
    version = plan.snapshot.versions.get(alert.dataset)
    return version is not None and version.status == "rollback"


def _unlisted_after_rollback(plan: Plan, alert: Alert) -> bool:
    """An alert kept open by a rollback whose entity a later current version still lacks:
    a delta run decides it although that version's diff does not name the entity."""
    return alert.entity_id not in plan.snapshot.entities and not _rolled_back(plan, alert)


def _what_changed(alert: Alert, hit: Hit) -> str:
    parts = []
    if alert.record_hash != hit.record_hash:
        parts.append(f"record changed (v{alert.record_version} -> v{hit.record_version})")
    if alert.entity_hash != hit.entity_hash:
        parts.append(f"listed entity changed ({alert.entity_hash[:12]} -> {hit.entity_hash[:12]})")
    return ", ".join(parts) or "re-screened"


def _close_reason(plan: Plan, alert: Alert) -> str:
    snapshot = plan.snapshot
    record = snapshot.records.get(alert.record_id)
    if record is None:
        return "record removed"
    entity = snapshot.entities.get(alert.entity_id)
    if entity is None:
        version = snapshot.versions.get(alert.dataset)
        where = f"{alert.dataset} v{version.seq}" if version is not None else "any loaded list"
        return f"entity removed from the list: {alert.entity_id} is not in {where}"
    changed = []
    if record[1] != alert.record_hash:
        changed.append(f"record changed (v{alert.record_version} -> v{record[0]})")
    if entity[0] != alert.entity_hash:
        changed.append(f"listed entity changed ({alert.entity_hash[:12]} -> {entity[0][:12]})")
    why = ", ".join(changed) or "re-screened"
    return f"no longer matches at threshold {plan.threshold:.2f}: {why}"


def _latest_closed(conn: Connection, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Alert]:
    """The most recent (closed) alert of each pair, to show what changed since."""
    a = t.watch_alerts
    wanted = set(pairs)
    records = sorted({p[0] for p in pairs})
    out: dict[tuple[str, str], Alert] = {}
    for chunk in chunked(records):
        rows = conn.execute(select(a).where(a.c.record_id.in_(chunk)).order_by(a.c.id))
        for row in rows:
            alert = Alert.from_row(row)
            if alert.pair in wanted:
                out[alert.pair] = alert
    return out


def _raise(
    store: Store, conn: Connection, plan: Plan, groups: list[Group], run_id: int, actor: str
) -> tuple[int, int]:
    """Insert the new alerts, one per (record, subject), and log them. An alert is quiet
    (``false_positive``) only when every listing of it was cleared as one before."""
    if not groups:
        return 0, 0
    known = suppressions(conn)
    stamp = now()
    pairs = [(g.previous.entity_hash, g.lead.entity_hash) for g in groups if g.previous is not None]
    entities = store.entities_by_hash(
        {h for pair in pairs if pair[0] != pair[1] for h in pair}, conn=conn
    )
    rows = []
    for group in groups:
        hit, previous = group.lead, group.previous
        cleared = [
            known.get((h.record_id, h.record_hash, h.entity_id, h.entity_hash)) for h in group.hits
        ]
        decision = cleared[0] if all(cleared) else None
        changes = _changes(conn, previous, hit, entities) if previous is not None else None
        rows.append(
            {
                **hit.__dict__,
                "subject_id": group.subject_id,
                "listings": dumps([listing_entry(h, run_id) for h in group.hits]),
                "explanation": dumps(hit.explanation),
                "list_versions": dumps(plan.snapshot.list_versions),
                "algorithm": ALGORITHM,
                "algorithm_version": ALGORITHM_VERSION,
                "threshold": plan.threshold,
                "status": "open" if decision is None else "false_positive",
                "decision_id": decision,
                "run_id": run_id,
                "created_at": stamp,
                "previous_alert_id": previous.id if previous is not None else None,
                "changes": dumps(changes) if changes else None,
            }
        )
    insert_chunked(conn, t.watch_alerts, rows)
    a = t.watch_alerts
    created = conn.execute(select(a).where(a.c.run_id == run_id).order_by(a.c.id)).all()
    events = []
    for row in created:
        action = "alert.raised" if row.status == "open" else "alert.suppressed"
        details = {
            "run": run_id,
            "record_id": row.record_id,
            "record_version": row.record_version,
            "entity_id": row.entity_id,
            "entity_hash": row.entity_hash,
            "score": row.score,
            "previous_alert": row.previous_alert_id,
            "decision": row.decision_id,
            "row": alert_state(row._mapping),
        }
        events.append((actor, action, f"alert:{row.id}", details))
    audit.append_many(conn, events)
    quiet = sum(1 for r in rows if r["status"] != "open")
    return len(rows) - quiet, quiet


def _changes(
    conn: Connection, previous: Alert, hit: Hit, entities: dict[str, Entity]
) -> dict[str, Any]:
    """What changed between the previous alert of the pair and this match (or, when the
    subject's alert follows another of its listings, which)."""
    out: dict[str, Any] = {"previous_alert": previous.id, "previous_status": previous.status}
    if previous.entity_id != hit.entity_id:
        out["lead"] = {"from": previous.entity_id, "to": hit.entity_id}
        return out
    if previous.record_hash != hit.record_hash:
        old = record_version_data(conn, previous.record_id, previous.record_version) or {}
        new = record_version_data(conn, hit.record_id, hit.record_version) or {}
        fields = _dict_diff(old.get("properties", {}), new.get("properties", {}))
        if old.get("schema") != new.get("schema"):
            fields.append("schema")
        out["record"] = {
            "from_version": previous.record_version,
            "to_version": hit.record_version,
            "fields": sorted(fields),
        }
    if previous.entity_hash != hit.entity_hash:
        old_e, new_e = entities.get(previous.entity_hash), entities.get(hit.entity_hash)
        fields = old_e.diff_properties(new_e) if old_e and new_e else ["(content)"]
        out["entity"] = {
            "from_hash": previous.entity_hash,
            "to_hash": hit.entity_hash,
            "fields": fields,
        }
    return out


def _dict_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def _mark_screened(conn: Connection, screened: dict[str, str]) -> None:
    rows = [{"rid": rid, "digest": digest} for rid, digest in screened.items()]
    r = t.watch_records
    stmt = (
        update(r)
        .where((r.c.id == bindparam("rid")) & (r.c.status == "active"))
        .values(screened_hash=bindparam("digest"))
    )
    execute_chunked(conn, stmt, rows)
