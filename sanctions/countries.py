"""Countries as codes: the one place where country text becomes a code.

Every list writes countries its own way: names (``"Russian Federation"``,
``"Korea, North"``), adjectives and demonyms (``"Congolese"``, ``"Iranian"``),
historical names (``"USSR"``, ``"Burma"``, ``"Zaire"``), codes (``"RU"``, ``"RUS"``)
and pairs (``"Russian and Ukrainian"``). This module turns them into ISO 3166-1
alpha-2 codes in lowercase, the form FtM and OpenSanctions use.

It stands on ``pycountry`` (ISO 3166-1 names, official and common names, alpha-3
codes; ISO 3166-3 historical names). ``sanctions/data/countries.yml`` adds only
what ISO does not know: demonyms and the spellings the lists use. Historical
countries that were renamed map to today's code (Burma -> ``mm``, Zaire ->
``cd``); states that broke up keep their ISO 3166-3 code in lowercase (USSR ->
``suhh``, Yugoslavia -> ``yucs``, Czechoslovakia -> ``cshh``), as OpenSanctions
writes them. Kosovo is ``xk``.

    >>> to_country_code("Korea, North")
    'kp'
    >>> to_country_codes("Russian and Ukrainian")
    ['ru', 'ua']
    >>> to_country_code("Atlantis") is None
    True
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import pycountry

__all__ = [
    "COUNTRY_PROPERTIES",
    "SUBJECT_COUNTRY_PROPS",
    "countries_of",
    "value_country_codes",
    "to_country_code",
    "to_country_codes",
    "address_countries",
    "country_codes",
    "country_name",
    "is_country_code",
    "normalize_country",
]

# FtM properties of the country type that parsers fill: each value must be one of our codes.
COUNTRY_PROPERTIES = frozenset(
    {
        "nationality",
        "citizenship",
        "country",
        "birthCountry",
        "jurisdiction",
        "mainCountry",
        "flag",
        "pastFlags",
        "registrationCountry",
    }
)

# The country properties that say who or where a subject is (matching and cross-list keys
# compare them); a vessel's flag or a company's main country do not.
SUBJECT_COUNTRY_PROPS = ("nationality", "citizenship", "country", "birthCountry", "jurisdiction")

COUNTRIES_FILE = Path(__file__).resolve().parent / "data" / "countries.yml"

_LINE = re.compile(r'^\s*"?(?P<code>[a-z]{2,4})"?\s*:\s*\[(?P<names>.*)\]\s*$')
_NON_WORD = re.compile(r"[^a-z0-9]+")
# Separators of several countries in one value: "Russian and Ukrainian", "Iraq; Syria".
_SEVERAL = re.compile(r"\s*(?:,|;|/|&|\band\b|\bor\b|\bformerly\b|\bnow\b)\s*", re.I)
# Words around a country that do not change it: "(possibly)", "believed", "citizen of".
_NOISE = re.compile(
    r"\b(?:possibly|probably|believed|reportedly|allegedly|citizen|national|nationality|"
    r"citizenship|nationalities|citizen|of|in|by birth|birth|origin|previously|former(?:ly)?|"
    r"also|region)\b",
    re.I,
)


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


def _read_extra(path: Path) -> dict[str, list[str]]:
    """The spellings of ``countries.yml``: code -> names (a flow list per line)."""
    extra: dict[str, list[str]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{lineno}: expected 'code: [name, ...]'")
        for row in csv.reader([match["names"]], skipinitialspace=True):
            extra.setdefault(match["code"], []).extend(n for n in row if n.strip())
    return extra


def _name_forms(name: str) -> list[str]:
    """A name and its inverted form: "Korea, Republic of" -> also "Republic of Korea"."""
    forms = [name]
    if ", " in name:
        head, _, tail = name.partition(", ")
        forms.append(f"{tail} {head}")
        forms.append(head)
    return forms


def _historic_code(alpha_4: str, current: set[str]) -> str:
    """Today's code of a renamed country, else the ISO 3166-3 code (a state that broke up)."""
    successor = alpha_4[2:].lower()
    if successor in current and not alpha_4.endswith(("HH", "XX")):
        return successor
    return alpha_4.lower()


