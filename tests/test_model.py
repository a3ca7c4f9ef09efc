"""The entity model: dates keep their precision, names keep their kind, hashes ignore provenance."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctions.model import Entity, FuzzyDate, NameKind, clean_text, parse_date


@pytest.mark.parametrize(
    ("text", "value", "precision", "circa", "end"),
    [
        ("1952", "1952", "year", False, None),
        ("Oct 1952", "1952-10", "month", False, None),
        ("07 Oct 1952", "1952-10-07", "day", False, None),
        ("1952-10-07", "1952-10-07", "day", False, None),
        ("07/10/1952", "1952-10-07", "day", False, None),  # day first, as UK and EU write it
        ("00/10/1952", "1952-10", "month", False, None),  # UK: unknown parts are 00
        ("00/00/1952", "1952", "year", False, None),
        ("circa 1952", "1952", "year", True, None),
        ("c. 1950", "1950", "year", True, None),
        ("1952 to 1954", "1952", "year", False, "1954"),
        ("1962-1964", "1962", "year", False, "1964"),
        (
            "Between 01 Jan 1960 to 31 Dec 1962".split("Between ")[1],
            "1960-01-01",
            "day",
            False,
            "1962-12-31",
        ),
    ],
)
def test_dates_keep_their_precision(
    text: str, value: str, precision: str, circa: bool, end: str | None
) -> None:
    date = parse_date(text)
    assert date is not None
    assert (date.value, date.precision, date.circa, date.end) == (value, precision, circa, end)


@pytest.mark.parametrize(
    "text", ["", "-0-", "unknown", "31/02", "1952-13", "13/13/1952", "31/02/1952", "29 Feb 1951"]
)
def test_not_a_date_is_none_not_a_guess(text: str) -> None:
    assert parse_date(text) is None


def test_fuzzy_date_refuses_an_invented_format() -> None:
    with pytest.raises(ValueError):
        FuzzyDate("07.10.1952")


def test_names_keep_their_kind_and_mirror_into_ftm_properties() -> None:
    entity = Entity.create("un_sc_sanctions", "QDi.999", "Person", source_file="x.xml")
    entity.add_name("FICTIONAL PERSON", NameKind.PRIMARY, firstName="Fictional", lastName="Person")
    entity.add_name("Fictive Persona", NameKind.WEAK)
    entity.add_name("Фиктивный", NameKind.ORIGINAL, lang="rus", script="Cyrillic")
    entity.add_name("Old Name", NameKind.PREVIOUS)
    entity.add_name("  ", NameKind.ALIAS)  # empty: ignored
    assert entity.id == "un_sc_sanctions-QDi.999"
    assert entity.properties["name"] == ["FICTIONAL PERSON"]
    assert entity.properties["weakAlias"] == ["Fictive Persona"]
    assert entity.properties["alias"] == ["Фиктивный"]
    assert entity.properties["previousName"] == ["Old Name"]
    assert entity.properties["firstName"] == ["Fictional"]
    assert [n.kind for n in entity.names] == ["primary", "weak", "original", "previous"]
    assert entity.caption == "FICTIONAL PERSON"
    with pytest.raises(ValueError):
        entity.add_name("X", NameKind.ALIAS, nickname="X")


def test_serialisation_round_trips_and_hash_ignores_where_it_was_read() -> None:
    entity = Entity.create("us_ofac_sdn", "36", "Organization", source_file="sdn.csv")
    entity.add_name("AEROCARIBBEAN AIRLINES")
    entity.add_date(parse_date("circa 1980", prop="incorporationDate"))
    entity.listing.programs = ["CUBA"]
    again = Entity.from_dict(entity.to_dict())
    assert again.to_dict() == entity.to_dict()
    moved = Entity.from_dict(entity.to_dict())
    moved.listing.source_file = "SDN.XML"
    moved.listing.dataset_version = "us_ofac_sdn@v9:abc"
    assert moved.content_hash() == entity.content_hash()
    moved.add("notes", "new remark")
    assert moved.content_hash() != entity.content_hash()
    assert moved.diff_properties(entity) == ["notes"]


@given(st.text())
def test_clean_text_collapses_whitespace_like_the_reference(text: str) -> None:
    reference = re.sub(r"\s+", " ", text).strip()
    expected = None if reference in ("", "-0-") else reference
    assert clean_text(text) == expected
