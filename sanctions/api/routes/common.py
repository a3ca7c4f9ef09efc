"""Helpers shared by the route modules."""

from __future__ import annotations

from fastapi import HTTPException

from ..holder import IndexHolder, Snapshot

__all__ = ["TS_PATTERN", "require_snapshot"]

# yente's pattern for `changed_since`: a date, optionally with hours, minutes, seconds.
TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"


def require_snapshot(holder: IndexHolder) -> Snapshot:
    """The current index, or 503 (with Retry-After) while the first one is being built."""
    snapshot = holder.snapshot
    if snapshot is None:
        detail = "Index not ready yet: it is being built."
        if holder.error:
            detail = f"Index not ready: {holder.error}"
        raise HTTPException(503, detail=detail, headers={"Retry-After": "2"})
    return snapshot
