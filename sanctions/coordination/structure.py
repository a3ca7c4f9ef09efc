"""Deciding name links with the evidence of the lists' structure.

The matcher scores each candidate pair (:func:`~sanctions.coordination.linking.score_pair`);
this module decides which scored pairs become links, looking at all of them at
once. A pair is linked when either

* its **base rule** holds (the matcher's score, which includes dates of birth
  and nationalities, clears the conservative bar of
  :data:`~sanctions.coordination.linking.NAME_THRESHOLDS`), or
* it has no date of birth to go on (a person listed without one on either
  side, an organisation, a vessel) and the **structure** supports it, every one of:

  - a strong name agreement (score >= :data:`STRUCTURE_FLOOR`),
  - *mutual best*: each listing is the other's best match in the other's list,
  - a *margin*: the runner-up of either listing in the other list scores at
    least :data:`MARGIN` less,
  - a *rare name token*: an aligned token that at most :data:`RARE_LISTINGS`
    listings of each list carry (``Abdullah`` or ``Kim`` is not distinctive),
  - *regimes* in common (the normalised programme codes of :mod:`programmes`;
    ``Al-Qaida`` and ``SDGT`` share ``AQ``/``TERR``),
  - the same *type* (person, organisation, vessel, aircraft),
  - no *document conflict*: not both naming passport numbers (also those written
    only in notes) with none in common.

For a person with no date of birth to go on, the base rule needs *mutual best* too: the
name must pick the other listing out of its list. A tie is a guess and links neither
(two Kim Yong Chols of one list). Organisations keep the base rule alone: an authority
that lists a charity's branches under one name makes ties that are harmless. Candidates rank by
score, then primary names aligned, then regimes in common (the UK lists one person
once per regime: the UN's Iran listing goes with the UK's listing under its Iran
nuclear regime, not the one under Iran human rights).

A pair under the regimes of two different countries, none in common (a ministry of
defence listed under North Korea and one listed under Syria), ranks as if its name
agreed :data:`REGIME_CONFLICT_PENALTY` less, and is not linked by the base rule's name
score alone: it also needs mutual best and a rare token (an IRGC organisation listed by
Australia under its Ukraine regime and by OFAC under Iran keeps its link; "Ministry of
Defence" does not). Conflicts (dates of birth, genders, IMO/BIC/LEI numbers,
nationalities) have already ruled a pair out before it is scored. Every link records
which of these held (``evidence``), for ``sanctions cluster`` and its JSON.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from .linking import NAME_THRESHOLDS, Link, Scored
from .programmes import country_regimes_conflict
from .strong_keys import ListingFacts

__all__ = [
    "Scored",
    "STRUCTURE_FLOOR",
    "MARGIN",
    "RARE_LISTINGS",
    "REGIME_CONFLICT_PENALTY",
    "token_frequencies",
    "decide_links",
    "describe_evidence",
]

# The strong name agreement a structural link needs (the matcher's score, 0-1).
STRUCTURE_FLOOR = {"person_no_dob": 0.90, "other": 0.88, "other_regime": 0.88}
MARGIN = 0.05
# Ranking candidates, one under another country's regime counts as this much less alike
# (North Korea's ministry of defence: Syria's "Ministry of Defence" at 1.0 ranks below the
# UK's "Ministry of the People's Armed Forces" at 0.97).
REGIME_CONFLICT_PENALTY = 0.10
RARE_LISTINGS = 3
_TYPES = {"Person": "person", "Vessel": "vessel", "Airplane": "aircraft", "LegalEntity": "any"}


def token_frequencies(
    tokens: Iterable[tuple[str, Iterable[str]]],
) -> dict[str, Counter[str]]:
    """Per dataset: in how many of its listings each name token appears."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for dataset, listing_tokens in tokens:
        out[dataset].update(set(listing_tokens))
    return out


def _type(schema: str) -> str:
    return _TYPES.get(schema, "organisation")


def _same_type(fa: ListingFacts, fb: ListingFacts) -> bool:
    ta, tb = _type(fa.schema), _type(fb.schema)
    return ta == tb or "any" in (ta, tb)


def _rarest(
    pair: Scored, fa: ListingFacts, fb: ListingFacts, df: dict[str, Counter[str]]
) -> int | None:
    """The fewest listings of either list that carry an aligned token pair (None: no pair)."""
    dfa, dfb = df[fa.dataset], df[fb.dataset]
    counts = [
        max(dfa.get(x, 0), dfb.get(y, 0))
        for x, y in set(pair.matched)
        if len(x) >= 3 and len(y) >= 3
    ]
    return min(counts) if counts else None


