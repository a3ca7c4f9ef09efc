"""The payment screening policy: which findings hold, review or pass a message.

A small YAML file (``data/policy.yml`` holds the defaults, documented there and in
docs/payments.md). :func:`load_policy` validates the whole file and reports every
problem at once; a message that cannot be parsed may be reviewed or held, never passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sanctions.errors import ConfigError

from .regions import REGIMES

__all__ = ["ACTIONS", "DEFAULT_POLICY_FILE", "Policy", "load_policy", "parse_policy", "worst"]

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "data" / "policy.yml"
ACTIONS = ("pass", "review", "hold")
_KEYS = {
    "regimes",
    "names",
    "text_names",
    "bics",
    "countries",
    "regions",
    "vessels",
    "unparsed",
    "good_guys",
}


def worst(actions: list[str]) -> str:
    """The strongest action (hold > review > pass); ``pass`` for none."""
    return max(actions, key=ACTIONS.index, default="pass")


@dataclass(frozen=True)
class Policy:
    regimes: tuple[str, ...] = REGIMES
    name_hold: float = 0.90
    name_review: float = 0.80
    text_hold: float = 0.95
    text_review: float = 0.85
    bics: dict[str, str] = field(default_factory=lambda: {"listed": "hold", "branch": "review"})
    countries: dict[str, str] = field(
        default_factory=lambda: {"embargo": "hold", "restricted": "review"}
    )
    regions: dict[str, str] = field(
        default_factory=lambda: {"embargo": "hold", "partial": "review"}
    )
    vessels: str = "hold"
    unparsed: str = "hold"
    good_guys: str | None = None  # the good-guy list file (relative to the policy file)

    def name_action(self, score: float) -> str:
        if score >= self.name_hold:
            return "hold"
        return "review" if score >= self.name_review else "pass"

    def text_action(self, score: float) -> str:
        if score >= self.text_hold:
            return "hold"
        return "review" if score >= self.text_review else "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "regimes": list(self.regimes),
            "names": {"hold": self.name_hold, "review": self.name_review},
            "text_names": {"hold": self.text_hold, "review": self.text_review},
            "bics": dict(self.bics),
            "countries": dict(self.countries),
            "regions": dict(self.regions),
            "vessels": self.vessels,
            "unparsed": self.unparsed,
            "good_guys": self.good_guys,
        }


def _actions(data: Any, key: str, levels: tuple[str, ...], problems: list[str]) -> dict[str, str]:
    if not isinstance(data, dict) or set(data) - set(levels):
        problems.append(f"{key}: expected a mapping of {', '.join(levels)} to an action")
        return {}
    for level, action in data.items():
        if action not in ACTIONS:
            problems.append(f"{key}.{level}: {action!r} is not one of {', '.join(ACTIONS)}")
    return {level: str(data.get(level, "hold")) for level in levels}


def _score(data: Any, key: str, problems: list[str]) -> float:
    if not isinstance(data, (int, float)) or isinstance(data, bool) or not 0 < data <= 1:
        problems.append(f"{key}: {data!r} is not a score between 0 and 1")
        return 1.0
    return float(data)


def _scores(
    data: Any, key: str, default: tuple[float, float], problems: list[str]
) -> tuple[float, float]:
    """(hold, review) scores of a ``{hold, review}`` mapping."""
    if not isinstance(data, dict) or set(data) - {"hold", "review"}:
        problems.append(f"{key}: expected 'hold' and 'review' scores")
        data = {}
    hold = _score(data.get("hold", default[0]), f"{key}.hold", problems)
    review = _score(data.get("review", default[1]), f"{key}.review", problems)
    if review > hold:
        problems.append(f"{key}: review ({review}) is above hold ({hold})")
    return hold, review


def _good_guys(data: Any, base: Path | None, problems: list[str]) -> str | None:
    if data is None:
        return None
    if not isinstance(data, str) or not data.strip():
        problems.append(f"good_guys: {data!r} is not a file name")
        return None
    path = Path(data)
    return str(path if path.is_absolute() or base is None else base / path)


def parse_policy(data: Any, source: str = "policy", base: Path | None = None) -> Policy:
    """A :class:`Policy` from parsed YAML; missing keys keep their defaults. ``base``: the
    folder a relative ``good_guys`` file name is read from (the policy file's)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping (see docs/payments.md)")
    default = Policy()
    problems = [f"unknown key {k!r}" for k in sorted(set(data) - _KEYS)]
    regimes = data.get("regimes", list(default.regimes))
    if not isinstance(regimes, list) or not regimes or set(regimes) - set(REGIMES):
        problems.append(f"regimes: {regimes!r} (a non-empty list of {', '.join(REGIMES)})")
        regimes = list(default.regimes)
    hold, review = _scores(
        data.get("names", {}), "names", (default.name_hold, default.name_review), problems
    )
    text = _scores(
        data.get("text_names", {}), "text_names", (default.text_hold, default.text_review), problems
    )
    policy = Policy(
        tuple(regimes),
        hold,
        review,
        text[0],
        text[1],
        _actions(data.get("bics", default.bics), "bics", ("listed", "branch"), problems),
        _actions(
            data.get("countries", default.countries),
            "countries",
            ("embargo", "restricted"),
            problems,
        ),
        _actions(data.get("regions", default.regions), "regions", ("embargo", "partial"), problems),
        str(data.get("vessels", default.vessels)),
        str(data.get("unparsed", default.unparsed)),
        _good_guys(data.get("good_guys"), base, problems),
    )
    if policy.vessels not in ACTIONS:
        problems.append(f"vessels: {policy.vessels!r} is not one of {', '.join(ACTIONS)}")
    if policy.unparsed not in ("review", "hold"):
        problems.append(f"unparsed: {policy.unparsed!r} (review or hold: never pass)")
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return policy


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy of a YAML file (the shipped defaults when ``path`` is None)."""
    path = Path(path) if path is not None else DEFAULT_POLICY_FILE
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_policy(data, str(path), path.parent)
