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

import dataclasses
import random
import re
from collections import defaultdict
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sanctions.errors import ConfigError
from sanctions.matching import Record
from sanctions.store import Store

from .clustering import Cluster
from .resolve import compute_links, load_inputs, name_links_of, resolve_listings
from .strong_keys import ListingFacts, normalise_un_ref

__all__ = [
    "CONDITIONS",
    "RecallReport",
    "strip_evidence",
    "un_linked_pairs",
    "evaluate_hidden_un",
    "sample_merged",
]

EVAL_DATASETS = ("un_sc_sanctions", "gb_hmt_sanctions", "us_ofac_sdn", "au_dfat_sanctions")
REFERENCE = "un_sc_sanctions"
_CURRENT_REF = re.compile(r"^[A-Z]{2}[IE]\.\d{3}$")
# Evidence conditions: what the lists other than the UN's keep (the UN list keeps all).
CONDITIONS = {
    "all": "every field the lists give (UN reference hidden)",
    "no_dob": "dates of birth removed",
    "names_regime": "names, aliases, type and programme only",
}


def strip_evidence(
    facts: dict[str, ListingFacts],
    records: MutableMapping[str, Record],
    condition: str,
    keep: Iterable[str] = (REFERENCE,),
) -> None:
    """Remove evidence from the listings of every dataset but ``keep`` (in place).

    ``no_dob`` drops dates of birth; ``names_regime`` keeps only the names and
    aliases (all scripts), the type and the programmes: no dates, genders,
    nationalities, identifiers or keys, as a government's press-release rendering
    of a list would give.
    """
    if condition not in CONDITIONS:
        raise ConfigError(f"unknown evidence condition {condition!r}: use {', '.join(CONDITIONS)}")
    if condition == "all":
        return
    kept = set(keep)
    for eid, fact in facts.items():
        if fact.dataset in kept:
            continue
        fact.birth_dates = []
        record = records.get(eid)
        changes: dict[str, Any] = {"dates": []}
        if condition == "names_regime":
            fact.countries, fact.gender, fact.keys = frozenset(), None, set()
            fact.documents = frozenset()
            changes |= {"countries": frozenset(), "gender": None, "identifiers": frozenset()}
        if record is not None:
            records[eid] = dataclasses.replace(record, **changes)


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
    condition: str = "all"
    linked_pairs: int = 0  # cross-dataset pairs put in one cluster, both citing a UN reference
    wrong: list[tuple[str, str, str, str]] = field(default_factory=list)  # (ref a, ref b, a, b)
    missed: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, a, b)
    found_pairs: list[tuple[str, str, str]] = field(default_factory=list)  # (ref, a, b)
    result_clusters: list[Cluster] = field(default_factory=list, repr=False)

    @property
    def recall(self) -> float:
        return self.found / self.pairs if self.pairs else 1.0

    @property
    def one_to_one_recall(self) -> float:
        return self.one_to_one_found / self.one_to_one_pairs if self.one_to_one_pairs else 1.0

    @property
    def wrong_rate(self) -> float:
        """Wrong links among the checkable links (both listings cite a UN reference)."""
        return len(self.wrong) / self.linked_pairs if self.linked_pairs else 0.0


def _un_refs(store: Store, datasets: Iterable[str]) -> dict[str, tuple[str, set[str]]]:
    """Listing id -> (dataset, the UN references it cites)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for entity in store.iter_entities(list(datasets)):
        refs = {r for r in map(normalise_un_ref, entity.get("unscId")) if r}
        if refs:
            out[entity.id] = (entity.listing.dataset, refs)
    return out


def un_linked_pairs(
    store: Store, datasets: Iterable[str]
) -> dict[tuple[str, str], tuple[str, bool]]:
    """Cross-dataset pairs sharing a UN reference -> (reference, one-to-one?)."""
    cited: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for eid, (dataset, refs) in _un_refs(store, datasets).items():
        for ref in refs:
            cited[ref].append((eid, dataset))
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


def _checkable(refs: dict[str, tuple[str, set[str]]]) -> dict[str, tuple[str, set[str]]]:
    """The listings whose references can judge a link: each one a current-form reference
    (``QDi.244``; not the UK's annex numbers ``E.29.I.9``) that its list cites once."""
    per_dataset: dict[tuple[str, str], int] = defaultdict(int)
    for dataset, cited in refs.values():
        for ref in cited:
            per_dataset[(dataset, ref)] += 1
    return {
        eid: (dataset, cited)
        for eid, (dataset, cited) in refs.items()
        if all(_CURRENT_REF.match(r) and per_dataset[(dataset, r)] == 1 for r in cited)
    }


def _wrong_links(
    clusters: list[Cluster], refs: dict[str, tuple[str, set[str]]]
) -> tuple[int, list[tuple[str, str, str, str]]]:
    """(checkable cross-dataset pairs in one cluster, those citing no reference in common)."""
    checked, wrong = 0, []
    refs = _checkable(refs)
    for cluster in clusters:
        cited = sorted(e for e in cluster.entity_ids if e in refs)
        for a, b in combinations(cited, 2):
            (da, ra), (db, rb) = refs[a], refs[b]
            if da == db:
                continue
            checked += 1
            if not ra & rb:
                wrong.append((",".join(sorted(ra)), ",".join(sorted(rb)), a, b))
    return checked, wrong


def evaluate_hidden_un(
    store: Store, datasets: Iterable[str] = EVAL_DATASETS, condition: str = "all"
) -> RecallReport:
    """Resolve with UN references hidden (and evidence stripped by ``condition``);
    recall of the pairs that share one, and the wrong links among checkable ones."""
    names = list(datasets)
    facts, records, _ = load_inputs(store, names, hidden=("unsc",))
    strip_evidence(facts, records, condition)
    strong, scored, _ = compute_links(facts, records)
    name_links = name_links_of(scored, facts, records)
    clusters = resolve_listings(facts, strong + name_links)
    where = {m.entity_id: c.id for c in clusters for m in c.members}
    truth = un_linked_pairs(store, names)
    found = [p for p in truth if where.get(p[0]) == where.get(p[1])]
    missed = sorted((truth[p][0], *p) for p in truth if p not in set(found))
    one = [p for p, (_ref, unique) in truth.items() if unique]
    checked, wrong = _wrong_links(clusters, _un_refs(store, names))
    return RecallReport(
        datasets=names,
        listings=len(facts),
        clusters=len(clusters),
        merged=sum(1 for c in clusters if len(c.members) > 1),
        pairs=len(truth),
        found=len(found),
        one_to_one_pairs=len(one),
        one_to_one_found=sum(1 for p in one if where.get(p[0]) == where.get(p[1])),
        condition=condition,
        linked_pairs=checked,
        wrong=wrong,
        missed=missed,
        found_pairs=sorted((truth[p][0], *p) for p in found),
        result_clusters=clusters,
    )


def sample_merged(clusters: list[Cluster], n: int = 100, seed: int = 6) -> list[Cluster]:
    """A reproducible random sample of the clusters with more than one listing."""
    merged = sorted((c for c in clusters if len(c.members) > 1), key=lambda c: min(c.entity_ids))
    return random.Random(seed).sample(merged, min(n, len(merged)))