class _Rankings:
    """For each listing and each other list: its scored pairs, best first."""

    def __init__(self, scored: Iterable[Scored], facts: dict[str, ListingFacts]) -> None:
        by: dict[tuple[str, str], list[tuple[float, int, int, str, float]]] = defaultdict(list)
        for pair in scored:
            fa, fb = facts[pair.a], facts[pair.b]
            common = len(fa.regimes & fb.regimes)
            # a candidate under another country's regime ranks as if its name agreed less
            conflict = country_regimes_conflict(fa.regimes, fb.regimes)
            rank = round(pair.score - (REGIME_CONFLICT_PENALTY if conflict else 0.0), 6)
            by[(pair.a, fb.dataset)].append((rank, pair.primary, common, pair.b, pair.score))
            by[(pair.b, fa.dataset)].append((rank, pair.primary, common, pair.a, pair.score))
        self.by = {k: sorted(v, key=lambda t: (-t[0], -t[1], -t[2], t[3])) for k, v in by.items()}

    def standing(self, eid: str, dataset: str, other: str) -> tuple[bool, float | None]:
        """(``other`` is ``eid``'s strict best in ``dataset``, the runner-up's score).

        Best by score, then by primary names aligned (a primary-name match beats an
        alias match of the same score), then by regimes in common (a list that lists
        one subject once per regime: the listing under the same regimes is the one);
        a tie on all three is no best at all."""
        ranked = self.by.get((eid, dataset), [])
        if not ranked or ranked[0][3] != other:
            return False, ranked[0][4] if ranked else None
        if len(ranked) == 1:
            return True, None
        return ranked[1][:3] < ranked[0][:3], ranked[1][4]


def _base_holds(pair: Scored, fa: ListingFacts, fb: ListingFacts) -> bool:
    if pair.score < NAME_THRESHOLDS[pair.rule]:
        return False
    if pair.rule == "person_no_dob":  # the old bar: a nationality or a regime in common
        return bool(fa.countries & fb.countries) or bool(fa.regimes & fb.regimes)
    return True


def _may_link(pair: Scored) -> bool:
    """Whether the pair's score clears the bar of its base rule or of the structure (a
    pair below both never links, whatever else holds)."""
    return pair.score >= min(NAME_THRESHOLDS[pair.rule], STRUCTURE_FLOOR.get(pair.rule, 2.0))


def evidence_of(
    pair: Scored,
    fa: ListingFacts,
    fb: ListingFacts,
    rankings: _Rankings,
    df: dict[str, Counter[str]],
) -> dict[str, Any]:
    """Which structural supports hold for a scored pair, and whether it links."""
    best_a, runner_a = rankings.standing(pair.a, fb.dataset, pair.b)
    best_b, runner_b = rankings.standing(pair.b, fa.dataset, pair.a)
    runners = [r for r in (runner_a, runner_b) if r is not None]
    runner = max(runners) if runners else None
    margin = round(pair.score - (runner or 0.0), 4)
    rarest = _rarest(pair, fa, fb, df)
    regimes = sorted(fa.regimes & fb.regimes)
    checks = {
        "strong_name": pair.score >= STRUCTURE_FLOOR.get(pair.rule, 2.0),
        "mutual_best": best_a and best_b,
        "margin": margin >= MARGIN,
        "rare_token": rarest is not None and rarest <= RARE_LISTINGS,
        "regimes": bool(regimes),
        "same_type": _same_type(fa, fb),
        "no_document_conflict": not (
            fa.documents and fb.documents and not fa.documents & fb.documents
        ),
    }
    conflict = country_regimes_conflict(fa.regimes, fb.regimes)
    # A person with no date of birth to go on: the name must also pick the other listing
    # out of its list (a tie is a guess: two Kim Yong Chols). Organisations keep the base
    # rule alone (an authority lists a charity's branches under one name: any of them is
    # the charity). Under two countries' regimes the tokens must be rare too.
    base = (
        _base_holds(pair, fa, fb)
        and (pair.rule != "person_no_dob" or checks["mutual_best"])
        and (not conflict or (checks["mutual_best"] and checks["rare_token"]))
    )
    structural = pair.rule in STRUCTURE_FLOOR and all(checks.values())
    return {
        "rule": pair.rule,
        "base_rule": base,
        "structure": structural,
        "checks": checks,
        "margin": margin,
        "runner_up": runner,
        "rarest_token_listings": rarest,
        "common_regimes": regimes,
        "country_regimes_conflict": conflict,
    }


def describe_evidence(evidence: dict[str, Any]) -> str:
    """One line: which supports held (for the link's detail)."""
    checks = evidence["checks"]
    held = [k.replace("_", " ") for k, ok in checks.items() if ok]
    missing = [k.replace("_", " ") for k, ok in checks.items() if not ok]
    how = "base rule" if evidence["base_rule"] else "structure"
    if evidence.get("country_regimes_conflict"):
        how += " (regimes of different countries: mutual best and a rare token held)"
    text = f"linked by {how}; held: {', '.join(held) or 'none'}"
    if missing:
        text += f"; not held: {', '.join(missing)}"
    runner = evidence["runner_up"]
    return text + f" (margin {evidence['margin']:.2f} over runner-up {runner or 'none'})"


def decide_links(
    scored: Iterable[Scored],
    facts: dict[str, ListingFacts],
    df: dict[str, Counter[str]],
) -> list[Link]:
    """The scored pairs that become name links, each with its evidence."""
    pairs = [p for p in scored if p.a in facts and p.b in facts]
    rankings = _Rankings(pairs, facts)
    links = []
    for pair in pairs:
        if not _may_link(pair):  # a runner-up only: its evidence is not needed
            continue
        fa, fb = facts[pair.a], facts[pair.b]
        evidence = evidence_of(pair, fa, fb, rankings, df)
        if not (evidence["base_rule"] or evidence["structure"]):
            continue
        detail = f"{pair.detail} | {describe_evidence(evidence)}"
        links.append(Link(pair.a, pair.b, "name", detail, pair.score, pair.primary, evidence))
    return links
