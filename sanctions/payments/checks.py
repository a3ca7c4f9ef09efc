"""The checks run on each message; each returns findings carrying the field path.

* :func:`check_names`: every party and agent name against every list (the
  :class:`~sanctions.screening.Screener`);
* :func:`check_bics`: every BIC against the listed ``swiftBic`` values (a listed
  8-character or ``XXX`` BIC covers every branch), and the country of the BIC;
* :func:`check_countries`: structured country fields against the embargo table;
* :func:`check_places`: names of embargoed countries and sanctioned regions in
  addresses and free text, ISO 3166-2 subdivision codes, listed BICs and IMO
  numbers written in free text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sanctions.matching import Record
from sanctions.screening import QueryError, Screener

from .model import BIC_RE, Kind, Payment, Value
from .names import NameCache, screen_name
from .policy import Policy
from .regions import Gazetteer, Place, PlaceMention, RegionTable
from .text import NameFinder

__all__ = [
    "Finding",
    "ListFacts",
    "check_bics",
    "check_countries",
    "check_names",
    "check_places",
    "check_text_names",
]

_BIC_TOKEN = re.compile(r"\b[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?\b")
_IMO = re.compile(r"\bIMO\W{0,3}(\d{7})\b", re.I)


@dataclass
class Finding:
    """Why a message is reviewed or held: what was found, where, and how sure."""

    check: str  # name, text_name, bic, country, region, vessel, unparsed
    path: str
    value: str
    action: str  # review or hold; cleared when a good-guy entry clears it
    score: float
    reason: str
    entity: dict[str, Any] | None = None
    regimes: list[str] = field(default_factory=list)
    explanations: list[dict[str, Any]] = field(default_factory=list)
    span: str = ""  # text_name: the words of the text that name the listed entity
    cleared: dict[str, Any] | None = None  # the good-guy entry: id, who, when, why, expires

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check": self.check,
            "path": self.path,
            "value": self.value,
            "action": self.action,
            "score": round(self.score, 4),
            "reason": self.reason,
        }
        if self.entity:
            data["entity"] = self.entity
        if self.regimes:
            data["regimes"] = self.regimes
        if self.explanations:
            data["explanations"] = self.explanations
        if self.span:
            data["span"] = self.span
        if self.cleared:
            data["cleared"] = self.cleared
        return data


def _entity(record: Record) -> dict[str, Any]:
    return {
        "id": record.id,
        "caption": record.caption,
        "schema": record.schema,
        "datasets": list(record.datasets),
        "hash": None,  # the store's content hash, filled in by PaymentScreener.screen
    }


class ListFacts:
    """Lookups over the listed records: BICs (head offices, branches) and IMO numbers."""

    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self._names: NameFinder | None = None
        self.heads: dict[str, list[Record]] = defaultdict(list)  # listed 8-char / XXX
        self.branches: dict[str, list[Record]] = defaultdict(list)  # listed 11-char branch
        self.branch_heads: dict[str, list[Record]] = defaultdict(list)
        self.imos: dict[str, list[Record]] = defaultdict(list)
        for record in records:
            for pool, value in record.identifiers:
                if pool == "bic" and len(value) == 8:
                    self.heads[value].append(record)
                elif pool == "bic":
                    self.branches[value].append(record)
                    self.branch_heads[value[:8]].append(record)
                elif pool == "imo":
                    self.imos[value].append(record)

    def names(self) -> NameFinder:
        """The gazetteer of listed names for free text, built on first use."""
        if self._names is None:
            self._names = NameFinder(self.records)
        return self._names

    def bic_hits(self, bic: str) -> tuple[str, list[Record]]:
        """(``listed`` | ``branch`` | ``""``, the listed records) for a BIC."""
        head = bic[:8]
        if head in self.heads:
            return "listed", self.heads[head]
        if len(bic) == 11 and bic in self.branches:
            return "listed", self.branches[bic]
        if head in self.branch_heads:
            return "branch", self.branch_heads[head]
        return "", []


def check_names(
    screener: Screener, policy: Policy, payment: Payment, cache: NameCache | None = None
) -> list[Finding]:
    """Every party and agent name against every list. ``cache`` keeps the screening of a
    name across messages (payment streams repeat their parties): the caller empties it
    when the lists change."""
    findings: list[Finding] = []
    limits = (policy.name_hold, policy.name_review, 3)
    for value in payment.of_kind(Kind.NAME):
        try:
            matches = screen_name(screener, value.text, value.schema, limits, cache)
        except QueryError as exc:
            reason = f"the name cannot be screened: {exc}"
            findings.append(Finding("name", value.path, value.text, policy.unparsed, 1.0, reason))
            continue
        for match in matches:
            score = match.score.score
            action = policy.name_action(score)
            if action == "pass":
                continue
            reason = f"{value.role or 'party'} name matches {match.record.caption} ({score:.2f})"
            findings.append(
                Finding(
                    "name",
                    value.path,
                    value.text,
                    action,
                    score,
                    reason,
                    _entity(match.record),
                    explanations=list(match.score.explanations),
                )
            )
    return findings


def _regimes(place: Place, policy: Policy) -> tuple[str, list[str]]:
    """The strongest level among the policy's regimes that cover the place, and those regimes."""
    covering = [r for r in policy.regimes if r in place.regimes]
    if not covering:
        return "", []
    level = "embargo" if any(place.regimes[r] == "embargo" for r in covering) else "restricted"
    return level, covering


