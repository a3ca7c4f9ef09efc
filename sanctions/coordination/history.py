"""Dates from the version history: when each version was published, when a listing first appeared."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sanctions.store import Store

__all__ = ["version_date", "version_date_basis", "first_seen_dates"]

_DATE = re.compile(r"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})")


def version_date(version: Any) -> str:
    """The date a version stands for: its published date, a date in its file name, or its load date."""
    return version_date_basis(version)[0]


def version_date_basis(version: Any) -> tuple[str, str]:
    """The date a version stands for and where it is from: ``published``, ``file name``, ``loaded``.

    Only the first two say how old the list is; a load date says when this store got it.
    """
    if getattr(version, "published", None):
        return str(version.published)[:10], "published"
    m = _DATE.search(str(getattr(version, "source_file", "") or ""))
    if m:
        return m[1], "file name"
    return str(version.loaded_at)[:10], "loaded"


def first_seen_dates(store: Store, datasets: Iterable[str] | None = None) -> dict[str, str]:
    """Entity id -> date of the first version of its dataset that held it."""
    versions = {v.id: v for v in store.versions()}
    if datasets is not None:
        wanted = set(datasets)
        versions = {k: v for k, v in versions.items() if v.dataset in wanted}
    seq_of = {vid: (v.dataset, v.seq) for vid, v in versions.items()}
    by_seq = {(v.dataset, v.seq): version_date(v) for v in versions.values()}
    return {eid: by_seq[(ds, seq)] for eid, ds, seq in store.first_listed(seq_of)}
