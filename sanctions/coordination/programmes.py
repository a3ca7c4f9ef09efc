"""Programme names -> normalised regime codes, from ``data/programmes.yml``.

Each authority names its regimes differently: OFAC ``RUSSIA-EO14024`` and
``UKRAINE-EO13662``, the UK ``Russia``, the EU ``RUS``, Canada ``Russia / Russie``,
Australia ``Autonomous (Russia)``. They all map to ``RUS``, so that one
``--programme RUS`` filter works across the lists.

    >>> regime_codes(["RUSSIA-EO14024", "Russia / Russie"])
    frozenset({'RUS'})
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from sanctions.errors import ConfigError

__all__ = [
    "Regime",
    "regimes",
    "regime_codes",
    "normalise_programme_filter",
    "THEMATIC",
    "country_regimes_conflict",
]

DATA = Path(__file__).resolve().parent / "data" / "programmes.yml"
# Regimes about a kind of conduct, not a country: any country's subjects may fall under them.
THEMATIC = frozenset({"AQ", "TERR", "HR", "CORR", "CYBER", "NARC", "WMD"})


@dataclass(frozen=True)
class Regime:
    code: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    # dataset -> patterns that hold only for that dataset's programmes
    per_dataset: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()


@cache
def regimes() -> dict[str, Regime]:
    """Every regime code with its label and programme patterns."""
    with open(DATA, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    out = {}
    for code, spec in data.items():
        patterns = tuple(re.compile(p, re.I) for p in spec["patterns"])
        per_dataset = tuple(
            (str(ds), tuple(re.compile(p, re.I) for p in pats))
            for ds, pats in (spec.get("datasets") or {}).items()
        )
        out[str(code)] = Regime(str(code), str(spec["label"]), patterns, per_dataset)
    return out


@lru_cache(maxsize=4096)
def _codes_of(programme: str, dataset: str | None = None) -> frozenset[str]:
    text = programme.strip()
    out = set()
    for code, regime in regimes().items():
        patterns = regime.patterns + dict(regime.per_dataset).get(dataset or "", ())
        if any(p.search(text) for p in patterns):
            out.add(code)
    return frozenset(out)


def regime_codes(programmes: Iterable[str], dataset: str | None = None) -> frozenset[str]:
    """The normalised regime codes of a listing's programmes (unknown ones map to none);
    with the listing's ``dataset``, also the codes that hold for that dataset only (the
    UN's ``DPRK`` list is a non-proliferation regime: ``PRK`` and ``WMD``)."""
    out: set[str] = set()
    for programme in programmes:
        out |= _codes_of(programme, dataset)
    return frozenset(out)


def normalise_programme_filter(value: str | None) -> str | None:
    """A ``--programme`` value as a regime code: the code itself or a programme name."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.upper() in regimes():
        return text.upper()
    codes = _codes_of(text)
    if len(codes) == 1:
        return next(iter(codes))
    known = ", ".join(sorted(regimes()))
    raise ConfigError(f"unknown programme {value!r}: use a regime code ({known})")


def country_regimes_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both listings are under some country's regime, the countries differ and no regime
    is in common (``PRK`` vs ``SYR``; not ``PRK`` vs ``WMD``, nor ``RUS`` vs ``RUS + IRN``)."""
    if a & b:
        return False
    return bool(a - THEMATIC) and bool(b - THEMATIC)
