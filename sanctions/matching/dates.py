"""Comparison of dates of birth that keeps their precision.

A date is an interval: ``1952`` is the whole year, ``1952-10`` the month,
``circa 1952`` widens by a year on each side, a range ``1950 to 1954`` is its
span. Two dates agree when their intervals meet; they disagree otherwise. An
absent date is no evidence at all (never a penalty).

Outcomes and what they add to a score:

============== ======= =====================================================
outcome        delta   when
============== ======= =====================================================
exact          +0.06   same day, both precise to the day
compatible     +0.03   intervals meet (year-only, month-only, circa, range)
near           -0.04   off by at most one year
near (typo)     0      written alike but for one digit, one day apart, or day
                       and month swapped (``1978-10-20`` / ``1978-10-19``,
                       ``1943`` / ``1942``): a likely typo, no evidence either
                       way (:data:`TYPO_DELTA`; the outcome stays ``near``)
contradiction  -0.20   further apart
far            -0.35   more than three years apart: enough to put a name-only
                       agreement (1.0) below the default threshold, unless an
                       identifier agrees
absent          0      either side has no date
============== ======= =====================================================
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sanctions.model import FuzzyDate, parse_date

__all__ = [
    "DateEvidence",
    "compare_dates",
    "date_interval",
    "to_fuzzy_dates",
    "DATE_DELTAS",
    "TYPO_DELTA",
]

DATE_DELTAS = {
    "exact": 0.06,
    "compatible": 0.03,
    "near": -0.04,
    "contradiction": -0.20,
    "far": -0.35,
    "absent": 0.0,
}
TYPO_DELTA = 0.0  # a "near" date one keystroke away: most likely the same date mistyped
_RANK = {"exact": 5, "compatible": 4, "near": 3, "contradiction": 2, "far": 1, "absent": 0}
FAR_DAYS = 3 * 366  # dates further apart than this are two different people


@dataclass(frozen=True)
class DateEvidence:
    outcome: str
    delta: float
    detail: str


def _bounds(value: str, end: bool) -> date:
    parts = [int(p) for p in value.split("-")]
    year = parts[0]
    if len(parts) == 1:
        return date(year, 12, 31) if end else date(year, 1, 1)
    month = parts[1]
    if len(parts) == 2:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, last) if end else date(year, month, 1)
    return date(year, month, min(parts[2], calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=100_000)
def date_interval(fuzzy: FuzzyDate) -> tuple[date, date]:
    """The first and last day a fuzzy date may mean."""
    lo = _bounds(fuzzy.value, end=False)
    hi = _bounds(fuzzy.end or fuzzy.value, end=True)
    if fuzzy.circa:
        lo = lo.replace(year=max(1, lo.year - 1), day=min(lo.day, 28))
        hi = hi.replace(year=hi.year + 1, day=min(hi.day, 28))
    return lo, hi


@lru_cache(maxsize=100_000)
def _compare_one(q: FuzzyDate, c: FuzzyDate) -> str:
    if q.precision == "day" and c.precision == "day" and not q.end and not c.end:
        if q.value == c.value:
            return "exact"
        qy, qm, qd = q.value.split("-")
        cy, cm, cd = c.value.split("-")
        if qy == cy and qm == cd and qd == cm:
            return "near"
    try:
        qlo, qhi = date_interval(q)
        clo, chi = date_interval(c)
    except ValueError:
        return "absent"
    if qlo <= chi and clo <= qhi:
        return "exact" if q.value == c.value and q.precision == "day" else "compatible"
    gap = (clo - qhi).days if clo > qhi else (qlo - chi).days
    if gap <= 366:
        return "near"
    return "contradiction" if gap <= FAR_DAYS else "far"


def compare_dates(query: Iterable[FuzzyDate], candidate: Iterable[FuzzyDate]) -> DateEvidence:
    """The best agreement between any query date and any listed date."""
    qs = [d for d in query if d.prop == "birthDate"]
    cs = [d for d in candidate if d.prop == "birthDate"]
    if not qs or not cs:
        return DateEvidence("absent", 0.0, "no date of birth to compare")
    best, pair, typo = "absent", (qs[0], cs[0]), False
    for q in qs:
        for c in cs:
            outcome = _compare_one(q, c)
            if _RANK[outcome] > _RANK[best] or (
                outcome == best == "near" and not typo and _typo(q, c)
            ):
                best, pair = outcome, (q, c)
                typo = outcome == "near" and _typo(q, c)
    if best == "absent":
        return DateEvidence("absent", 0.0, "dates of birth could not be compared")
    detail = f"birth date {_show(pair[0])} vs listed {_show(pair[1])}: {best}"
    if typo:
        return DateEvidence(best, TYPO_DELTA, detail + " (one digit apart: a likely typo)")
    return DateEvidence(best, DATE_DELTAS[best], detail)


def _typo(q: FuzzyDate, c: FuzzyDate) -> bool:
    """Are two dates of one precision written alike but for one digit, one day apart, or
    with day and month swapped (``1982-09-26`` / ``1982-08-26``, ``1943`` / ``1942``)?"""
    if q.end or c.end or q.circa or c.circa or len(q.value) != len(c.value):
        return False
    if sum(a != b for a, b in zip(q.value, c.value, strict=True)) == 1:
        return True
    if not q.precision == c.precision == "day":
        return False
    q_day, c_day = date_interval(q)[0], date_interval(c)[0]
    return abs((q_day - c_day).days) == 1 or q.value.split("-")[1:] == c.value.split("-")[:0:-1]


def _show(d: FuzzyDate) -> str:
    text = d.value + (f" to {d.end}" if d.end else "")
    return f"circa {text}" if d.circa else text


def to_fuzzy_dates(values: Iterable[str], prop: str = "birthDate") -> list[FuzzyDate]:
    """Parse date strings as a query gives them; unparseable ones are skipped."""
    out = []
    for value in values:
        try:
            parsed = parse_date(value, prop=prop)
        except ValueError:
            parsed = None
        if parsed is not None:
            out.append(parsed)
    return out
