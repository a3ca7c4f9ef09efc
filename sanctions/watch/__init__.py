"""Continuous screening of watched records: records, runs (full and delta), alerts, decisions.

The public surface is :class:`Watch` (one object over a store) and the data
classes it returns. See ``docs/watch.md`` for the behaviour in full.
"""

from __future__ import annotations

from .alerts import ALERT_STATUSES, DECISIONS, Alert, Decision, canonical_status
from .importer import DEFAULT_MAX_REMOVAL_SHARE, ColumnMap, ImportOptions, ImportRefused
from .reconcile import RunReport
from .records import ImportReport, RecordChange, WatchedRecord
from .service import Watch

__all__ = [
    "ALERT_STATUSES",
    "DEFAULT_MAX_REMOVAL_SHARE",
    "DECISIONS",
    "canonical_status",
    "Alert",
    "ColumnMap",
    "Decision",
    "ImportOptions",
    "ImportRefused",
    "ImportReport",
    "RecordChange",
    "RunReport",
    "WatchedRecord",
    "Watch",
]
