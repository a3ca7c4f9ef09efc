"""Country names as sanctions lists write them -> ISO 3166-1 alpha-2 codes (lowercase).

The table lives in ``sanctions/data/countries.yml`` (one line per code, a flow
list of spellings). It is read with a tiny reader for that restricted shape so
that no YAML library is needed. Matching ignores case, accents, punctuation and
a leading or trailing "the" (``"Bahamas, The"``, ``"the Bahamas"``).

    >>> to_country_code("Korea, North")
    'kp'
    >>> to_country_code("Atlantis") is None
    True
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["to_country_code", "country_codes", "normalize_country"]

COUNTRIES_FILE = Path(__file__).resolve().parents[1] / "data" / "countries.yml"

_LINE = re.compile(r'^\s*"?(?P<code>[a-z]{2,4})"?\s*:\s*\[(?P<names>.*)\]\s*$')
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_country(text: str) -> str:
    """The comparison key of a country name: ascii, lowercase, words only, no "the"."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_text = ascii_text.replace("'", "").replace("\u2019", "")
    words = _NON_WORD.sub(" ", ascii_text).split()
    if words and words[0] == "the":
        words = words[1:]
    if words and words[-1] == "the":
        words = words[:-1]
    return " ".join(words)


def _read_table(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{lineno}: expected 'code: [name, ...]'")
        code = match["code"]
        table[code] = code
        for row in csv.reader([match["names"]], skipinitialspace=True):
            for name in row:
                key = normalize_country(name)
                if key:
                    table.setdefault(key, code)
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return _read_table(COUNTRIES_FILE)


def country_codes() -> set[str]:
    """Every code the table knows."""
    table = _table()
    return {code for code in table.values()}


@lru_cache(maxsize=4096)
def to_country_code(text: str | None) -> str | None:
    """The ISO-2 (lowercase) code of a country name or code; None if unknown.

    Accepts names and demonyms as OFAC, UN, UK and EU lists write them
    (``"Russia"``, ``"Russian Federation"``, ``"Korea, North"``, ``"Iranian"``)
    and ISO-2 codes (``"RU"``).
    """
    if not text:
        return None
    key = normalize_country(text)
    if not key:
        return None
    return _table().get(key)
