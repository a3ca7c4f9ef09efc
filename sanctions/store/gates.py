"""Gates every new list version passes before it becomes current.

A new version of a dataset is compared with the dataset's current version, and:

* **refused** (:class:`~sanctions.errors.WrongListError`, nothing stored) when its
  content is another list than the one expected: the format detected from the
  content serves another dataset (Canada's SEMA XML given as the UN list), or the
  entries say so (OFAC's Consolidated set under the SDN file names, see
  :mod:`sanctions.sources.fingerprint`);
* kept as **older** history (stored, never made current) when it is older than
  the current version: an earlier publication date, or, for lists that state no
  date (OFAC's CSV), a highest entry number below the current one. ``allow_older``
  lifts this gate;
* **held** (stored, pending an admin's approval, not current) when it removes
  more than a set share of the current version's entities, or has fewer names or
  aliases by more than a set share, or lacks a file of a file set that the
  current version had (SDN without ``alt.csv``);
* **accepted** (made current) otherwise.

Held and older versions are never used for screening: alerts are only closed
when a current version no longer lists an entity. ``sanctions versions approve``
makes a held (or older) version current, ``reject`` closes it; both are audited.

Defaults (environment variables, or the CLI options of ``load`` and ``update``):

=============================  =======  ==========================================
``SANCTIONS_GATE_MAX_ENTITY_DROP``  0.05  share of entities a version may remove
``SANCTIONS_GATE_MAX_NAME_DROP``    0.10  share of names it may lose (net)
``SANCTIONS_GATE_MAX_ALIAS_DROP``   0.20  share of aliases it may lose (net)
``SANCTIONS_GATE_MIN_DROP``         10    a drop of this many or fewer never holds
=============================  =======  ==========================================

The floor keeps small lists (a 30-entry list delisting two entries) flowing; a
share of 1 turns a gate off.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sanctions.errors import ConfigError, SanctionsError, WrongListError
from sanctions.model import Entity, NameKind
from sanctions.sources import SourceFormat, detect_format
from sanctions.sources.fingerprint import (
    OFAC_DATASETS,
    ofac_evidence,
    ofac_list_of,
    sequence_mark,
)

__all__ = [
    "ACCEPTED",
    "APPROVED",
    "HELD",
    "OLDER",
    "REJECTED",
    "PENDING",
    "GatePolicy",
    "VersionStats",
    "Verdict",
    "check_format",
    "check_content",
    "count_names",
    "evaluate",
    "members_of",
    "older_reason",
    "stats_of",
    "describe_blocked",
    "dumps_list",
    "loads_list",
]

ACCEPTED, HELD, OLDER, APPROVED, REJECTED = "accepted", "held", "older", "approved", "rejected"
PENDING = (HELD, OLDER)  # stored, not current, an admin may approve
# Formats that carry no issuing authority: the caller names the dataset.
GENERIC_FORMATS = frozenset({"ftm"})
ALIAS_KINDS = frozenset({NameKind.ALIAS, NameKind.WEAK, NameKind.PREVIOUS})

ENV_PREFIX = "SANCTIONS_GATE_"


@dataclass(frozen=True)
class GatePolicy:
    """Limits of the drop gates, and whether older content may become current."""

    max_entity_drop: float = 0.05
    max_name_drop: float = 0.10
    max_alias_drop: float = 0.20
    min_drop: int = 10
    allow_older: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> GatePolicy:
        """Defaults, then ``SANCTIONS_GATE_*`` variables, then ``overrides`` that are not None."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        problems = []
        for name, kind in (
            ("max_entity_drop", float),
            ("max_name_drop", float),
            ("max_alias_drop", float),
            ("min_drop", int),
        ):
            var = ENV_PREFIX + name.upper()
            raw = env.get(var, "").strip()
            if not raw:
                continue
            try:
                values[name] = kind(raw)
            except ValueError:
                problems.append(f"{var}={raw!r} is not a number")
        values.update({k: v for k, v in overrides.items() if v is not None})
        policy = replace(cls(), **values)
        problems += policy.problems()
        if problems:
            raise ConfigError("; ".join(problems))
        return policy

    def problems(self) -> list[str]:
        found = [
            f"{name} must be a share between 0 and 1, not {value}"
            for name, value in (
                ("max_entity_drop", self.max_entity_drop),
                ("max_name_drop", self.max_name_drop),
                ("max_alias_drop", self.max_alias_drop),
            )
            if not 0 <= value <= 1
        ]
        if self.min_drop < 0:
            found.append(f"min_drop must be 0 or more, not {self.min_drop}")
        return found


@dataclass
class VersionStats:
    """What the gates compare between two versions of a dataset."""

    entity_count: int
    name_count: int
    alias_count: int
    members: list[str] | None = None  # files of a file set
    published: str | None = None
    mark: int | None = None  # highest sequential authority number (OFAC)
    doubts: list[str] = field(default_factory=list)  # content checks that could not decide


@dataclass
class Verdict:
    status: str  # accepted | held | older
    reasons: list[str] = field(default_factory=list)


def count_names(entities: Iterable[Entity]) -> tuple[int, int]:
    """Names (every variant) and aliases (strong, weak and previous) of the entities."""
    names = aliases = 0
    for entity in entities:
        names += len(entity.names)
        aliases += sum(1 for n in entity.names if n.kind in ALIAS_KINDS)
    return names, aliases


