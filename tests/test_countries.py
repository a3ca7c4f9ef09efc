"""One country module: names, demonyms, historical names and codes -> ISO codes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sanctions.countries import (
    countries_of,
    country_name,
    is_country_code,
    to_country_code,
    to_country_codes,
)
from sanctions.store import Store


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Russian Federation", ["ru"]),
        ("Korea, North", ["kp"]),
        ("Korea, Democratic People's Republic of", ["kp"]),
        ("Republic of Korea", ["kr"]),
        ("Iran (Islamic Republic of)", ["ir"]),
        ("Congolese (DRC)", ["cd"]),
        ("Russian and Ukrainian", ["ru", "ua"]),
        ("Iraqi; Syrian", ["iq", "sy"]),
        ("Bosnia and Herzegovina", ["ba"]),  # one country, not two
        ("Trinidad and Tobago", ["tt"]),
        ("USSR", ["suhh"]),
        ("Union of Soviet Socialist Republics", ["suhh"]),
        ("Yugoslavia", ["yucs"]),
        ("Czechoslovakia", ["cshh"]),
        ("Burma", ["mm"]),  # renamed: today's code
        ("Zaire", ["cd"]),
        ("Dahomey", ["bj"]),
        ("RU", ["ru"]),
        ("RUS", ["ru"]),
        ("Türkiye", ["tr"]),
        ("Afghan", ["af"]),
        ("Atlantis", []),
        ("Russian and Atlantean", []),  # a pair is split only when every part is a country
        ("", []),
    ],
)
def test_country_text_becomes_codes(text: str, codes: list[str]) -> None:
    assert to_country_codes(text) == codes


def test_english_words_that_are_alpha3_codes_are_not_countries() -> None:
    assert to_country_code("and") is None and to_country_code("AND") == "ad"
    assert to_country_code("can") is None and to_country_code("CAN") == "ca"


def test_ambiguous_iso_short_names_are_decided_by_the_lists_spellings() -> None:
    assert to_country_code("Congo") == "cg"
    assert to_country_code("Korea") == "kr"
    assert to_country_code("Virgin Islands") is None


def test_country_name_of_a_code() -> None:
    assert country_name("ru") == "Russian Federation" and country_name("suhh") == "Soviet Union"


@pytest.mark.slow
def test_every_country_of_every_real_list_is_a_code(real_store_path: Path) -> None:
    store = Store.open(real_store_path)
    try:
        text = Counter(
            (entity.listing.dataset, prop, value)
            for entity in store.iter_entities()
            for prop in ("nationality", "citizenship", "country", "flag", "pastFlags")
            for value in entity.get(prop)
            if not is_country_code(value)
        )
    finally:
        store.close()
    assert not text


def _countries_before(properties: dict[str, list[str]]) -> frozenset[str]:
    """matching's and coordination's copy before ``countries_of`` (the reference here)."""
    codes = set()
    for prop in ("nationality", "citizenship", "country", "birthCountry", "jurisdiction"):
        for value in properties.get(prop, ()):
            text = str(value).strip()
            code = text.lower() if len(text) == 2 and text.isalpha() else to_country_code(text)
            if code:
                codes.add(code)
    return frozenset(codes)


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        ("ru", {"ru"}),
        ("RU", {"ru"}),
        ("Russia", {"ru"}),
        ("suhh", {"suhh"}),
        ("zz", {"zz"}),  # a two-letter code we do not know is kept as written
        ("UK", {"gb"}),  # was "uk", a code no list uses: British subjects did not share it
        ("gbr", {"gb"}),  # was dropped, though `screen --file` accepts it as a country
        ("Russian and Ukrainian", {"ru", "ua"}),  # was dropped: one value, two countries
        ("Atlantis", set()),
        ("", set()),
    ],
)
def test_countries_of_one_value(value: str, codes: set[str]) -> None:
    assert countries_of({"nationality": [value]}) == codes


def test_countries_of_reads_only_subject_properties() -> None:
    props = {"flag": ["pa"], "mainCountry": ["ru"], "jurisdiction": ["Cyprus"]}
    assert countries_of(props) == {"cy"}
    assert countries_of(props, props=("flag",)) == {"pa"}


@pytest.mark.parametrize(
    "relative",
    [
        pytest.param("un/consolidated_2026-02-27.xml", marks=pytest.mark.slow),
        "us/csl/dpl_2023-11.txt",
    ],
)
def test_countries_of_real_entities_unchanged(shared_data: Path, relative: str) -> None:
    """On every entity of a real list, matching's and the strong keys' countries are as before."""
    from sanctions.coordination.strong_keys import listing_facts
    from sanctions.matching.score import record_from_entity
    from sanctions.sources import parse_path

    seen = Counter()
    for entity in parse_path(shared_data / relative):
        before = _countries_before(entity.properties)
        assert countries_of(entity.properties) == before, entity.id
        assert record_from_entity(entity).countries == before, entity.id
        assert listing_facts(entity).countries == before, entity.id
        seen["entities"] += 1
        seen["with countries"] += bool(before)
    assert seen["with countries"] > 100, seen
