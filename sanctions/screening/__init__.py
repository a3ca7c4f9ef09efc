"""Screening: queries against the current lists (single, batch files, demo samples)."""

from __future__ import annotations

from .demo import demo_customers
from .query import (
    LIMITS,
    QueryError,
    QueryLimitError,
    QueryLimits,
    count_names,
    parse_query,
    query_entity,
)
from .screener import DEFAULT_LIMIT, Match, Screener, ScreeningResult
from .subjects import GROUPS, SubjectMap, SubjectScreening, screen_by_subject

__all__ = [
    "Screener",
    "ScreeningResult",
    "Match",
    "DEFAULT_LIMIT",
    "QueryError",
    "count_names",
    "QueryLimitError",
    "QueryLimits",
    "LIMITS",
    "parse_query",
    "query_entity",
    "demo_customers",
    "GROUPS",
    "SubjectMap",
    "SubjectScreening",
    "screen_by_subject",
]
