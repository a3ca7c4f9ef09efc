"""Coordination: the same subject across the allies' lists, coverage, gaps and timelines.

* :class:`Resolver` clusters the listings of one real-world subject across lists
  (strong keys, then names + dates of birth + nationalities with the matcher),
  incrementally, with manual overrides (:func:`add_override`); :func:`refresh`
  resolves first when a list changed since the last resolve (the reports' CLI calls it);
* :func:`coverage`, :func:`gaps`, :func:`timeline` report on the clusters;
* :mod:`sanctions.coordination.plots` draws them (imported on demand: matplotlib);
* :mod:`sanctions.coordination.subjects` reads the clusters as subjects for
  screening and watch alerts by subject.
"""

from __future__ import annotations

from .overrides import add_override, get_cluster, list_overrides, remove_override
from .programmes import normalise_programme_filter, regime_codes
from .reports import Coverage, Gaps, Timeline, coverage, gaps, render_csv, timeline
from .resolve import Resolver, ResolveResult, ever_resolved, refresh, stale_datasets

__all__ = [
    "Resolver",
    "ResolveResult",
    "refresh",
    "stale_datasets",
    "ever_resolved",
    "add_override",
    "list_overrides",
    "remove_override",
    "get_cluster",
    "coverage",
    "gaps",
    "timeline",
    "render_csv",
    "Coverage",
    "Gaps",
    "Timeline",
    "regime_codes",
    "normalise_programme_filter",
]
