"""Typed explanations: one :class:`Feature` per piece of evidence behind a score.

A score is the sum of its features' contributions (clamped to [0, 1]). Each
feature says what it weighed (``feature``), how much (``contribution``), why in
words (``detail``), and the two values it compared (``query_value`` and
``candidate_value``, when there are two: the names aligned, the dates of
birth, the countries, the identifiers in common).

Three shapes, built from the same object:

* :meth:`Feature.to_dict`: our JSON shape, stored with alerts and printed by
  ``screen --json``: ``{feature, contribution, detail, query_value,
  candidate_value}`` (a name feature also keeps ``query_name`` and
  ``matched_name``, the keys of alerts stored before features were typed);
* :meth:`Feature.to_yente`: yente's ``FeatureResult``, ``{score, detail, query,
  candidate, weight}``; :func:`yente_explanations` keys a list of them by
  feature as yente's ``explanations``, :func:`yente_features` gives yente's
  older ``features`` map (feature -> contribution);
* :meth:`Feature.describe`: one line for people (``name +0.93: ...``).

:meth:`Feature.from_dict` reads the stored shape back (also the older one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Feature", "yente_explanations", "yente_features"]


@dataclass(frozen=True)
class Feature:
    """One piece of evidence and its contribution to a score."""

    feature: str  # name, birth_date, country, gender, identifier, schema
    contribution: float
    detail: str
    query_value: str | None = None
    candidate_value: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Our JSON shape (stored with alerts; ``screen --json``; ``/match`` explanations)."""
        data: dict[str, Any] = {
            "feature": self.feature,
            "contribution": self.contribution,
            "detail": self.detail,
        }
        if self.query_value is not None:
            data["query_value"] = self.query_value
        if self.candidate_value is not None:
            data["candidate_value"] = self.candidate_value
        if self.feature == "name" and self.query_value is not None:
            data["query_name"] = self.query_value
            data["matched_name"] = self.candidate_value
        return data

    def to_yente(self) -> dict[str, Any]:
        """yente's ``FeatureResult``: ``{score, detail, query, candidate, weight}``."""
        return {
            "score": float(self.contribution),
            "detail": self.detail,
            "query": self.query_value,
            "candidate": self.candidate_value,
            "weight": 1.0,
        }

    def describe(self) -> str:
        """One line for people: ``feature +0.00: detail``."""
        return f"{self.feature} {self.contribution:+.2f}: {self.detail}"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Feature:
        """A feature from :meth:`to_dict`'s shape (or the untyped one stored before it)."""
        query = data.get("query_value", data.get("query_name"))
        candidate = data.get("candidate_value", data.get("matched_name"))
        return cls(
            feature=str(data.get("feature", "feature")),
            contribution=float(data.get("contribution", 0.0)),
            detail=str(data.get("detail") or ""),
            query_value=None if query is None else str(query),
            candidate_value=None if candidate is None else str(candidate),
        )


def yente_explanations(features: Iterable[Feature]) -> dict[str, dict[str, Any]]:
    """yente's ``explanations``: feature -> result (a repeated feature gets ``_2``, ``_3``)."""
    out: dict[str, dict[str, Any]] = {}
    for item in features:
        key, n = item.feature, 2
        while key in out:  # never overwrite: a second explanation of the same feature
            key, n = f"{item.feature}_{n}", n + 1
        out[key] = item.to_yente()
    return out


def yente_features(features: Iterable[Feature]) -> dict[str, float]:
    """yente's older ``features`` map: feature -> contribution (summed when repeated)."""
    out: dict[str, float] = {}
    for item in features:
        out[item.feature] = round(out.get(item.feature, 0.0) + float(item.contribution), 6)
    return out
