"""Continuous screening of watched records: records, runs (full and delta), alerts, decisions.

The public surface is :class:`Watch` (one object over a store) and the data
classes it returns. See ``docs/watch.md`` for the behaviour in full.
"""

from __future__ import annotations

from .alerts import ALERT_STATUSES, DECISIONS, Alert, Decision
from .importer import ColumnMap
from .reconcile import RunReport
from .records import ImportReport, RecordChange, WatchedRecord
from .service import Watch

__all__ = [
    "ALERT_STATUSES",
    "DECISIONS",
    "Alert",
    "ColumnMap",
    "Decision",
    "ImportReport",
    "RecordChange",
    "RunReport",
    "WatchedRecord",
    "Watch",
]
