"""Measuring resolution against the UN reference numbers the lists carry.

The UN list, the UK lists and the EU list cite each listing's UN reference
number (``unscId``). Hiding those numbers from the resolver and checking that
the listings sharing one still end up together measures the recall of
everything else (documents, names, dates of birth, nationalities).

Ground truth: pairs of listings of *different* datasets that share a UN
reference. ``one_to_one`` pairs are those whose reference no dataset cites on
more than one listing; where a list cites one reference on several of its
listings (the 2018 UK list cites ``KPe.023`` on five different North Korean
companies) at most one of them can be the same subject as the UN listing.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .clustering import Cluster
from .keys import normalise_un_ref
from .resolve import compute_links, load_inputs, resolve_listings

__all__ = ["RecallReport", "un_linked_pairs", "evaluate_hidden_un", "sample_merged"]

EVAL_DATASETS = ("un_sc_sanctions", "gb_hmt_sanctions", "us_ofac_sdn", "au_dfat_sanctions")


@dataclass
class RecallReport:
    datasets: list[str]
    listings: int
    clusters: int
    merged: int
    pairs: int
    found: int
    one_to_one_pairs: int
    one_to_one_found: int
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, a, b)
    result_clusters: list[Cluster] = field(default_factory=list, repr=False)

    @property
    def recall(self) -> float:
        return self.found / self.pairs if self.pairs else 1.0

    @property
    def one_to_one_recall(self) -> float:
        return self.one_to_one_found / self.one_to_one_pairs if self.one_to_one_pairs else 1.0


def un_linked_pairs(store: Any, datasets: Iterable[str]) -> dict[tuple[str, str], tuple[str, bool]]:
    """Cross-dataset pairs sharing a UN reference -> (reference, one-to-one?)."""
    cited: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for entity in store.iter_entities(list(datasets)):
        for value in entity.get("unscId"):
            ref = normalise_un_ref(value)
            if ref:
                cited[ref].append((entity.id, entity.listing.dataset))
    pairs: dict[tuple[str, str], tuple[str, bool]] = {}
    for ref, items in cited.items():
        per_ds: dict[str, int] = defaultdict(int)
        for _eid, ds in items:
            per_ds[ds] += 1
        unique = all(n == 1 for n in per_ds.values())
        for (a, da), (b, db) in combinations(sorted(set(items)), 2):
            if da != db:
                pairs[(a, b)] = (ref, unique)
    return pairs


def evaluate_hidden_un(store: Any, datasets: Iterable[str] = EVAL_DATASETS) -> RecallReport:
    """Resolve with UN references hidden; recall of the pairs that share one."""
    names = list(datasets)
    facts, records, _ = load_inputs(store, names, hidden=("unsc",))
    strong, name_links, _ = compute_links(facts, records)
    clusters = resolve_listings(facts, strong + name_links)
    where = {m.entity_id: c.id for c in clusters for m in c.members}
    truth = un_linked_pairs(store, names)
    found = [p for p in truth if where.get(p[0]) == where.get(p[1])]
    missed = sorted((truth[p][0], *p) for p in truth if p not in set(found))
    one = [p for p, (_ref, unique) in truth.items() if unique]
    return RecallReport(
        datasets=names,
        listings=len(facts),
        clusters=len(clusters),
        merged=sum(1 for c in clusters if len(c.members) > 1),
        pairs=len(truth),
        found=len(found),
        one_to_one_pairs=len(one),
        one_to_one_found=sum(1 for p in one if where.get(p[0]) == where.get(p[1])),
        missed=missed,
        result_clusters=clusters,
    )


def sample_merged(clusters: list[Cluster], n: int = 100, seed: int = 6) -> list[Cluster]:
    """A reproducible random sample of the clusters with more than one listing."""
    merged = sorted((c for c in clusters if len(c.members) > 1), key=lambda c: min(c.entity_ids))
    return random.Random(seed).sample(merged, min(n, len(merged)))
