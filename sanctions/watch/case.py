"""An alert as an analyst works it: customer and listed entry side by side.

:func:`alert_case` gathers, for one alert, the customer record (at the alerted
version) and the listed entity (at the alerted list version) field by field
(names, birth dates, nationality, identifiers, addresses, programme, listing
date, the list and its as-of date), the evidence, what changed since the pair's
last decision (old -> new values on each side) and the pair's decision history.
:func:`record_cases` groups active alerts into one case per customer. Both
return plain JSON-able dicts; the CLI and the API only render them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, select

from sanctions.matching import Feature
from sanctions.model import Entity
from sanctions.store import Store, VersionInfo

from . import schema as t
from .alerts import Alert

__all__ = ["CASE_FIELDS", "alert_case", "record_cases"]

# (label, FtM properties shown on that line)
CASE_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("schema", ("$schema",)),
    ("names", ("name", "firstName", "middleName", "lastName", "alias", "previousName")),
    ("weak aliases", ("weakAlias",)),
    ("birth dates", ("birthDate",)),
    ("birth place", ("birthPlace",)),
    ("nationality / country", ("nationality", "citizenship", "country", "jurisdiction")),
    ("gender", ("gender",)),
    (
        "identifiers",
        (
            "idNumber",
            "passportNumber",
            "taxNumber",
            "registrationNumber",
            "imoNumber",
            "mmsi",
            "swiftBic",
            "leiCode",
            "innCode",
            "ogrnCode",
            "unscId",
        ),
    ),
    ("addresses", ("address",)),
)
LABELLED = {p for _, props in CASE_FIELDS for p in props if len(props) > 1}


def _values(props: Mapping[str, list[str]], schema: str, wanted: Iterable[str]) -> list[str]:
    out: list[str] = []
    for prop in wanted:
        if prop == "$schema":
            out.append(schema)
            continue
        for value in props.get(prop, []):
            label = f"{prop}: " if prop in LABELLED and prop not in ("name",) else ""
            out.append(f"{label}{value}")
    return out


def _record_at(conn: Connection, record_id: str, **where: Any) -> dict[str, Any]:
    v = t.watch_record_versions
    query = select(v.c.data).where(v.c.record_id == record_id)
    for column, value in where.items():
        query = query.where(v.c[column] == value)
    data = conn.execute(query.order_by(v.c.version.desc())).scalar()
    return {} if data is None else json.loads(data)


def _listing(entity: Entity | None, version: VersionInfo | None) -> list[tuple[str, str, str]]:
    programmes = sorted(set(entity.listing.programs) | set(entity.get("program"))) if entity else []
    as_of = "-"
    if version is not None:
        published = version.published or "not stated in the file"
        as_of = f"{version.dataset} v{version.seq} ({published}; loaded {version.loaded_at[:10]})"
    return [
        ("programme", "", "; ".join(programmes) or "-"),
        ("listing date", "", (entity.listing.listed_on if entity else None) or "not given"),
        ("list (as of)", "", as_of),
    ]


def _side_by_side(record: dict[str, Any], entity: Entity | None) -> list[dict[str, Any]]:
    rprops = record.get("properties", {})
    eprops = entity.to_ftm()["properties"] if entity is not None else {}
    eschema = entity.schema if entity is not None else "-"
    rows = []
    for label, props in CASE_FIELDS:
        customer = _values(rprops, record.get("schema", "-"), props)
        listed = _values(eprops, eschema, props)
        if customer or listed:
            rows.append({"field": label, "customer": customer, "listed": listed})
    return rows


def _diff(old: Mapping[str, list[str]], new: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    return [
        {"field": k, "old": sorted(old.get(k, [])), "new": sorted(new.get(k, []))}
        for k in sorted(set(old) | set(new))
        if sorted(old.get(k, [])) != sorted(new.get(k, []))
    ]


def _since_decision(store: Store, conn: Connection, alert: Alert, last: Any) -> dict[str, Any]:
    """What changed on each side between the pair's last decision and this alert."""
    out: dict[str, Any] = {
        "decision_id": last.id,
        "alert_id": last.alert_id,
        "decision": last.decision,
        "decided_at": last.decided_at,
        "record": [],
        "entity": [],
    }
    if last.record_hash != alert.record_hash:
        old = _record_at(conn, alert.record_id, hash=last.record_hash)
        new = _record_at(conn, alert.record_id, version=alert.record_version)
        out["record"] = _diff(old.get("properties", {}), new.get("properties", {}))
    if last.entity_hash != alert.entity_hash:
        found = store.entities_by_hash([last.entity_hash, alert.entity_hash], conn=conn)
        old_e, new_e = found.get(last.entity_hash), found.get(alert.entity_hash)
        if old_e is None or new_e is None:
            out["entity"] = [{"field": "(content)", "old": [], "new": []}]
        else:
            out["entity"] = _diff(old_e.to_ftm()["properties"], new_e.to_ftm()["properties"])
    return out


def alert_case(store: Store, conn: Connection, alert: Alert) -> dict[str, Any]:
    """The case of one alert (see the module docstring); ``conn`` is on ``store``'s database."""
    record = _record_at(conn, alert.record_id, version=alert.record_version)
    entity = store.entities_by_hash([alert.entity_hash], conn=conn).get(alert.entity_hash)
    version = store.version_by_id(alert.entity_version_id, conn=conn)
    d = t.watch_decisions
    history = [
        dict(r._mapping)
        for r in conn.execute(
            select(d)
            .where((d.c.record_id == alert.record_id) & (d.c.entity_id == alert.entity_id))
            .order_by(d.c.id)
        )
    ]
    earlier = [h for h in history if h["alert_id"] != alert.id]
    since = None
    if earlier:
        last = conn.execute(select(d).where(d.c.id == earlier[-1]["id"])).one()
        since = _since_decision(store, conn, alert, last)
    rows = _side_by_side(record, entity)
    rows += [
        {"field": f, "customer": [c] if c else [], "listed": [v]}
        for f, c, v in _listing(entity, version)
    ]
    return {
        "alert_id": alert.id,
        "status": alert.status,
        "score": alert.score,
        "threshold": alert.threshold,
        "customer": {
            "id": alert.record_id,
            "version": alert.record_version,
            "caption": alert.record_caption,
        },
        "listed": {
            "id": alert.entity_id,
            "caption": alert.entity_caption,
            "dataset": alert.dataset,
        },
        "side_by_side": rows,
        "evidence": [Feature.from_dict(e).describe() for e in alert.explanation],
        "since_last_decision": since,
        "decisions": history,
    }


def record_cases(alerts: Iterable[Alert]) -> list[dict[str, Any]]:
    """One case per customer: its alerts (best first), best score and statuses."""
    cases: dict[str, dict[str, Any]] = {}
    for alert in alerts:
        case = cases.setdefault(
            alert.record_id,
            {"record_id": alert.record_id, "caption": alert.record_caption, "alerts": []},
        )
        case["alerts"].append(
            {
                "alert_id": alert.id,
                "entity_id": alert.entity_id,
                "entity_caption": alert.entity_caption,
                "dataset": alert.dataset,
                "score": alert.score,
                "status": alert.status,
            }
        )
    out = []
    for case in cases.values():
        case["alerts"].sort(key=lambda a: (-a["score"], a["alert_id"]))
        case["best_score"] = case["alerts"][0]["score"]
        statuses: dict[str, int] = {}
        for a in case["alerts"]:
            statuses[a["status"]] = statuses.get(a["status"], 0) + 1
        case["statuses"] = statuses
        out.append(case)
    out.sort(key=lambda c: (-c["best_score"], c["record_id"]))
    return out
