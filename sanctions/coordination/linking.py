"""Finding links between listings: strong keys first, then names with the matcher.

Candidate generation (blocking) is kept apart from scoring, as in the matcher:

1. **Strong keys** (:mod:`keys`): listings of different datasets sharing a key
   are linked, unless the pair contradicts itself (a person and a company, two
   dates of birth far apart, a document number with no country in common). A
   key that one dataset gives to several of its listings is ambiguous: it only
   links when the names agree too.
2. **Names + date of birth + nationality**: candidate pairs are listings of
   different datasets that share a blocking key (a distinctive name token and a
   year of birth, or two distinctive name tokens); each is scored with the
   matcher's :func:`~sanctions.matching.score.compare_records` (:func:`score_pair`);
   which scored pairs link is decided for all of them at once by
   :func:`~sanctions.coordination.structure.decide_links` (base thresholds, or the
   lists' structure: mutual best, margin, rare tokens, regimes, type).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rigour.territories import territories_intersect

from sanctions.matching import (
    NO_FREQUENCIES,
    Record,
    Score,
    compare_records,
    schemata_compatible,
)
from sanctions.matching.dates import compare_dates, date_interval
from sanctions.matching.names import (
    STRONG,
    SimilarityRow,
    schema_kind,
    thresholded_similarity,
)

from .records import name_tokens
from .strong_keys import GENERIC_KINDS, KEY_LABELS, STRONG_KINDS, ListingFacts

log = logging.getLogger(__name__)

__all__ = [
    "Link",
    "LINK_RANK",
    "NAME_THRESHOLDS",
    "key_links",
    "authority_links",
    "candidate_pairs",
    "Scored",
    "score_pair",
    "scored_pairs",
    "countries_conflict",
]

# Order in which links are applied when clustering (lower first).
LINK_RANK = {"manual": 0, "authority": 1} | {k: 2 + i for i, k in enumerate(STRONG_KINDS)}
LINK_RANK["name"] = 2 + len(STRONG_KINDS)

# Conservative thresholds on the matcher's score (which includes date and country evidence).
NAME_THRESHOLDS = {
    "person_dob": 0.86,  # both dates of birth given and agreeing
    "person_near": 0.92,  # dates of birth a day (or up to a year) apart: near-identical names
    "person_no_dob": 0.98,  # a date missing: near-identical names, a country or regime in common
    "other": 0.96,  # organisations, vessels, aircraft: near-identical names, no country conflict
    "other_regime": 0.90,  # the same, listed under a common regime
}
AMBIGUOUS_KEY_FLOOR = 0.90  # a key shared within one dataset links only with near-identical names
EXCLUSIVE_KINDS = ("imo", "bic", "lei")  # one per subject: two different values contradict
MAX_KEY_GROUP = 12
MAX_BUCKET = 40
MAX_YEAR_SPAN = 3
# rapidfuzz token_set_ratio (0-100) of the best name pair that the matcher is run on.
PREFILTER = {
    "person_dob": 68.0,
    "person_near": 85.0,
    "person_no_dob": 85.0,
    "other": 85.0,
    "other_regime": 80.0,
}
TOP_FORMS = 4  # the matcher aligns only the best few name-form pairs (a lower bound of its score)


@dataclass(frozen=True)
class Link:
    """Evidence that two listings are the same subject (``a < b``)."""

    a: str
    b: str
    kind: str  # manual | authority | unsc | imo | lei | bic | document | registration | name
    detail: str
    score: float | None = None
    primary: int = 0  # name links: how many of the two aligned names are primary names
    # name links: which structural supports held (see :mod:`structure`)
    evidence: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def rank(self) -> tuple[int, float, int]:
        """Sort key: kind, then score, then primary-name links before alias links."""
        return (LINK_RANK[self.kind], -(self.score or 0.0), -self.primary)


@dataclass(frozen=True)
class Scored:
    """A candidate pair the matcher scored (``a < b``), kept between runs."""

    a: str
    b: str
    score: float
    rule: str  # which base rule applies: person_dob | person_near | person_no_dob | other...
    detail: str
    primary: int = 0
    matched: tuple[tuple[str, str], ...] = ()  # aligned (token of a, token of b)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "primary": self.primary, "matched": list(self.matched)}

    @classmethod
    def from_row(cls, a: str, b: str, score: float, detail: str, data: dict[str, Any]) -> Scored:
        matched = tuple((str(x), str(y)) for x, y in data.get("matched", ()))
        return cls(a, b, score, str(data["rule"]), detail, int(data.get("primary", 0)), matched)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _contradiction(
    fa: ListingFacts,
    fb: ListingFacts,
    ra: Record | None,
    rb: Record | None,
    near_ok: bool = False,
) -> str | None:
    """Why two listings cannot be one subject, or None."""
    why = _facts_contradiction(fa, fb)
    if why is None and ra is not None and rb is not None:
        outcome = compare_dates(ra.dates, rb.dates).outcome
        if outcome in ("contradiction", "far") or (outcome == "near" and not near_ok):
            return f"dates of birth {outcome}"
    return why


def _facts_contradiction(fa: ListingFacts, fb: ListingFacts) -> str | None:
    """Why two listings cannot be one subject by their types, genders or IMO/BIC/LEI."""
    if not (
        schemata_compatible(fa.schema, fb.schema) and schemata_compatible(fb.schema, fa.schema)
    ):
        return f"{fa.schema} vs {fb.schema}"
    if fa.gender and fb.gender and fa.gender != fb.gender:
        return "gender"
    if fa.keys and fb.keys:
        for kind in EXCLUSIVE_KINDS:
            va = {v for k, v in fa.keys if k == kind}
            vb = {v for k, v in fb.keys if k == kind}
            if va and vb and not va & vb:
                return f"different {KEY_LABELS[kind]}"
    return None


class _Row(SimilarityRow):
    """A query token's similarities to listed tokens, memoised across all pairs."""

    __slots__ = ("memo",)

    def __init__(self, token: str, memo: dict[str, float]) -> None:
        self.token = token
        self.memo = memo

    def get(self, other: str, default: float = 0.0) -> float:
        value = self.memo.get(other)
        if value is None:
            value = self.memo[other] = thresholded_similarity(self.token, other)
        return value or default


