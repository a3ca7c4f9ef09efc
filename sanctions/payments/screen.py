"""Screening payment messages: parse, run every check, decide pass / review / hold.

    >>> payments = PaymentScreener(Screener(Store.open("lists.db")))
    >>> for result in payments.screen_path("outgoing/"):
    ...     print(result.source, result.decision, [f.reason for f in result.findings])

Every result carries the findings that caused its decision (with field paths,
scores and explanations), the list versions screened against, the policy's
regimes and a stable fingerprint of the message. A message that cannot be
parsed is never ``pass``: it gets the policy's ``unparsed`` action (review or
hold) and its error. With ``audit=True`` (and a store), each held message is
written to the audit log, as ``sanctions watch`` does for its alerts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctions import audit
from sanctions.matching import ALGORITHM, ALGORITHM_VERSION
from sanctions.screening import Screener
from sanctions.store import Store

from .batch import read_messages, read_text
from .checks import (
    Finding,
    ListFacts,
    check_bics,
    check_countries,
    check_names,
    check_places,
    check_text_names,
)
from .goodguys import GoodGuyList, load_good_guys
from .model import Payment, PaymentError
from .names import NameCache
from .policy import ACTIONS, Policy, load_policy, worst
from .regions import Gazetteer, RegionTable, load_regions
from .text import TextMatch

__all__ = ["CHECKS", "PaymentResult", "PaymentScreener", "audit_results", "entity_hashes"]

CHECKS = ("names", "bics", "countries", "places", "text_names")
_RANK = ("cleared", *ACTIONS)  # findings listed strongest first


@dataclass
class PaymentResult:
    """The decision on one message and why."""

    source: str
    type: str | None
    reference: str | None
    fingerprint: str
    decision: str
    findings: list[Finding] = field(default_factory=list)
    versions: dict[str, Any] = field(default_factory=dict)
    regimes: list[str] = field(default_factory=list)
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)  # check -> CPU seconds (this thread)

    @property
    def audited(self) -> bool:
        """Whether the audit log gets this result: held, or a good-guy entry was used."""
        return self.decision == "hold" or any(f.cleared for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "type": self.type,
            "reference": self.reference,
            "fingerprint": self.fingerprint,
            "decision": self.decision,
            "findings": [f.to_dict() for f in self.findings],
            "versions": self.versions,
            "regimes": self.regimes,
            "algorithm": {"name": ALGORITHM, "version": ALGORITHM_VERSION},
        }
        if self.error:
            data["error"] = self.error
        return data


class PaymentScreener:
    """Screens payment messages against the lists of a :class:`Screener` under a policy."""

    def __init__(
        self,
        screener: Screener,
        policy: Policy | str | Path | None = None,
        regions: RegionTable | None = None,
        audit: bool = False,
        versions: dict[str, Any] | None = None,
        good_guys: GoodGuyList | str | Path | None = None,
        entity_hashes: Mapping[str, str] | None = None,
    ) -> None:
        """``audit``: write held messages, and the good-guy entries used, to the audit
        log of the screener's store. ``versions``: the list versions to report, for a
        screener over a bare index (the HTTP API's snapshot); by default read from the
        screener's store. ``good_guys``: a good-guy list (or its file); by default the
        policy's ``good_guys`` file, if it names one. ``entity_hashes``: listed entity id
        -> content hash, for a screener over a bare index (:func:`entity_hashes`); by
        default read from the screener's store for the versions of its index. A finding
        whose entity has no known hash reports ``hash: null`` and no entry clears it."""
        self.screener = screener
        self.policy = policy if isinstance(policy, Policy) else load_policy(policy)
        if good_guys is None and self.policy.good_guys:
            good_guys = self.policy.good_guys
        if good_guys is not None and not isinstance(good_guys, GoodGuyList):
            good_guys = load_good_guys(good_guys)
        self.good_guys: GoodGuyList | None = good_guys
        self.gazetteer = Gazetteer(regions or load_regions())
        self.audit = audit and screener.store is not None
        self._fixed_versions = versions
        self._fixed_hashes = entity_hashes
        self._facts: tuple[Any, ListFacts, dict[str, Any], Mapping[str, str]] | None = None
        self.name_cache = NameCache()  # matches of each distinct name, for the current lists

    def _lists(self) -> tuple[ListFacts, dict[str, Any]]:
        """BIC/IMO lookups and list versions, rebuilt when the screener's index changes."""
        _, facts, versions, _ = self._current()
        return facts, versions

    def _current(self) -> tuple[Any, ListFacts, dict[str, Any], Mapping[str, str]]:
        index = self.screener.index
        if self._facts is None or self._facts[0] is not index:
            self._facts = (index, ListFacts(index.records), self._versions(), self._hashes())
        self.name_cache.pin(index.key or f"index-{id(index)}")
        return self._facts

    def _hashes(self) -> Mapping[str, str]:
        store = self.screener.store
        if self._fixed_hashes is not None or store is None:
            return self._fixed_hashes or {}
        return entity_hashes(store, [v.id for v in self.screener.versions])

    def _versions(self) -> dict[str, Any]:
        store = self.screener.store
        if self._fixed_versions is not None or store is None:
            return dict(self._fixed_versions or {})
        return {
            d.id: {
                "seq": d.current.seq,
                "hash": d.current.content_hash[:16],
                "loaded": d.current.loaded_at,
            }
            for d in store.datasets()
            if d.current is not None
        }

    def screen(self, message: Payment | PaymentError) -> PaymentResult:
        """The decision on one parsed message (or on one that failed to parse)."""
        _, facts, versions, hashes = self._current()
        regimes = list(self.policy.regimes)
        if isinstance(message, PaymentError):
            digest = message.fingerprint or hashlib.sha256(str(message).encode()).hexdigest()
            reason = f"the message cannot be parsed: {message.message}"
            finding = Finding(
                "unparsed", message.field or "", "", self.policy.unparsed, 1.0, reason
            )
            return PaymentResult(
                message.source or "",
                None,
                None,
                digest,
                self.policy.unparsed,
                [finding],
                versions,
                regimes,
                str(message),
            )
        timings: dict[str, float] = {}
        findings: list[Finding] = []
        table = self.gazetteer.table
        runs = (
            ("names", lambda: check_names(self.screener, self.policy, message, self.name_cache)),
            ("bics", lambda: check_bics(facts, table, self.policy, message)),
            ("countries", lambda: check_countries(table, self.policy, message)),
            ("places", lambda: check_places(self.gazetteer, facts, self.policy, message)),
            (
                "text_names",
                lambda: check_text_names(
                    self.screener, facts, self.policy, message, self.name_cache
                ),
            ),
        )
        for name, run in runs:
            started = time.thread_time()  # CPU time: what a check costs one core
            findings += run()
            timings[name] = time.thread_time() - started
        started = time.thread_time()
        findings = [f for f in findings if f.action != "pass"]
        for finding in findings:
            if finding.entity:  # the listed entity as screened: what a good-guy entry keys on
                finding.entity["hash"] = hashes.get(finding.entity["id"])
        if self.good_guys:
            self.good_guys.apply(findings, message, dt.date.today())
        findings.sort(key=lambda f: (-_RANK.index(f.action), -f.score, f.path))
        decision = worst([f.action for f in findings if f.action != "cleared"])
        timings["decision"] = time.thread_time() - started
        return PaymentResult(
            message.source,
            message.type,
            message.reference,
            message.fingerprint,
            decision,
            findings,
            versions,
            regimes,
            None,
            timings,
        )

    def screen_many(self, messages: Iterable[Payment | PaymentError]) -> Iterator[PaymentResult]:
        """Results in order; held messages and good-guy clearances are audited in
        batches when ``audit`` is on."""
        kept: list[PaymentResult] = []
        for message in messages:
            result = self.screen(message)
            if self.audit and result.audited:
                kept.append(result)
                if len(kept) >= 500:
                    audit_results(self.screener.require_store(), kept)
                    kept = []
            yield result
        if kept:
            audit_results(self.screener.require_store(), kept)

    def screen_path(self, path: str | Path) -> Iterator[PaymentResult]:
        """Every message of a file or folder (see :func:`~sanctions.payments.read_messages`)."""
        return self.screen_many(read_messages(path))

    def screen_text(self, text: str, source: str = "<stdin>") -> Iterator[PaymentResult]:
        """Every message of a text (MT, ISO 20022 XML or JSON lines)."""
        return self.screen_many(read_text(text, source))

    def find_names(self, text: str) -> list[TextMatch]:
        """Listed subjects named in a text (article, contract, invoice), from the policy's
        ``text_names.review`` score: spans, listed entities, scores and explanations."""
        facts, _ = self._lists()
        return facts.names().find(self.screener, text, self.policy.text_review, self.name_cache)

    def versions(self) -> dict[str, Any]:
        """The list versions screened against (dataset -> seq, content hash, load time)."""
        return self._lists()[1]


def entity_hashes(store: Store, version_ids: Iterable[int]) -> dict[str, str]:
    """Listed entity id -> the content hash the store keeps of it
    (:meth:`sanctions.model.Entity.content_hash`) in these list versions."""
    return {entity_id: digest for _, entity_id, digest in store.entity_hashes(version_ids)}


def audit_results(store: Store, results: list[PaymentResult], actor: str | None = None) -> None:
    """Write to the store's audit log, in one transaction, each held message
    (``payment.held``) and each message where good-guy entries cleared findings
    (``payment.cleared``: which entries, for which findings)."""
    actor = actor or audit.current_actor()
    events: list[tuple[str, str, str, dict[str, Any]]] = []
    for r in results:
        base = {
            "source": r.source,
            "type": r.type,
            "reference": r.reference,
            "versions": {k: v["seq"] for k, v in r.versions.items()},
        }
        if r.decision == "hold":
            shown = [f"{f.check} {f.path}: {f.reason}" for f in r.findings[:20]]
            events.append(
                (actor, "payment.held", f"payment:{r.fingerprint}", {**base, "findings": shown})
            )
        cleared = [
            {
                "entry": f.cleared["id"],
                "path": f.path,
                "entity": f.entity["id"] if f.entity else None,
                "entity_hash": f.entity.get("hash") if f.entity else None,
                "score": round(f.score, 4),
            }
            for f in r.findings
            if f.cleared
        ]
        if cleared:
            details = {**base, "decision": r.decision, "cleared": cleared}
            events.append((actor, "payment.cleared", f"payment:{r.fingerprint}", details))
    if events:
        with store.begin() as conn:
            audit.append_many(conn, events)
