"""Watch alerts by subject: one alert per (record, subject), listing every matching listing.

A *subject* is a cluster of listings across lists (``sanctions resolve``), or a
listing in no current cluster (:mod:`sanctions.coordination.subjects`). The
per-pair reconciliation (:mod:`reconcile`) decides the alert's own listing (its
lead); this step folds the other matches of a run into subjects:

* a match of a listing already in an alert's ``listings`` updates that entry
  when the listed entity changed (a changed listing is new evidence: a false
  positive comes back to review);
* a match of a new listing of a subject the record already has an alert for
  adds it to that alert ("now also listed by the UK"), audited, instead of
  raising a second alert; a false positive comes back to review (fail closed:
  a new jurisdiction's listing is new evidence); an escalated or true-match
  alert keeps its status;
* a listing that left its list, or no longer matches while the record is
  unchanged, leaves the alert's ``listings`` (audited); a record change alone
  never removes one (as it never closes an alert);
* the other matches are grouped by subject: one new alert per group, led by
  its best-scoring listing. The listings of an alert this run closes (or
  supersedes) and that the run did not look at (a delta run) are carried over
  to the group that follows it: a listing is never dropped from the alerts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from sanctions import audit
from sanctions.screening.subjects import SubjectMap, jurisdiction_of

from . import schema as t
from .alerts import Alert
from .records import dumps, now
from .runs import Hit, Plan

__all__ = ["Group", "Update", "fold_by_subject", "write_updates", "listing_entry"]

REVIEW_AGAIN = "false_positive"  # the status a new or changed listing sends back to review


def listing_entry(hit: Hit, run_id: int | None) -> dict[str, Any]:
    """One matching listing of a subject, as stored in an alert's ``listings``."""
    return {
        "entity_id": hit.entity_id,
        "entity_caption": hit.entity_caption,
        "dataset": hit.dataset,
        "jurisdiction": jurisdiction_of(hit.dataset),
        "entity_hash": hit.entity_hash,
        "entity_version_id": hit.entity_version_id,
        "score": hit.score,
        "explanation": hit.explanation,
        "run_id": run_id,
    }


def listings_of(alert: Alert) -> list[dict[str, Any]]:
    """An alert's listings (an alert raised before subjects: its own listing alone)."""
    if alert.listings:
        return [dict(x) for x in alert.listings]
    return [
        {
            "entity_id": alert.entity_id,
            "entity_caption": alert.entity_caption,
            "dataset": alert.dataset,
            "jurisdiction": jurisdiction_of(alert.dataset),
            "entity_hash": alert.entity_hash,
            "entity_version_id": alert.entity_version_id,
            "score": alert.score,
            "explanation": alert.explanation,
            "run_id": alert.run_id,
        }
    ]


def _carried_hit(alert: Alert, entry: dict[str, Any]) -> Hit:
    """A listing of a closing alert that the run did not look at, as the match it still is."""
    return Hit(
        alert.record_id,
        alert.record_version,
        alert.record_hash,
        alert.record_caption,
        entry["entity_id"],
        entry["entity_hash"],
        entry["entity_caption"],
        entry["dataset"],
        entry["entity_version_id"],
        entry["score"],
        entry["explanation"],
    )


@dataclass
class Group:
    """A new alert: the matching listings of one subject for one record, the best first."""

    subject_id: str
    hits: list[Hit]
    previous: Alert | None = None

    @property
    def lead(self) -> Hit:
        return self.hits[0]


@dataclass
class Update:
    """What a run changes in the listings of an alert it keeps."""

    alert: Alert
    listings: list[dict[str, Any]]
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[tuple[dict[str, Any], str]] = field(default_factory=list)

    @property
    def reopen(self) -> bool:
        return self.alert.status == REVIEW_AGAIN and bool(self.added or self.changed)

    def note(self) -> str:
        parts = []
        if self.added:
            parts.append(f"now also listed by {_by(self.added)}")
        if self.changed:
            parts.append(f"listing changed by {_by(self.changed)}")
        if self.removed:
            parts.append(f"no longer listed by {_by([x for x, _ in self.removed])}")
        text = "; ".join(parts)
        return text + (" (back to review: was a false positive)" if self.reopen else "")


def _by(entries: list[dict[str, Any]]) -> str:
    names = sorted({f"the {e['jurisdiction']} ({e['entity_id']})" for e in entries})
    return ", ".join(names)


def _subject_keys(alert: Alert, subjects: SubjectMap) -> set[str]:
    keys = {subjects.subject_of(alert.entity_id)}
    if alert.subject_id:
        keys.add(alert.subject_id)
    return keys


def _removal(plan: Plan, alert: Alert, entry: dict[str, Any]) -> str | None:
    """Why a listing leaves an alert this run (None: it stays)."""
    pair = (alert.record_id, entry["entity_id"])
    if pair in plan.hits or not plan.touches(*pair):
        return None
    entity = plan.snapshot.entities.get(entry["entity_id"])
    if entity is None:
        return f"removed from the list ({entry['dataset']})"
    record = plan.snapshot.records.get(alert.record_id)
    if record is None or record[1] != alert.record_hash:
        return None  # a record change alone removes no listing (see the module doc)
    return f"no longer matches at threshold {plan.threshold:.2f}"