class CachedRows:
    """The matcher's row provider with every token similarity computed once per run."""

    def __init__(self) -> None:
        self.memo: dict[str, dict[str, float]] = {}

    def __call__(self, token: str, *_args: object) -> _Row:
        return _Row(token, self.memo.setdefault(token, {}))


def _score(ra: Record, rb: Record, rows: CachedRows | None = None) -> float:
    """The matcher's score without word frequencies (also in :func:`best_name_score`):
    name links have a rare-token rule of their own, and a pair's score must not move
    when another list changes (incremental resolution equals a full one)."""
    return compare_records(ra, rb, 1.0, rows or CachedRows(), frequencies=NO_FREQUENCIES).score


def key_links(facts: dict[str, ListingFacts], records: Mapping[str, Record]) -> Iterator[Link]:
    """Links through shared strong keys, across datasets."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for fact in facts.values():
        for key in sorted(fact.keys):  # a set's order varies between processes (string hashes)
            groups[key].append(fact.id)
    for (kind, value), ids in groups.items():
        if len(ids) < 2 or len(ids) > MAX_KEY_GROUP:
            continue
        per_dataset: dict[str, int] = defaultdict(int)
        for eid in ids:
            per_dataset[facts[eid].dataset] += 1
        ambiguous = any(n > 1 for n in per_dataset.values())
        if ambiguous and kind in GENERIC_KINDS:
            continue
        for a, b in combinations(sorted(ids), 2):
            link = _key_link(facts[a], facts[b], records, kind, value, ambiguous)
            if link is not None:
                yield link


def _key_link(
    fa: ListingFacts,
    fb: ListingFacts,
    records: Mapping[str, Record],
    kind: str,
    value: str,
    ambiguous: bool,
) -> Link | None:
    if fa.dataset == fb.dataset:
        return None
    ra, rb = records.get(fa.id), records.get(fb.id)
    if _contradiction(fa, fb, ra, rb):
        return None
    if kind in GENERIC_KINDS and fa.countries and fb.countries and not fa.countries & fb.countries:
        return None
    detail = f"same {KEY_LABELS[kind]} {value}"
    if ambiguous:
        if ra is None or rb is None or (score := _score(ra, rb)) < AMBIGUOUS_KEY_FLOOR:
            return None
        detail += f" (cited by several listings of one list; names agree, score {score:.2f})"
    return Link(fa.id, fb.id, kind, detail, 1.0)


def authority_links(
    facts: dict[str, ListingFacts], records: Mapping[str, Record]
) -> Iterator[Link]:
    """Listings of ONE dataset that the authority itself links: the same UN reference
    number on both, with names the matcher agrees on (an authority citing a reference
    by mistake on unrelated listings links nothing)."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for fact in facts.values():
        for kind, value in sorted(fact.keys):
            if kind == "unsc":
                groups[(fact.dataset, value)].append(fact.id)
    for (_dataset, value), ids in groups.items():
        if not 2 <= len(ids) <= MAX_KEY_GROUP:
            continue
        for a, b in combinations(sorted(ids), 2):
            ra, rb = records.get(a), records.get(b)
            if ra is None or rb is None or _contradiction(facts[a], facts[b], ra, rb):
                continue
            score = _score(ra, rb)
            if score >= AMBIGUOUS_KEY_FLOOR:
                yield Link(a, b, "authority", f"both cite UN reference {value}; names agree", score)


