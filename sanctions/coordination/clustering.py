"""Clusters from links: constrained union-find, reasons, stable ids.

Links are applied strongest first (manual merges, authority links, UN
reference, IMO, LEI, BIC, documents, registrations, then names by score). A
link that would put two listings of the same dataset in one cluster is refused
(only authority links may; a manual merge that would do it is refused when it is
made, and one made before the lists changed is not applied), and so is one that would join
two listings a manual split keeps apart. The accepted links form a spanning
tree of each cluster: every member's *reason* is the link that attached it to
its parent, walking from the cluster's seed (its UN listing if it has one,
else its smallest id).

Cluster ids are stable: a new cluster's id is ``c-`` and 12 hex digits of the
SHA-256 of its smallest member id at the time it is created. On recomputation
each new cluster inherits the id of the previous cluster it shares the most
members with (each old id goes to one successor at most), so an id survives
members joining and leaving; only a cluster with no member in common with any
previous cluster gets a newly minted id.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .linking import Link

__all__ = ["Member", "Cluster", "build_clusters", "assign_ids", "mint_id", "SEED_PRIORITY"]

SEED_PRIORITY = ("un_sc_sanctions",)


@dataclass
class Member:
    entity_id: str
    dataset: str
    reason: str = "seed"
    via: str | None = None
    detail: str | None = None
    score: float | None = None
    evidence: dict[str, Any] | None = None  # name links: which structural supports held


@dataclass
class Cluster:
    id: str
    members: list[Member] = field(default_factory=list)

    @property
    def entity_ids(self) -> list[str]:
        return [m.entity_id for m in self.members]

    @property
    def datasets(self) -> list[str]:
        return sorted({m.dataset for m in self.members})


class _Union:
    """Union-find that tracks each root's datasets, members and forbidden partners."""

    def __init__(self, datasets: Mapping[str, str], apart: Iterable[tuple[str, str]]) -> None:
        self.parent = {eid: eid for eid in datasets}
        self.datasets = {eid: {ds} for eid, ds in datasets.items()}
        self.members = {eid: {eid} for eid in datasets}
        self.forbidden: dict[str, set[str]] = defaultdict(set)
        for a, b in apart:
            if a in self.parent and b in self.parent:
                self.forbidden[a].add(b)
                self.forbidden[b].add(a)

    def find(self, eid: str) -> str:
        root = eid
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[eid] != root:
            self.parent[eid], eid = root, self.parent[eid]
        return root

    def _apart(self, ra: str, rb: str) -> bool:
        small, big = sorted((ra, rb), key=lambda r: len(self.members[r]))
        return any(self.forbidden.get(m, set()) & self.members[big] for m in self.members[small])

    def union(self, a: str, b: str, same_dataset_ok: bool) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if not same_dataset_ok and self.datasets[ra] & self.datasets[rb]:
            return False
        if self._apart(ra, rb):
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.datasets[ra] |= self.datasets.pop(rb)
        self.members[ra] |= self.members.pop(rb)
        return True


def build_clusters(
    datasets: Mapping[str, str],
    links: Iterable[Link],
    apart: Iterable[tuple[str, str]] = (),
    isolated: Iterable[str] = (),
) -> list[Cluster]:
    """Cluster listings (``entity id -> dataset``) by links, under the constraints."""
    alone = set(isolated)
    union = _Union(datasets, apart)
    accepted: dict[str, list[Link]] = defaultdict(list)
    for link in sorted(links, key=lambda k: (*k.rank, k.a, k.b)):
        if link.a not in datasets or link.b not in datasets:
            continue
        manual = link.kind == "manual"
        if not manual and (link.a in alone or link.b in alone):
            continue
        if union.union(link.a, link.b, same_dataset_ok=link.kind == "authority"):
            accepted[link.a].append(link)
            accepted[link.b].append(link)
    groups: dict[str, list[str]] = defaultdict(list)
    for eid in datasets:
        groups[union.find(eid)].append(eid)
    return [
        _spanning(sorted(ids), datasets, accepted)
        if len(ids) > 1
        else Cluster(id="", members=[Member(ids[0], datasets[ids[0]])])  # most: alone
        for ids in groups.values()
    ]


def _seed(ids: list[str], datasets: Mapping[str, str]) -> str:
    for dataset in SEED_PRIORITY:
        for eid in ids:
            if datasets[eid] == dataset:
                return eid
    return ids[0]


def _spanning(
    ids: list[str], datasets: Mapping[str, str], accepted: Mapping[str, list[Link]]
) -> Cluster:
    seed = _seed(ids, datasets)
    members = {seed: Member(seed, datasets[seed])}
    queue = deque([seed])
    while queue:
        current = queue.popleft()
        for link in accepted.get(current, ()):
            other = link.b if link.a == current else link.a
            if other in members:
                continue
            members[other] = Member(
                other, datasets[other], link.kind, current, link.detail, link.score, link.evidence
            )
            queue.append(other)
    ordered = [members[seed]] + sorted(
        (m for eid, m in members.items() if eid != seed), key=lambda m: m.entity_id
    )
    return Cluster(id="", members=ordered)


def mint_id(smallest_member: str, taken: set[str]) -> str:
    """A new cluster id from the smallest member id (salted on the rare collision)."""
    salt = 0
    while True:
        text = smallest_member if salt == 0 else f"{smallest_member}#{salt}"
        cid = "c-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
        if cid not in taken:
            return cid
        salt += 1


def assign_ids(clusters: list[Cluster], previous: Mapping[str, str]) -> list[Cluster]:
    """Give each cluster its predecessor's id (most members in common) or a new one."""
    votes: list[tuple[int, str, int]] = []
    for idx, cluster in enumerate(clusters):
        counts = Counter(previous[e] for e in cluster.entity_ids if e in previous)
        votes.extend((-n, old, idx) for old, n in counts.items())
    taken: set[str] = set()
    for _n, old, idx in sorted(votes):
        if clusters[idx].id or old in taken:
            continue
        clusters[idx].id = old
        taken.add(old)
    taken |= set(previous.values())
    for cluster in clusters:
        if not cluster.id:
            cluster.id = mint_id(min(cluster.entity_ids), taken)
            taken.add(cluster.id)
    return clusters
