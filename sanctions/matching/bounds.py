"""Upper bounds of scores: what the index prunes with, exported once for every user.

A name alignment (:func:`alignment.align_score`) adds, for each query token it
aligns, the pair's similarity times the query token's weight, and divides by
at least the query name's total weight; caps and penalties only lower it.
So, if every query token met its most similar listed token, the score could
not exceed

    (sum of best similarity x weight over the query's tokens of 2+ letters
     + the weight of the query's one-letter tokens (an initial meets an equal one at 1.0)
     + INITIAL_SIMILARITY x W_INITIAL for each one-letter token of the listed name)
    / the query name's total weight

(:meth:`NameBound.value`). A listed record can only match when one of its
names reaches ``name_floor(threshold)``: the threshold less the most that
evidence beside the names can add (:func:`max_secondary_gain`; a strong
identifier in common is found by the identifier look-up instead).

The index (:class:`~sanctions.matching.MatchIndex`) prunes its candidates with
this bound, and the watch delta prefilter asks the same question the other
way round (watched records against new list entries) through the same
functions. The constants are read from the scoring modules *when called*, so
a change of weights moves every bound with it; a property test checks on real
list names that no pair the full path alerts on falls under the bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import dates, forms, score, similarity

__all__ = [
    "NameBound",
    "candidate_initial_slack",
    "max_secondary_gain",
    "name_floor",
    "name_tokens",
    "query_initial_weight",
    "ceiling_of",
    "loose_ceilings",
    "score_ceiling",
    "secondary_bounds",
]

CEILING_MARGIN = 2e-4  # rounding of each contribution to 4 places, and float32 bounds


def max_secondary_gain() -> float:
    """The most that dates of birth and countries can add to a name score."""
    return _max_date_gain() + max(0.0, score.COUNTRY_MATCH)


def _max_date_gain() -> float:
    return max(0.0, dates.TYPO_DELTA, *dates.DATE_DELTAS.values())


def name_floor(threshold: float) -> float:
    """The name score a record needs (at least) to reach ``threshold`` without identifiers."""
    return max(0.0, threshold - max_secondary_gain())


def score_ceiling(query: Any, cand: Any, name_bound: float) -> float:
    """The most ``cand`` can score against ``query`` when its names score at most
    ``name_bound`` (what :func:`score.score_value` gives).

    The evidence beside the names (:func:`secondary_bounds`) is known exactly:
    what takes away (dates of birth apart, countries or genders that differ)
    always counts; what adds (dates and countries that agree) only when the
    names reach :data:`score.CONFIRM_FLOOR`. :data:`CEILING_MARGIN` is added for
    rounding: a record whose ceiling is under a score found already cannot reach
    or tie it (the top-k stop of :func:`finder.search`).
    """
    always, confirmed = secondary_bounds(query, cand)
    return ceiling_of(name_bound, always, confirmed)


def ceiling_of(name_bound: float, always: float, confirmed: float) -> float:
    """:func:`score_ceiling` from a name bound and the two parts of :func:`secondary_bounds`."""
    ceiling = name_bound + CEILING_MARGIN
    if ceiling < score.CONFIRM_FLOOR:
        return max(0.0, ceiling + always)  # a score is never under 0
    return max(0.0, ceiling + always + confirmed)


def loose_ceilings(name_bounds: np.ndarray) -> np.ndarray:
    """:func:`ceiling_of` of each name bound whatever the evidence beside the names: nothing
    taken away, :func:`max_secondary_gain` added where the names may reach
    :data:`score.CONFIRM_FLOOR` (cheap enough for every candidate, before the evidence is
    looked at)."""
    ceilings = np.asarray(name_bounds, dtype=np.float64) + CEILING_MARGIN
    ceilings[ceilings >= score.CONFIRM_FLOOR] += max_secondary_gain()
    return ceilings


def secondary_bounds(query: Any, cand: Any) -> tuple[float, float]:
    """What the evidence beside the names adds to ``cand``'s score against ``query``
    whatever its names score, and what it adds more once they reach
    :data:`score.CONFIRM_FLOOR`: the contributions of :func:`score.score_value`
    (dates of birth, countries, gender, identifiers in common), worked out without
    aligning a name. A test checks on real lists that no score exceeds its ceiling."""
    always = confirmed = 0.0
    found = dates.compare_dates(query.dates, cand.dates)
    if found.outcome != "absent":
        if found.delta < 0:
            always += found.delta
        else:
            confirmed += found.delta
    if query.countries and cand.countries:
        if query.countries.isdisjoint(cand.countries):
            always += score.COUNTRY_MISMATCH
        else:
            confirmed += max(0.0, score.COUNTRY_MATCH)
    if query.gender and cand.gender and query.gender != cand.gender:
        always += score.GENDER_MISMATCH
    if not query.identifiers.isdisjoint(cand.identifiers):
        always += max(0.0, score.IDENTIFIER_MATCH, score.STRONG_IDENTIFIER_MATCH)
    return always, confirmed


def query_initial_weight(form: forms.NameForm) -> float:
    """The most the query name's one-letter tokens can add (before dividing by its weight)."""
    return sum(w for t, w in zip(form.tokens, form.weights, strict=True) if len(t) == 1)


def candidate_initial_slack(initials: int) -> float:
    """The most a listed name's ``initials`` one-letter tokens can add against any query.

    Each meets at most one query token, at :data:`similarity.INITIAL_SIMILARITY` and
    a weight capped at :data:`forms.W_INITIAL`; the index holds no one-letter
    tokens, so they are allowed for apart.
    """
    return initials * similarity.INITIAL_SIMILARITY * forms.W_INITIAL


def name_tokens(record: Any) -> set[str]:
    """Every token and joined token pair (2+ letters) of a record's names: the index vocabulary."""
    return {text for form in record.names for _s, _e, text in form.spans if len(text) > 1}


@dataclass(frozen=True, slots=True)
class NameBound:
    """A query name reduced to what its score bound needs (small enough to cache by the 100,000)."""

    total: float
    initials: float
    weights: tuple[float, ...]
    spans: tuple[tuple[int, int, str], ...]

    @classmethod
    def of(cls, form: forms.NameForm) -> NameBound:
        spans = tuple((s, e, text) for s, e, text in form.spans if len(text) > 1)
        total = form.total_weight or 1.0
        return cls(total, query_initial_weight(form), tuple(form.weights), spans)

    def value(self, best: Mapping[str, float], listed_initials: int | None = 0) -> float:
        """The bound when each query token (span) meets a listed one at most ``best[text]``.

        ``listed_initials``: the most one-letter tokens the listed name may have
        (``None``: unknown, as many as can meet this name's tokens).
        """
        tops = [0.0] * len(self.weights)
        for start, end, text in self.spans:
            sim = best.get(text)
            if sim:
                for i in range(start, end):
                    if sim > tops[i]:
                        tops[i] = sim
        return self.from_tops(tops, listed_initials)

    def from_tops(self, tops: Sequence[float], listed_initials: int | None = 0) -> float:
        """The bound from each query token's best similarity (``tops``, one per token)."""
        aligned = sum(t * w for t, w in zip(tops, self.weights, strict=True))
        # Each listed initial meets a different query token: no more of them count.
        size = len(self.weights)
        slack = candidate_initial_slack(
            size if listed_initials is None else min(listed_initials, size)
        )
        return (aligned + self.initials + slack) / self.total


def count_initials(forms: Iterable[forms.NameForm]) -> list[int]:
    """The number of one-letter tokens of each name form."""
    return [sum(1 for t in form.tokens if len(t) == 1) for form in forms]