# -- names: blocking ------------------------------------------------------------------


def _birth_years(record: Record) -> list[int]:
    years: set[int] = set()
    for fuzzy in record.dates:
        if fuzzy.prop != "birthDate":
            continue
        try:
            lo, hi = date_interval(fuzzy)
        except ValueError:
            continue
        if hi.year - lo.year <= MAX_YEAR_SPAN:
            years.update(range(lo.year, hi.year + 1))
    return sorted(years)


def blocking_keys(record: Record) -> set[tuple[object, ...]]:
    """Blocking keys of a record: distinctive tokens with a birth year, token pairs."""
    kind = schema_kind(record.schema)
    years = _birth_years(record) if kind == "person" else []
    keys: set[tuple[object, ...]] = set()
    for form in record.names:
        strong = sorted(
            {
                t
                for t, w in zip(form.tokens, form.weights, strict=True)
                if w >= STRONG and len(t) >= 2
            }
        )
        for token in strong:
            for year in years:
                keys.add(("y", token, year))
        for pair in combinations(strong[:8], 2):
            keys.add(("p", kind, *pair))
        if len(strong) == 1:
            keys.add(("s", kind, strong[0]))
    return keys


def candidate_pairs(
    records: Mapping[str, Record],
    datasets: dict[str, str],
    dirty: set[str] | None = None,
) -> set[tuple[str, str]]:
    """Pairs of records of different datasets sharing a blocking key (touching ``dirty``)."""
    # Incremental: only the buckets of the dirty records' keys can give a pair.
    # Every key holds a name token: a record none of whose tokens is in a wanted key
    # cannot share one (most records, after an update of one list).
    wanted = None
    tokens: set[object] = set()
    if dirty is not None:
        wanted = {key for rid in dirty if rid in records for key in blocking_keys(records[rid])}
        tokens = {part for key in wanted for part in key[1:] if isinstance(part, str)}
    buckets: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for rid in records:
        if wanted is not None and tokens.isdisjoint(name_tokens(records, rid)):
            continue  # (the record is not even unpickled: see .records)
        for key in blocking_keys(records[rid]):
            if wanted is None or key in wanted:
                buckets[key].append(rid)
    pairs: set[tuple[str, str]] = set()
    skipped = 0
    for ids in buckets.values():
        if len(ids) < 2:
            continue
        if len(ids) > MAX_BUCKET:
            skipped += 1
            continue
        for a, b in combinations(ids, 2):
            if datasets[a] == datasets[b]:
                continue
            if dirty is not None and a not in dirty and b not in dirty:
                continue
            pairs.add(_pair(a, b))
    log.info("%d candidate pairs from %d buckets (%d too big)", len(pairs), len(buckets), skipped)
    return pairs


# -- names: scoring -------------------------------------------------------------------


def name_strings(record: Record) -> list[str]:
    """The folded names of a record, one string per name form (for the pre-filter)."""
    return [" ".join(form.tokens) for form in record.names]


def score_names(
    ra: Record,
    rb: Record,
    sa: list[str],
    sb: list[str],
    floor: float = 65.0,
    rows: CachedRows | None = None,
) -> Score | None:
    """The matcher's score on the few best name-form pairs, or None if no pair is close.

    A cheap rapidfuzz pre-filter picks the pairs; aligning fewer forms can only
    lower the matcher's score, so this never links more than the full comparison.
    """
    if not sa or not sb:
        return None
    sims = process.cdist(sa, sb, scorer=fuzz.token_set_ratio)
    if sims.max() < floor:
        return None
    # token_set_ratio rates a short name inside a long alias at 100: rank the pairs by
    # it plus the order-free whole-string ratio, so that the like-sized pair leads.
    rank = sims + process.cdist(sa, sb, scorer=fuzz.token_sort_ratio)
    best = np.argsort(-rank, axis=None, kind="stable")[:TOP_FORMS]
    qidx, cidx = np.unravel_index(best, sims.shape)
    query = dataclasses.replace(ra, names=[ra.names[i] for i in sorted(set(qidx.tolist()))])
    names = [rb.names[j] for j in sorted(set(cidx.tolist()))]
    return compare_records(query, rb, 1.0, rows or CachedRows(), names, NO_FREQUENCIES)


