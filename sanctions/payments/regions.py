"""Embargoed countries and sanctioned regions: the table (``data/regions.yml``) and a gazetteer.

:func:`load_regions` reads the table: for each country code and each region, the
regimes that cover it and at which level (``embargo``, ``restricted``; ``partial``
for a region named as a whole when only part of it is covered). :class:`Gazetteer`
finds the names of those places inside an address line or free text as whole
words, case- and accent-insensitively, in Latin, Cyrillic and other scripts
(``Sevastopol``, ``Севастополь``, ``Севастопіль``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sanctions.errors import ConfigError

__all__ = [
    "LEVELS",
    "REGIMES",
    "Gazetteer",
    "Place",
    "PlaceMention",
    "RegionTable",
    "fold_words",
    "load_regions",
    "parse_regions",
]

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.yml"
REGIMES = ("us", "eu", "uk", "ca", "un")
LEVELS = ("embargo", "restricted", "partial")
_APOSTROPHES = re.compile(r"['’ʼ`]")
_WORD = re.compile(r"\w+")
MAX_WORDS = 6


def fold_words(text: str) -> tuple[str, ...]:
    """Lower-case words without accents (``Kyïv`` -> ``kyiv``); Cyrillic stays Cyrillic."""
    text = _APOSTROPHES.sub("", text.casefold())
    if not text.isascii():  # ASCII has no accents to drop (most payment text)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return tuple(_WORD.findall(text))


@dataclass(frozen=True)
class Place:
    """A country or region of the table, with the regimes that cover it."""

    key: str  # country code (``kp``) or region key (``crimea``)
    kind: str  # "country" or "region"
    title: str
    regimes: dict[str, str]  # regime -> level
    subdivisions: tuple[str, ...] = ()


@dataclass
class RegionTable:
    countries: dict[str, Place] = field(default_factory=dict)
    regions: dict[str, Place] = field(default_factory=dict)
    names: dict[tuple[str, ...], tuple[Place, bool]] = field(default_factory=dict)

    def subdivision(self, code: str) -> Place | None:
        code = code.strip().upper()
        for place in self.regions.values():
            if code in place.subdivisions:
                return place
        return None


def _regimes(key: str, data: Any, problems: list[str]) -> dict[str, str]:
    regimes = data.get("regimes") if isinstance(data, dict) else None
    if not isinstance(regimes, dict) or not regimes:
        problems.append(f"{key}: 'regimes' must map regimes to levels")
        return {}
    for regime, level in regimes.items():
        if regime not in REGIMES or level not in LEVELS[:2]:
            problems.append(
                f"{key}: {regime}: {level} (regimes {REGIMES}, levels embargo/restricted)"
            )
    return dict(regimes)


def _add_names(
    table: RegionTable, place: Place, names: Any, partial: bool, problems: list[str]
) -> None:
    if not isinstance(names, list):
        problems.append(f"{place.key}: names must be a list")
        return
    for name in names:
        words = fold_words(str(name))
        if not words or len(words) > MAX_WORDS:
            problems.append(f"{place.key}: name {name!r} has no words or over {MAX_WORDS}")
        elif words in table.names and table.names[words][0].key != place.key:
            problems.append(f"{place.key}: name {name!r} is also {table.names[words][0].key}")
        else:
            table.names[words] = (place, partial)


def parse_regions(data: Any, source: str = str(REGIONS_FILE)) -> RegionTable:
    """The table from parsed YAML; every problem is reported at once (:class:`ConfigError`)."""
    problems: list[str] = []
    table = RegionTable()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected 'countries' and 'regions'")
    for code, entry in (data.get("countries") or {}).items():
        place = Place(str(code), "country", str(code).upper(), _regimes(code, entry, problems))
        table.countries[place.key] = place
        _add_names(table, place, (entry or {}).get("names", []), False, problems)
    for key, entry in (data.get("regions") or {}).items():
        entry = entry or {}
        subs = tuple(str(s).upper() for s in entry.get("subdivisions", []))
        place = Place(
            key, "region", str(entry.get("title", key)), _regimes(key, entry, problems), subs
        )
        table.regions[key] = place
        _add_names(table, place, entry.get("names", []), False, problems)
        _add_names(table, place, entry.get("partial_names", []), True, problems)
    if problems:
        raise ConfigError(f"{source}: " + "; ".join(problems))
    return table


@lru_cache(maxsize=4)
def load_regions(path: str | Path = REGIONS_FILE) -> RegionTable:
    """The region table of a YAML file (by default the one shipped with the package)."""
    with open(path, encoding="utf-8") as fh:
        return parse_regions(yaml.safe_load(fh), str(path))


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    partial: bool
    words: str  # the words found, as folded


class Gazetteer:
    """Finds the table's place names in a text: every run of up to six words is looked up."""

    def __init__(self, table: RegionTable) -> None:
        self.table = table
        self.width = max((len(k) for k in table.names), default=1)
        self.firsts = {k[0] for k in table.names}

    def find(self, text: str) -> list[PlaceMention]:
        words = fold_words(text)
        found: dict[str, PlaceMention] = {}
        for i, word in enumerate(words):
            if word not in self.firsts:
                continue
            for n in range(min(self.width, len(words) - i), 0, -1):
                hit = self.table.names.get(words[i : i + n])
                if hit:
                    before = found.get(hit[0].key)
                    if before is None or (before.partial and not hit[1]):  # covered beats partial
                        found[hit[0].key] = PlaceMention(hit[0], hit[1], " ".join(words[i : i + n]))
                    break
        return list(found.values())
