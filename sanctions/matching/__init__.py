"""Matching: normalisation, name alignment, dates, identifiers, the index and scoring.

The public surface is small: :func:`compare_records` and :class:`MatchIndex`
with their inputs (:class:`Record`, :func:`record_from_entity`), the default
threshold and the algorithm's name and version.
"""

from __future__ import annotations

from .index import MatchIndex
from .score import (
    ALGORITHM,
    ALGORITHM_VERSION,
    DEFAULT_THRESHOLD,
    Record,
    Score,
    compare_records,
    record_from_entity,
    schemata_compatible,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "DEFAULT_THRESHOLD",
    "MatchIndex",
    "Record",
    "Score",
    "compare_records",
    "record_from_entity",
    "schemata_compatible",
]
