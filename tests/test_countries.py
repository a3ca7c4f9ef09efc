"""One country module: names, demonyms, historical names and codes -> ISO codes."""

from __future__ import annotations

import pytest

from sanctions.countries import country_name, to_country_code, to_country_codes


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
