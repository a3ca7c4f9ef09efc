"""Read the resolved clusters as subjects, for screening and watch alerts by subject.

:func:`load_subjects` turns the ``coordination_members`` table into a
:class:`~sanctions.screening.subjects.SubjectMap` for the list versions being
screened. Clusters are used only for the lists resolved at their current
version: a list loaded since the last ``sanctions resolve`` (stale) or never
resolved has its listings shown as their own subjects, and the map's ``note``
says so in one line. Grouping never drops a listing: at worst a subject shows
as several.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from sanctions.screening.subjects import SubjectListing, SubjectMap
from sanctions.store import Store

from . import tables as ct

__all__ = ["load_subjects", "subject_of_listing"]

_CACHE: dict[Any, SubjectMap] = {}
_LOCK = threading.Lock()


def _current(store: Store, versions: Iterable[Any] | None) -> dict[str, int]:
    if versions is None:
        versions = [d.current for d in store.datasets() if d.current is not None]
    return {v.dataset: v.id for v in versions}


def _note(current: dict[str, int], state: dict[str, Any], fresh: set[str]) -> str | None:
    if fresh == set(current):
        return None
    if not fresh:
        return (
            "no current clusters (run `sanctions resolve`): every listing is shown as its own "
            "subject"
        )
    stale = sorted(ds for ds in current if ds not in fresh and ds in state)
    unresolved = sorted(ds for ds in current if ds not in state)
    parts = []
    if stale:
        parts.append(f"changed since the last resolve: {', '.join(stale)}")
    if unresolved:
        parts.append(f"never resolved: {', '.join(unresolved)}")
    return (
        f"clusters are not current for some lists ({'; '.join(parts)}): their listings are "
        "shown as their own subjects (run `sanctions resolve`)"
    )


def _listings(rows: Iterable[Any]) -> Iterable[tuple[str, SubjectListing]]:
    """(cluster id, listing) of member rows; programme lists parsed once per distinct text."""
    parsed: dict[str, tuple[str, ...]] = {}
    for entity_id, cluster_id, dataset, caption, schema, text, listed_on in rows:
        programmes = parsed.get(text or "[]")
        if programmes is None:
            programmes = parsed[text or "[]"] = tuple(json.loads(text or "[]"))
        yield cluster_id, SubjectListing(entity_id, dataset, caption, schema, programmes, listed_on)


def load_subjects(store: Store, versions: Iterable[Any] | None = None) -> SubjectMap:
    """The subjects of the current clusters, for lists resolved at these versions.

    ``versions`` are the list versions screened (default: the store's current
    ones). The map is cached until the clusters or the versions change.
    """
    current = _current(store, versions)
    m = ct.members
    with store.connect() as conn:
        state = {r.dataset: (r.version_id, r.resolved_at) for r in conn.execute(select(ct.state))}
        fresh = {ds for ds, vid in current.items() if state.get(ds, (None,))[0] == vid}
        key = (store.url, tuple(sorted(current.items())), tuple(sorted(state.items())))
        with _LOCK:
            cached = _CACHE.get(key)
        if cached is not None:
            return cached
        columns = (m.c.entity_id, m.c.cluster_id, m.c.dataset, m.c.caption, m.c.schema)
        query = select(*columns, m.c.programmes, m.c.listed_on).where(
            m.c.dataset.in_(sorted(fresh))
        )
        query = query.order_by(m.c.cluster_id, m.c.dataset, m.c.entity_id)
        rows = conn.execute(query).all() if fresh else []
    note = _note(current, {ds: v for ds, (v, _) in state.items()}, fresh)
    by_cluster: dict[str, list[SubjectListing]] = {}
    for cluster_id, listing in _listings(rows):
        by_cluster.setdefault(cluster_id, []).append(listing)
    subject_of: dict[str, str] = {}
    listings: dict[str, tuple[SubjectListing, ...]] = {}
    for cluster_id, members in by_cluster.items():  # ordered by list, then id
        listings[cluster_id] = tuple(members)
        for listing in members:
            subject_of[listing.entity_id] = cluster_id
    subjects = SubjectMap(subject_of, listings, note)
    with _LOCK:
        _CACHE.clear()  # one generation per process is enough: the previous one is stale
        _CACHE[key] = subjects
    return subjects


def subject_of_listing(
    store: Store, entity_id: str
) -> tuple[str, tuple[SubjectListing, ...], str | None]:
    """(subject id, its listings, a note when its clusters are not current) of one listing."""
    subjects = load_subjects(store)
    subject_id = subjects.subject_of(entity_id)
    return subject_id, subjects.members(subject_id), subjects.note
