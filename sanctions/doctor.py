"""``sanctions doctor``: check a store's invariants and name every problem on one line.

What is checked (a healthy store has none of these problems):

* **lists** (:mod:`sanctions.store.checks`): each dataset's current version
  exists, is complete and is not held; each stored diff equals the difference of
  the entity maps; every entity row has its blob and every blob matches its hash;
  no orphan rows;
* **audit**: the hash chain (and MACs with the key, and an exported head with
  ``expect``); every list version has its ``list.loaded`` entry and every such
  entry its version (a version written outside a load, or a load's version lost);
* **watch**: alerts, decisions and remembered false positives agree with the
  audit log, and point at existing records, record versions, list entities,
  runs and decisions.

Nothing is repaired: the report says what is wrong and where.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from sanctions import audit
from sanctions.store import Store
from sanctions.watch import schema as wt
from sanctions.watch.integrity import check_references, check_state

__all__ = ["DoctorReport", "diagnose"]


@dataclass
class DoctorReport:
    """The problems found (``area: message``), and what was looked at."""

    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    audit_head: str = ""
    anchored: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, area: str, problems: list[str]) -> None:
        self.problems += [f"{area}: {p}" for p in problems]

    def summary(self) -> str:
        looked = ", ".join(f"{v:,} {k}" for k, v in self.counts.items())
        verdict = "no problems" if self.ok else f"{len(self.problems):,} problems"
        anchors = " and ".join(self.anchored) or "no key or exported head"
        return (
            f"store checked: {verdict} ({looked}; audit head {self.audit_head}, "
            f"checked against {anchors}; {self.seconds:.1f} s)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "ok": self.ok}


def _count(conn: Connection, table: Any) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


def _check_loads_logged(store: Store, conn: Connection) -> list[str]:
    a = audit.audit_log.c
    # Any list.* event of the load (list.loaded, or e.g. a version held by a gate) counts;
    # list.seen is written by a screening run that found a version no load logged.
    logged: dict[str, set[str]] = {"list.loaded": set(), "list.seen": set()}
    query = select(a.action, a.subject).where(a.action.like("list.%"))
    for action, subject in conn.execute(query):
        if subject.startswith("list-version:"):
            logged["list.seen" if action == "list.seen" else "list.loaded"].add(subject)
    versions = {f"list-version:{r['id']}": r for r in store.version_records(conn=conn)}
    problems = []
    for subject, version in versions.items():
        if subject in logged["list.loaded"]:
            continue
        how = (
            "was only found by a later screening run (list.seen)"
            if subject in logged["list.seen"]
            else "has no list.loaded entry"
        )
        problems.append(
            f"{version['dataset']} v{version['seq']} (version {version['id']}) {how}: "
            "written outside a load, or by a release that did not log loads"
        )
    gone = (logged["list.loaded"] | logged["list.seen"]) - versions.keys()
    problems += [
        f"{subject} is in the audit log but does not exist: removed from the store"
        for subject in sorted(gone)
    ]
    return problems


def diagnose(store: Store, expect: str | None = None) -> DoctorReport:
    """Check every invariant of ``store`` (a :class:`~sanctions.store.Store`)."""
    started = time.perf_counter()
    report = DoctorReport()
    chain = audit.verify(store.engine, expect=expect)
    report.audit_head, report.anchored = chain.head, chain.anchored
    if not chain.ok:
        report.add("audit", [f"entry {chain.broken_id}: {chain.problem}"])
    report.counts.update(store.table_counts())
    report.add("lists", store.check())
    with store.connect() as conn:
        report.add("audit", _check_loads_logged(store, conn))
        report.add("watch", check_state(conn))
        report.add("watch", check_references(store, conn))
        for name, table in (
            ("records", wt.watch_records),
            ("alerts", wt.watch_alerts),
            ("decisions", wt.watch_decisions),
            ("audit entries", audit.audit_log),
        ):
            report.counts[name] = _count(conn, table)
    report.seconds = time.perf_counter() - started
    return report