def _country_finding(
    code: str, path: str, value: str, table: RegionTable, policy: Policy, why: str
) -> Finding | None:
    place = table.countries.get(code)
    if place is None:
        return None
    level, regimes = _regimes(place, policy)
    if not level:
        return None
    action = policy.countries[level]
    reason = f"{why} {code.upper()}: {level} ({', '.join(r.upper() for r in regimes)})"
    return Finding("country", path, value, action, 1.0, reason, regimes=regimes)


def check_bics(
    facts: ListFacts, table: RegionTable, policy: Policy, payment: Payment
) -> list[Finding]:
    findings: list[Finding] = []
    for value in payment.of_kind(Kind.BIC):
        findings += _bic_findings(facts, policy, value.path, value.text, value.role)
        country = _country_finding(
            value.text[4:6].lower(), value.path, value.text, table, policy, "BIC of"
        )
        if country:
            findings.append(country)
    return findings


def _bic_findings(
    facts: ListFacts, policy: Policy, path: str, bic: str, role: str
) -> list[Finding]:
    kind, records = facts.bic_hits(bic)
    if not kind:
        return []
    action = policy.bics[kind]
    out = []
    for record in records:
        what = "is listed" if kind == "listed" else "shares its head office with a listed branch"
        reason = f"{role or 'BIC'} {bic} {what}: {record.caption}"
        score = 1.0 if kind == "listed" else 0.8
        out.append(Finding("bic", path, bic, action, score, reason, _entity(record)))
    return out


def check_countries(table: RegionTable, policy: Policy, payment: Payment) -> list[Finding]:
    findings = []
    for value in payment.of_kind(Kind.COUNTRY):
        found = _country_finding(value.text, value.path, value.text, table, policy, "country")
        if found:
            findings.append(found)
    return findings


def _place_finding(
    mention: PlaceMention, value: Value, table: RegionTable, policy: Policy
) -> Finding | None:
    place, partial, words = mention.place, mention.partial, mention.words
    if place.kind == "country":
        why = f"{words!r} names"
        return _country_finding(place.key, value.path, value.text, table, policy, why)
    covering = [r for r in policy.regimes if r in place.regimes]
    if not covering:
        return None
    level = "partial" if partial else "embargo"
    regimes = ", ".join(r.upper() for r in covering)
    reason = f"{words!r} is in {place.title}" + (" (partly covered)" if partial else "")
    return Finding(
        "region",
        value.path,
        value.text,
        policy.regions[level],
        1.0,
        f"{reason}: {regimes}",
        regimes=covering,
    )


def check_places(
    gazetteer: Gazetteer, facts: ListFacts, policy: Policy, payment: Payment
) -> list[Finding]:
    findings: list[Finding] = []
    for value in payment.values:
        if value.kind not in (Kind.ADDRESS, Kind.TEXT):
            continue
        if value.path.endswith("CtrySubDvsn"):
            place = gazetteer.table.subdivision(value.text)
            if place is not None:
                mention = PlaceMention(place, False, value.text)
                found = _place_finding(mention, value, gazetteer.table, policy)
                findings += [found] if found else []
        for mention in gazetteer.find(value.text):
            found = _place_finding(mention, value, gazetteer.table, policy)
            findings += [found] if found else []
        if value.kind == Kind.TEXT:
            findings += _text_identifiers(facts, policy, value)
    return findings


def _text_identifiers(facts: ListFacts, policy: Policy, value: Value) -> list[Finding]:
    findings = []
    for token in set(_BIC_TOKEN.findall(value.text.upper())):
        if BIC_RE.match(token):
            findings += _bic_findings(facts, policy, value.path, token, "BIC in text")
    for imo in set(_IMO.findall(value.text)):
        for record in facts.imos.get(imo, []):
            reason = f"IMO {imo} in text is listed: {record.caption}"
            findings.append(
                Finding(
                    "vessel", value.path, value.text, policy.vessels, 1.0, reason, _entity(record)
                )
            )
    return findings


def check_text_names(
    screener: Screener,
    facts: ListFacts,
    policy: Policy,
    payment: Payment,
    cache: NameCache | None = None,
) -> list[Finding]:
    """Listed names written inside free text (remittance, 70/72, purpose); ``cache`` keeps
    the screening of each candidate span, as :func:`check_names` does for party names."""
    findings = []
    finder = facts.names()
    for value in payment.of_kind(Kind.TEXT):
        for match in finder.find(screener, value.text, policy.text_review, cache):
            action = policy.text_action(match.score)
            reason = f"{match.text!r} in text names {match.record.caption} ({match.score:.2f})"
            findings.append(
                Finding(
                    "text_name",
                    value.path,
                    value.text,
                    action,
                    match.score,
                    reason,
                    _entity(match.record),
                    explanations=match.explanations,
                    span=match.text,
                )
            )
    return findings