def _iso_names() -> list[tuple[str, str]]:
    """(name, code) of ISO 3166-1 and 3166-3, from pycountry."""
    pairs: list[tuple[str, str]] = []
    current = {c.alpha_2.lower() for c in pycountry.countries}
    for country in pycountry.countries:
        code = country.alpha_2.lower()
        pairs.append((country.alpha_2, code))
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                pairs += [(form, code) for form in _name_forms(value)]
    for historic in pycountry.historic_countries:
        code = _historic_code(historic.alpha_4, current)
        pairs.append((historic.alpha_4, code))
        for part in historic.name.split(", "):
            pairs.append((part, code))
        pairs += [(form, code) for form in _name_forms(historic.name)]
    return pairs


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    """Comparison key -> code. The lists' own spellings win over ISO's names."""
    table: dict[str, str] = {}
    for code, names in _read_extra(COUNTRIES_FILE).items():
        table.setdefault(code, code)
        for name in names:
            key = normalize_country(name)
            if key:
                table.setdefault(key, code)
    iso: dict[str, set[str]] = {}
    for name, code in _iso_names():
        key = normalize_country(name)
        if key:
            iso.setdefault(key, set()).add(code)
    for key, codes in iso.items():
        if len(codes) == 1:  # "Congo", "Korea", "Virgin Islands" name two: only the lists decide
            table.setdefault(key, next(iter(codes)))
    return table


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    """ISO alpha-3 -> code; only upper-case three-letter values are read as codes ("AND", "CAN")."""
    current = {c.alpha_2.lower() for c in pycountry.countries}
    table = {c.alpha_3: c.alpha_2.lower() for c in pycountry.countries}
    for historic in pycountry.historic_countries:
        table.setdefault(historic.alpha_3, _historic_code(historic.alpha_4, current))
    return table


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every code this module can return."""
    return frozenset(_table().values())


def is_country_code(value: str) -> bool:
    """True when ``value`` is already one of our codes (``"ru"``, ``"suhh"``)."""
    return value in country_codes()


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    names = {
        c.alpha_2.lower(): getattr(c, "common_name", None) or c.name for c in pycountry.countries
    }
    for code, spellings in _read_extra(COUNTRIES_FILE).items():
        names.setdefault(code, spellings[0])
    return names


def country_name(code: str) -> str | None:
    """A readable name of a code (``"ru"`` -> ``"Russian Federation"``)."""
    return _names().get(code.lower())


@lru_cache(maxsize=8192)
def to_country_code(text: str | None) -> str | None:
    """The code of one country written as a name, demonym, historical name or code; else None."""
    if not text:
        return None
    text = text.strip()
    if len(text) == 3 and text.isupper() and text in _alpha3():
        return _alpha3()[text]
    key = normalize_country(text)
    if not key:
        return None
    found = _table().get(key)
    if found is None:
        stripped = " ".join(_NOISE.sub(" ", key).split())
        found = _table().get(stripped) if stripped and stripped != key else None
    return found


@lru_cache(maxsize=8192)
def _codes(text: str) -> tuple[str, ...]:
    whole = to_country_code(text)
    if whole is not None:
        return (whole,)
    parts = [p for p in _SEVERAL.split(re.sub(r"[()]", " ", text)) if p and p.strip(" .-")]
    parts = [p for p in parts if _NOISE.sub(" ", normalize_country(p)).strip()]
    if len(parts) < 2:
        return ()
    codes = [to_country_code(p) for p in parts]
    if any(c is None for c in codes):
        return ()
    return tuple(dict.fromkeys(c for c in codes if c))


def to_country_codes(text: str | None) -> list[str]:
    """Every country a value names: ``"Russian and Ukrainian"`` -> ``["ru", "ua"]``.

    The whole text is tried first (so "Bosnia and Herzegovina" is one country);
    a value is split only when every part is a country. Empty when not understood.
    """
    if not text or not text.strip():
        return []
    return list(_codes(text.strip()))


# Parts of an address that are not where it is: remarks in brackets, contact details.
_ADDRESS_NOISE = re.compile(
    r"\([^)]*\)|\b(?:tel|fax|phone)\b[.:]?\s*(?:no\.?\s*)?[+\d(].*$|\be-?mail\b.*$", re.I | re.S
)
_ADDRESS_SPLIT = re.compile(r"[,;\n]")


def address_countries(address: str | None) -> list[str]:
    """The country an address ends with: ``"2G Bakhchivandzhi S, 620025, Russia"`` -> ru.

    Also ``"..., Tehran, IR"`` (a code, upper case only) and an address that is
    only countries (``"India, Pakistan"`` -> in, pk). Empty when no country is named
    at the end; the address itself keeps the text either way.
    """
    if not address:
        return []
    text = _ADDRESS_NOISE.sub(" ", address)
    segments = [s.strip(" .") for s in _ADDRESS_SPLIT.split(text) if s.strip(" .")]
    if not segments:
        return []
    whole = to_country_codes(", ".join(segments))
    if whole:
        return whole
    words = segments[-1].split()
    for size in range(min(5, len(words)), 0, -1):
        tail = " ".join(words[-size:])
        if len(tail) <= 3 and not tail.isupper():
            continue  # "No", "In", "Ave": words, not codes
        code = to_country_code(tail)
        if code is not None:
            return [code]
    return []


def value_country_codes(value: object) -> list[str]:
    """The codes of one value of a country property: what :func:`to_country_codes` reads, and
    also an alpha-3 code in any case (``"gbr"``), since a country field holds no other words.
    """
    text = str(value).strip()
    codes = to_country_codes(text)
    if not codes and len(text) == 3 and text.isalpha():
        codes = to_country_codes(text.upper())
    return codes


def countries_of(
    properties: Mapping[str, Iterable[object]], props: Iterable[str] = SUBJECT_COUNTRY_PROPS
) -> frozenset[str]:
    """The country codes an entity's ``props`` name (nationality, citizenship, country...).

    Names, demonyms and codes in any case become our lowercase codes (``"UK"`` -> ``gb``,
    ``"Russian and Ukrainian"`` -> ``ru``, ``ua``); a two-letter value we do not know
    (``"zz"``) is kept lowercase as written, so a code from an FtM file is never dropped.
    """
    codes: set[str] = set()
    for prop in props:
        for value in properties.get(prop, ()):
            found = value_country_codes(value)
            if found:
                codes.update(found)
                continue
            text = str(value).strip()
            if len(text) == 2 and text.isalpha():
                codes.add(text.lower())
    return frozenset(codes)
