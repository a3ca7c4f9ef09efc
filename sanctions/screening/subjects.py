"""Screening by subject: the listings of one real-world subject answered as one result.

A *subject* is a cluster of listings across lists (found by cross-list
resolution, :mod:`sanctions.coordination`), or a single listing that is in no
cluster. :class:`SubjectMap` says which subject each listing belongs to and
what the subject's listings are; the coordination layer fills it from its
tables (:func:`sanctions.coordination.subjects.load_subjects`), this module
only groups a screening result with it:

* the best-scoring listing of a subject leads its result, followed by every
  other listing of the subject the query also matched (best first);
* the subject as a whole carries its datasets, jurisdictions, programmes and
  listing dates (of every listing, matched or not);
* a listing whose subject is unknown (no cluster, or clusters stale for its
  list) is its own subject: grouping never drops a listing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctions.sources.registry import REGISTRY

from .screener import Match, Screener, ScreeningResult

__all__ = [
    "GROUPS",
    "SubjectListing",
    "SubjectMap",
    "SubjectResult",
    "SubjectScreening",
    "group_matches",
    "jurisdiction_of",
    "screen_by_subject",
]

GROUPS = ("listing", "subject")  # the ways a screening result can be grouped
_LABELS = {"gb": "UK"}  # jurisdiction codes written otherwise than upper-cased
FETCH_PER_SUBJECT = 10  # listings fetched per subject asked for (a subject is on <= 10 lists)
MAX_FETCH = 500


def jurisdiction_of(dataset: str) -> str:
    """The jurisdiction that publishes a dataset, as an analyst writes it (``UK``, ``US``...)."""
    source = REGISTRY.get(dataset)
    code = source.jurisdiction if source is not None else dataset.split("_", 1)[0]
    if source is None and len(code) != 2:
        return dataset  # a dataset id without a jurisdiction prefix: named as it is
    return _LABELS.get(code, code.upper())


@dataclass(frozen=True)
class SubjectListing:
    """One listing of a subject, as the subject's summary needs it."""

    entity_id: str
    dataset: str
    caption: str
    schema: str
    programmes: tuple[str, ...] = ()
    listed_on: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entity_id,
            "dataset": self.dataset,
            "jurisdiction": jurisdiction_of(self.dataset),
            "caption": self.caption,
            "schema": self.schema,
            "programmes": list(self.programmes),
            "listed_on": self.listed_on,
        }


@dataclass
class SubjectMap:
    """Which subject each listing belongs to, and each subject's listings.

    ``note`` says in one line why some listings are not grouped (clusters
    missing, or stale for some lists); their listings are their own subjects.
    """

    subject_of_entity: dict[str, str] = field(default_factory=dict)
    listings: dict[str, tuple[SubjectListing, ...]] = field(default_factory=dict)
    note: str | None = None

    def subject_of(self, entity_id: str) -> str:
        """The subject id of a listing (its own id when it is in no known cluster)."""
        return self.subject_of_entity.get(entity_id, entity_id)

    def members(self, subject_id: str) -> tuple[SubjectListing, ...]:
        return self.listings.get(subject_id, ())


def _listing_of_match(match: Match) -> SubjectListing:
    record = match.record
    return SubjectListing(
        entity_id=record.id,
        dataset=record.datasets[0] if record.datasets else "",
        caption=record.caption,
        schema=record.schema,
        programmes=tuple(record.properties.get("program", ())),
    )


@dataclass
class SubjectResult:
    """One subject: its matched listings (the lead first) and the subject as a whole."""

    subject_id: str
    matches: list[Match]
    listings: tuple[SubjectListing, ...]  # every listing of the subject, matched or not

    @property
    def lead(self) -> Match:
        return self.matches[0]

    @property
    def match(self) -> bool:
        return any(m.score.match for m in self.matches)

    @property
    def datasets(self) -> list[str]:
        return sorted({listing.dataset for listing in self.listings})

    @property
    def jurisdictions(self) -> list[str]:
        return sorted({jurisdiction_of(ds) for ds in self.datasets})

    @property
    def programmes(self) -> list[str]:
        return sorted({p for listing in self.listings for p in listing.programmes})

    @property
    def listed_on(self) -> dict[str, str]:
        """The earliest listing date each dataset gives (datasets without one left out)."""
        out: dict[str, str] = {}
        for listing in self.listings:
            if listing.listed_on and listing.listed_on < out.get(listing.dataset, "9999"):
                out[listing.dataset] = listing.listed_on
        return dict(sorted(out.items()))

    @property
    def unmatched(self) -> list[SubjectListing]:
        """The subject's listings the query did not match (at or above the cutoff)."""
        matched = {m.record.id for m in self.matches}
        return [x for x in self.listings if x.entity_id not in matched]

    def to_dict(self) -> dict[str, Any]:
        lead = self.lead
        return {
            "subject_id": self.subject_id,
            "caption": lead.record.caption,
            "schema": lead.record.schema,
            "score": lead.score.score,
            "match": self.match,
            "lead": lead.record.id,
            "listings": [m.to_dict() for m in self.matches],
            "other_listings": [x.to_dict() for x in self.unmatched],
            "datasets": self.datasets,
            "jurisdictions": self.jurisdictions,
            "programmes": self.programmes,
            "listed_on": self.listed_on,
        }


def group_matches(matches: Iterable[Match], subjects: SubjectMap) -> list[SubjectResult]:
    """Matches (best first) grouped by subject, in the order of each subject's best listing."""
    groups: dict[str, list[Match]] = {}
    for match in matches:
        groups.setdefault(subjects.subject_of(match.record.id), []).append(match)
    out = []
    for subject_id, found in groups.items():
        members = subjects.members(subject_id)
        known = {x.entity_id for x in members}
        extra = tuple(_listing_of_match(m) for m in found if m.record.id not in known)
        out.append(SubjectResult(subject_id, found, members + extra))
    return out


@dataclass
class SubjectScreening:
    """The result of one query grouped by subject."""

    result: ScreeningResult
    subjects: list[SubjectResult]
    note: str | None = None

    @property
    def matches(self) -> list[SubjectResult]:
        return [s for s in self.subjects if s.match]

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        data.pop("results")
        data["group"] = "subject"
        data["subjects"] = [s.to_dict() for s in self.subjects]
        if self.note:
            data["subject_note"] = self.note
        return data


def screen_by_subject(
    screener: Screener,
    query: Any,
    subjects: SubjectMap,
    limit: int = 5,
    cutoff: float | None = None,
    threshold: float | None = None,
) -> SubjectScreening:
    """The ``limit`` best subjects for a query, each with every listing the query matched."""
    fetch = min(MAX_FETCH, max(limit * FETCH_PER_SUBJECT, 50))
    result = screener.screen(query, threshold=threshold, limit=fetch, cutoff=cutoff)
    grouped = group_matches(result.results, subjects)[:limit]
    return SubjectScreening(result, grouped, subjects.note)