def _refresh(plan: Plan, alert: Alert, run_id: int) -> Update:
    """The alert's listings after this run: changed entries updated, gone ones removed."""
    entries = listings_of(alert)
    change = Update(alert, [])
    for entry in entries:
        hit = plan.hits.get((alert.record_id, entry["entity_id"]))
        if entry["entity_id"] != alert.entity_id:
            reason = _removal(plan, alert, entry)
            if reason is not None:
                change.removed.append((entry, reason))
                continue
        if hit is not None and hit.entity_hash != entry["entity_hash"]:
            entry = listing_entry(hit, run_id)
            if hit.entity_id != alert.entity_id:
                change.changed.append(entry)
        change.listings.append(entry)
    return change


def fold_by_subject(
    plan: Plan,
    open_alerts: list[Alert],
    closing: list[tuple[Alert, str]],
    new_hits: list[tuple[Hit, Alert | None]],
    run_id: int,
) -> tuple[list[Group], list[Update]]:
    """New alerts (one per record and subject) and the updates of the alerts kept."""
    subjects = plan.subjects or SubjectMap()
    updates: dict[int, Update] = {a.id: _refresh(plan, a, run_id) for a in open_alerts}
    listed: dict[tuple[str, str], int] = {}  # (record, entity) -> the open alert listing it
    by_subject: dict[tuple[str, str], int] = {}  # (record, subject) -> open alert
    for alert in open_alerts:
        for entry in updates[alert.id].listings:
            listed[(alert.record_id, entry["entity_id"])] = alert.id
        for key in _subject_keys(alert, subjects):
            by_subject.setdefault((alert.record_id, key), alert.id)
    carried = _carry_over(plan, closing)
    groups: dict[tuple[str, str], Group] = {}
    follows: dict[tuple[str, str], str] = {}  # (record, entity) -> key of the alert it was in
    for alert, _ in closing:
        key = alert.subject_id or subjects.subject_of(alert.entity_id)
        for entry in listings_of(alert):
            follows[(alert.record_id, entry["entity_id"])] = key
    for hit, previous in new_hits + carried:
        pair = (hit.record_id, hit.entity_id)
        if pair in listed:
            continue  # already one of an open alert's listings (refreshed above)
        subject_id = follows.get(pair) or subjects.subject_of(hit.entity_id)
        target = by_subject.get((hit.record_id, subject_id))
        if target is None and subject_id != subjects.subject_of(hit.entity_id):
            target = by_subject.get((hit.record_id, subjects.subject_of(hit.entity_id)))
        if target is not None:
            entry = listing_entry(hit, run_id)
            updates[target].listings.append(entry)
            updates[target].added.append(entry)
            listed[pair] = target
            continue
        group = groups.setdefault((hit.record_id, subject_id), Group(subject_id, []))
        group.hits.append(hit)
        group.previous = group.previous or previous
    for group in groups.values():
        group.hits.sort(key=lambda h: (-h.score, h.entity_id))
    changed = [u for u in updates.values() if u.added or u.changed or u.removed]
    return sorted(groups.values(), key=lambda g: (g.lead.record_id, g.lead.entity_id)), changed


def _carry_over(plan: Plan, closing: list[tuple[Alert, str]]) -> list[tuple[Hit, Alert | None]]:
    """Listings of closing alerts the run did not look at: still matches, never dropped."""
    out: list[tuple[Hit, Alert | None]] = []
    for alert, _ in closing:
        if alert.record_id not in plan.snapshot.records:
            continue  # the record was removed: its alerts close whole
        for entry in listings_of(alert):
            pair = (alert.record_id, entry["entity_id"])
            if entry["entity_id"] == alert.entity_id or pair in plan.hits or plan.touches(*pair):
                continue
            entity = plan.snapshot.entities.get(entry["entity_id"])
            if entity is not None and entity[0] == entry["entity_hash"]:
                out.append((_carried_hit(alert, entry), alert))
    return out


def write_updates(conn: Connection, updates: list[Update], run_id: int, actor: str) -> int:
    """Store the alerts' new listings (and status, when back to review); one audit entry each."""
    if not updates:
        return 0
    stamp = now()
    rows, events = [], []
    for change in updates:
        alert = change.alert
        status = "open" if change.reopen else alert.status
        changes = dict(alert.changes or {})
        changes["subject"] = {
            "note": change.note(),
            "run": run_id,
            "at": stamp,
            "added": [x["entity_id"] for x in change.added],
            "changed": [x["entity_id"] for x in change.changed],
            "removed": [{"entity_id": x["entity_id"], "reason": r} for x, r in change.removed],
        }
        listings = dumps(change.listings)
        rows.append({"aid": alert.id, "l": listings, "s": status, "c": dumps(changes)})
        details = {
            "run": run_id,
            "note": change.note(),
            "status_was": alert.status,
            "record_id": alert.record_id,
            "entity_id": alert.entity_id,
            "subject_id": alert.subject_id,
            "row": {"listings": json.loads(listings), "status": status, "changes": changes},
        }
        events.append((actor, "alert.updated", f"alert:{alert.id}", details))
    a = t.watch_alerts
    conn.execute(
        update(a)
        .where(a.c.id == bindparam("aid"))
        .values(listings=bindparam("l"), status=bindparam("s"), changes=bindparam("c")),
        rows,
    )
    audit.append_many(conn, events)
    return len(updates)


def open_alerts(conn: Connection, closing: list[tuple[Alert, str]]) -> list[Alert]:
    """The alerts that stay open after this run's closures."""
    a = t.watch_alerts
    gone = {alert.id for alert, _ in closing}
    rows = conn.execute(select(a).where(a.c.status != "closed"))
    return [alert for alert in map(Alert.from_row, rows) if alert.id not in gone]