def members_of(path: Path) -> list[str] | None:
    """The list files of a file-set folder (lower-cased names), ``None`` for a single file."""
    if not path.is_dir():
        return None
    found = []
    for child in sorted(path.iterdir()):
        if child.is_file() and not child.name.startswith("."):
            try:
                detect_format(child)
            except SanctionsError:
                continue
            found.append(child.name.lower())
    return found


def stats_of(
    dataset: str,
    entities: Mapping[str, Entity],
    path: Path,
    published: str | None,
    doubts: list[str] | None = None,
) -> VersionStats:
    names, aliases = count_names(entities.values())
    return VersionStats(
        entity_count=len(entities),
        name_count=names,
        alias_count=aliases,
        members=members_of(path),
        published=published,
        mark=sequence_mark(dataset, entities),
        doubts=list(doubts or []),
    )


# -- refusals: another list than the one expected --------------------------------


def check_format(path: Path, fmt: SourceFormat, expected: str) -> None:
    """Refuse content whose format serves another dataset than ``expected``."""
    if fmt.name in GENERIC_FORMATS:
        return
    detected = fmt.dataset_for(path)
    if detected != expected:
        raise WrongListError(
            f"the content is {fmt.name} of {detected}, not {expected}: refused, "
            "nothing stored, the current version is kept",
            path,
        )


def check_content(path: Path, expected: str, entities: Mapping[str, Entity]) -> list[str]:
    """Refuse OFAC content whose entries belong to the other OFAC list.

    Returns the doubts that hold the version: entries that tell neither list.
    A partial set (no primary file) carries no programmes: not checked here.
    """
    if expected not in OFAC_DATASETS:
        return []
    found = ofac_list_of(entities.values())
    evidence = ofac_evidence(entities.values())
    if found is None:
        return [f"cannot tell {expected} from the other OFAC list: {evidence.describe()}"]
    if found != expected:
        raise WrongListError(
            f"the entries are {found}'s, not {expected}'s ({evidence.describe()}): refused, "
            "nothing stored, the current version is kept",
            path,
        )
    return []


# -- holds: drops and older content -------------------------------------------------


def _share(lost: int, before: int) -> float:
    return lost / before if before else 0.0


def _drop_reason(what: str, lost: int, before: int, limit: float, policy: GatePolicy) -> str | None:
    if lost <= policy.min_drop or _share(lost, before) <= limit:
        return None
    return f"{what}: {lost:,} of {before:,} ({_share(lost, before):.1%}, limit {limit:.0%})"


def older_reason(previous: VersionStats, new: VersionStats) -> str | None:
    """Why ``new`` is older content than ``previous``, or ``None``."""
    if previous.published and new.published:
        if new.published < previous.published:
            return f"published {new.published}, before the current version's {previous.published}"
        return None
    if previous.mark is not None and new.mark is not None and new.mark < previous.mark:
        return (
            f"highest entry number {new.mark} is below the current version's {previous.mark} "
            "(no publication dates to compare)"
        )
    return None


def evaluate(
    previous: VersionStats | None, new: VersionStats, removed: int, policy: GatePolicy
) -> Verdict:
    """The gate verdict of a new version against the current one (``None``: first version)."""
    if previous is None:
        return Verdict(HELD, list(new.doubts)) if new.doubts else Verdict(ACCEPTED)
    older = None if policy.allow_older else older_reason(previous, new)
    reasons = [
        r
        for r in (
            _drop_reason(
                "removes entities", removed, previous.entity_count, policy.max_entity_drop, policy
            ),
            _drop_reason(
                "loses names",
                previous.name_count - new.name_count,
                previous.name_count,
                policy.max_name_drop,
                policy,
            ),
            _drop_reason(
                "loses aliases",
                previous.alias_count - new.alias_count,
                previous.alias_count,
                policy.max_alias_drop,
                policy,
            ),
        )
        if r
    ]
    reasons += new.doubts
    if previous.members is not None and new.members is not None:
        missing = sorted(set(previous.members) - set(new.members))
        if missing:
            reasons.append(
                f"the file set lacks {', '.join(missing)}, which the current version had"
            )
    if older:
        return Verdict(OLDER, [older, *reasons])
    return Verdict(HELD, reasons) if reasons else Verdict(ACCEPTED)


def dumps_list(values: list[str] | None) -> str | None:
    return json.dumps(values, ensure_ascii=False) if values is not None else None


def loads_list(text: str | None) -> list[str] | None:
    return list(json.loads(text)) if text else None


def describe_blocked(
    dataset: str, status: str, seq: int, current_seq: int | None, reasons: list[str]
) -> str:
    """One line for a version that did not become current, and what an admin can do."""
    kept = f"v{current_seq} stays current" if current_seq else "no version is current"
    why = "; ".join(reasons) or "no reason recorded"
    if status == HELD:
        return (
            f"{dataset}: HELD v{seq} for approval, not used for screening ({kept}): {why}; "
            f"review it, then `sanctions versions approve {dataset} v{seq}` or `reject`"
        )
    if status == OLDER:
        return (
            f"{dataset}: OLDER content stored as v{seq}, history only ({kept}): {why}; "
            f"load with --allow-older or `sanctions versions approve {dataset} v{seq}` to use it"
        )
    return f"{dataset}: this content was rejected before (v{seq}), not loaded ({kept}): {why}"
