"""Manual decisions (merge, split) and looking up a cluster.

Overrides live in their own table and are never touched by recomputation; each
run of the resolver applies them (see :func:`~sanctions.coordination.resolve.resolve_listings`):

* ``merge A B``: A and B are one subject. Refused (nothing stored) when A and B
  are listings of one list, or when their clusters hold listings of one list:
  two listings of one list are never merged unless the authority links them;
* ``split A B``: A and B are never in one cluster (also not through others);
* ``split A``: A stands alone.

A new merge of a pair replaces a split of the same pair, and the other way round.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select

from sanctions.errors import ConfigError
from sanctions.store import Store

from . import tables as ct
from .dates import NO_LISTING_DATE, as_of_dates, listing_date, listing_field

__all__ = ["add_override", "list_overrides", "remove_override", "get_cluster"]


def _pair_clause(a: str, b: str | None) -> Any:
    if b is None:
        return and_(ct.overrides.c.entity_a == a, ct.overrides.c.entity_b.is_(None))
    return or_(
        and_(ct.overrides.c.entity_a == a, ct.overrides.c.entity_b == b),
        and_(ct.overrides.c.entity_a == b, ct.overrides.c.entity_b == a),
    )


def add_override(
    store: Store, kind: str, a: str, b: str | None = None, note: str | None = None
) -> int:
    """Record a manual merge or split; returns its id. Takes effect at the next resolve."""
    if kind not in ("merge", "split"):
        raise ConfigError(f"unknown override {kind!r}: use merge or split")
    if kind == "merge" and not b:
        raise ConfigError("a merge needs two entity ids")
    wanted = list(filter(None, (a, b)))
    entities = {eid: e for eid in wanted if (e := store.get_entity(eid)) is not None}
    unknown = [eid for eid in wanted if eid not in entities]
    if unknown:
        raise ConfigError(
            f"override refused, nothing changed: no listing {', '.join(map(repr, unknown))} "
            "in the current list versions"
        )
    if kind == "merge" and b:
        _check_merge(store, a, b, entities[a].listing.dataset, entities[b].listing.dataset)
    with store.begin() as conn:
        conn.execute(delete(ct.overrides).where(_pair_clause(a, b)))
        row = conn.execute(
            insert(ct.overrides).values(
                kind=kind,
                entity_a=a,
                entity_b=b,
                note=note,
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        ).inserted_primary_key
        assert row is not None  # an INSERT of one row always has its key
        return int(row[0])


def _check_merge(store: Store, a: str, b: str, dataset_a: str, dataset_b: str) -> None:
    """Refuse a merge that would put two listings of one list in one cluster."""
    refused = "merge refused, nothing changed: "
    if dataset_a == dataset_b:
        raise ConfigError(
            f"{refused}{a} and {b} are both listings of {dataset_a}; two listings of one "
            "list are never merged (only the authority can link them)"
        )
    with store.connect() as conn:
        where = dict(
            conn.execute(
                select(ct.members.c.entity_id, ct.members.c.cluster_id).where(
                    ct.members.c.entity_id.in_([a, b])
                )
            ).all()
        )
        if len(where) < 2 or where[a] == where[b]:
            return
        rows = conn.execute(
            select(ct.members.c.entity_id, ct.members.c.cluster_id, ct.members.c.dataset).where(
                ct.members.c.cluster_id.in_([where[a], where[b]])
            )
        ).all()
    side: dict[str, dict[str, str]] = {where[a]: {}, where[b]: {}}
    for eid, cid, dataset in rows:
        side[cid].setdefault(dataset, eid)
    common = sorted(set(side[where[a]]) & set(side[where[b]]))
    if common:
        ds = common[0]
        raise ConfigError(
            f"{refused}it would put {side[where[a]][ds]} and {side[where[b]][ds]}, two listings "
            f"of {ds}, in one cluster (through {a} and {b}); split one of them off first"
        )


def list_overrides(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return [
            dict(r._mapping) for r in conn.execute(select(ct.overrides).order_by(ct.overrides.c.id))
        ]


def remove_override(store: Store, override_id: int) -> None:
    with store.begin() as conn:
        if conn.execute(delete(ct.overrides).where(ct.overrides.c.id == override_id)).rowcount == 0:
            raise ConfigError(f"no override #{override_id}")


def _undated(dataset: str, listed_on: str | None) -> str:
    if listed_on:
        return listing_field(dataset)
    if dataset in NO_LISTING_DATE:
        return NO_LISTING_DATE[dataset]
    return f"no date in the file: {listing_field(dataset)} absent"


def get_cluster(store: Store, ref: str) -> dict[str, Any]:
    """A cluster (by cluster id or by the id of one of its listings) with every listing."""
    with store.connect() as conn:
        cid = conn.execute(select(ct.clusters.c.id).where(ct.clusters.c.id == ref)).scalar()
        if cid is None:
            cid = conn.execute(
                select(ct.members.c.cluster_id).where(ct.members.c.entity_id == ref)
            ).scalar()
        if cid is None:
            raise ConfigError(f"no cluster or listing {ref!r} (run `sanctions resolve` first?)")
        head = conn.execute(select(ct.clusters).where(ct.clusters.c.id == cid)).one()
        rows = conn.execute(select(ct.members).where(ct.members.c.cluster_id == cid)).all()
    as_of = as_of_dates(store)
    listings = []
    for row in sorted(rows, key=lambda r: (r.reason != "seed", r.entity_id)):
        entity = store.get_entity(row.entity_id)
        names = [n.to_dict() for n in entity.names] if entity is not None else []
        listed_on, basis = listing_date(entity) if entity is not None else (row.listed_on, None)
        listings.append(
            {
                "id": row.entity_id,
                "dataset": row.dataset,
                "schema": row.schema,
                "caption": row.caption,
                "names": names,
                "birth_dates": json.loads(row.birth_dates),
                "programmes": json.loads(row.programmes),
                "regimes": [c for c in row.regimes.split(",") if c],
                "listed_on": listed_on,
                "listed_on_field": basis or _undated(row.dataset, listed_on),
                "first_seen": row.first_seen,  # first version of this store holding it
                "as_of": as_of.get(row.dataset),
                "joined": {
                    "reason": row.reason,
                    "via": row.via,
                    "detail": row.detail,
                    "score": row.score,
                    # name links: strong name, mutual best, margin, rare token, regimes, type
                    "evidence": json.loads(row.evidence) if row.evidence else None,
                },
            }
        )
    return {**dict(head._mapping), "listings": listings}