def countries_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both give countries and none is shared (a territory meets its country: hk ~ cn)."""
    return bool(a and b and not a & b and not territories_intersect(a, b))


def name_rule(fa: ListingFacts, fb: ListingFacts, ra: Record, rb: Record) -> str | None:
    """Which threshold of :data:`NAME_THRESHOLDS` applies to a pair (None: never link)."""
    if _facts_contradiction(fa, fb) is not None:
        return None
    # the dates of birth are compared once (as _contradiction would, a near pair allowed)
    outcome = compare_dates(ra.dates, rb.dates).outcome
    if outcome in ("contradiction", "far"):
        return None
    if countries_conflict(ra.countries, rb.countries):
        return None
    if schema_kind(ra.schema) != "person":
        return "other_regime" if fa.regimes & fb.regimes else "other"
    if not (ra.dates and rb.dates):
        return "person_no_dob"
    return "person_near" if outcome == "near" else "person_dob"


# Scored pairs below this are not kept: they neither link nor compete as runners-up.
SCORE_FLOOR = 0.70


def score_pair(
    fa: ListingFacts,
    fb: ListingFacts,
    ra: Record,
    rb: Record,
    strings: tuple[list[str], list[str]] | None = None,
    rows: CachedRows | None = None,
) -> Scored | None:
    """The matcher's score of a pair that nothing rules out, with the aligned tokens."""
    rule = name_rule(fa, fb, ra, rb)
    if rule is None:
        return None
    sa, sb = strings or (name_strings(ra), name_strings(rb))
    score = score_names(ra, rb, sa, sb, PREFILTER[rule], rows)
    if score is None or score.score < SCORE_FLOOR:
        return None
    parts = [f.detail for f in score.features if f.detail]
    detail = f"names/dates/countries score {score.score:.2f} ({rule}): " + "; ".join(parts)
    primary = 0
    matched: tuple[tuple[str, str], ...] = ()
    alignment = score.alignment
    if alignment is not None:
        kinds = (alignment.query.kind, alignment.candidate.kind)
        primary = sum(1 for k in kinds if k == "primary")
        matched = tuple(
            (x, y)
            for q, c, _sim in alignment.pairs
            for x, y in zip(q[2].split(), c[2].split(), strict=False)
        )
    return Scored(fa.id, fb.id, score.score, rule, detail, primary, matched)


# Scoring runs on several processes when there are at least this many pairs (a full run:
# 123k pairs), in chunks of PAIR_CHUNK; an incremental run's few hundred stay here.
PARALLEL_PAIRS = 20_000
PAIR_CHUNK = 2_000


def scored_pairs(
    facts: dict[str, ListingFacts],
    records: Mapping[str, Record],
    pairs: Iterable[tuple[str, str]],
    workers: int = 1,
) -> Iterator[Scored]:
    """Score candidate pairs with the matcher; keep those at or above :data:`SCORE_FLOOR`.

    With ``workers`` > 1 and many pairs, chunks of pairs are scored on forked
    processes that share ``facts`` and ``records``; the results and their order are
    those of one process."""
    ordered = sorted(pairs)
    if workers <= 1 or len(ordered) < PARALLEL_PAIRS:
        yield from _score_all((facts, records, CachedRows()), ordered)
        return
    from sanctions.screening.parallel import map_ordered

    chunks = [ordered[i : i + PAIR_CHUNK] for i in range(0, len(ordered), PAIR_CHUNK)]
    # Each worker keeps one memo of token similarities for all its chunks (a copy of this
    # empty one, made when it is forked); it ends with the worker.
    for chunk in map_ordered(_score_all, chunks, (facts, records, CachedRows()), workers):
        yield from chunk


def _score_all(
    state: tuple[dict[str, ListingFacts], Mapping[str, Record], CachedRows],
    pairs: list[tuple[str, str]],
) -> list[Scored]:
    facts, records, rows = state
    out = []
    strings: dict[str, list[str]] = {}
    for a, b in pairs:
        for rid in (a, b):
            if rid not in strings:
                strings[rid] = name_strings(records[rid])
        pair = score_pair(
            facts[a], facts[b], records[a], records[b], (strings[a], strings[b]), rows
        )
        if pair is not None:
            out.append(pair)
    return out
