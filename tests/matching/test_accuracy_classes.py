"""Classes of names fixed for issue 10's accuracy targets: name parts, abjad scripts, Hangul."""

from __future__ import annotations

from typing import Any

import pytest

from sanctions.matching import DEFAULT_THRESHOLD, compare_records, record_from_entity
from sanctions.matching.names import abjad_similarity, make_name_forms, token_similarity
from sanctions.matching.normalise import consonant_key, korean_readings, name_forms
from sanctions.model import Entity, Listing
from sanctions.screening import parse_query
from tests.matching.indexed import fast_and_naive, people_index


def score(query: dict[str, Any], listed: dict[str, Any], schema: str = "Person") -> float:
    """Both sides given as FtM properties (``name`` and name parts), as a query is."""

    def side(props: dict[str, Any], sid: str) -> dict[str, Any]:
        values = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
        return {"id": sid, "schema": schema, "properties": values}

    return compare_records(parse_query(side(query, "q")), parse_query(side(listed, "c"))).score


# -- name parts ---------------------------------------------------------------------------


def test_name_parts_mark_the_family_name_and_it_weighs_more() -> None:
    form = make_name_forms(
        "PETROV, Ivan Sergeyevich",
        "Person",
        parts=[("lastName", "PETROV"), ("firstName", "Ivan"), ("fatherName", "Sergeyevich")],
    )[0]
    roles = dict(zip(form.tokens, form.roles, strict=True))
    weights = dict(zip(form.tokens, form.weights, strict=True))
    assert roles == {"petrov": "family", "ivan": "given", "sergeyevich": "middle"}
    assert weights["petrov"] > weights["ivan"] > weights["sergeyevich"]


def test_same_given_name_and_another_family_name_does_not_alert() -> None:
    ivan_petrov = {"name": "Ivan Petrov", "firstName": "Ivan", "lastName": "Petrov"}
    ivan_sidorov = {"name": "Ivan Sidorov", "firstName": "Ivan", "lastName": "Sidorov"}
    assert score(ivan_petrov, ivan_sidorov) < 0.5
    many_given = {"name": "Ivan Oleg Petrov", "firstName": "Ivan Oleg", "lastName": "Petrov"}
    other = {"name": "Ivan Oleg Sidorov", "firstName": "Ivan Oleg", "lastName": "Sidorov"}
    assert score(many_given, other) < DEFAULT_THRESHOLD


def test_the_explanation_says_the_family_names_differ() -> None:
    query = parse_query(
        {
            "schema": "Person",
            "properties": {"name": ["Ivan Oleg Petrov"], "lastName": ["Petrov"]},
        }
    )
    listed = parse_query(
        {
            "schema": "Person",
            "properties": {"name": ["Ivan Oleg Sidorov"], "lastName": ["Sidorov"]},
        }
    )
    detail = compare_records(query, listed).explanations[0]["detail"]
    assert "family names differ" in detail


def test_same_family_name_with_parts_still_matches_a_missing_patronymic() -> None:
    query = {"firstName": "Ivan", "lastName": "Petrov"}
    listed = {
        "name": "PETROV, Ivan Sergeyevich",
        "firstName": "Ivan",
        "fatherName": "Sergeyevich",
        "lastName": "Petrov",
    }
    assert score(query, listed) > 0.9


def test_different_patronymics_cost() -> None:
    ivanovich = {"name": "Ivan Ivanovich Petrov", "fatherName": "Ivanovich", "lastName": "Petrov"}
    petrovich = {"name": "Ivan Petrovich Petrov", "fatherName": "Petrovich", "lastName": "Petrov"}
    assert score(ivanovich, petrovich) < DEFAULT_THRESHOLD


def test_an_entity_named_by_its_parts_only_has_a_name() -> None:
    entity = Entity(id="x", schema="Person", listing=Listing("test", "x"))
    entity.add("firstName", "Ivan")
    entity.add("lastName", "Petrov")
    record = record_from_entity(entity)
    assert [form.tokens for form in record.names] == [("ivan", "petrov")]
    assert record.names[0].roles == ("given", "family")


def test_query_parts_describe_the_query_name() -> None:
    record = parse_query(
        {
            "schema": "Person",
            "properties": {"name": ["Petrov Ivan"], "firstName": ["Ivan"], "lastName": ["Petrov"]},
        }
    )
    assert record.names[0].roles == ("family", "given")


# -- abjad scripts (Arabic, Hebrew) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "reading"),
    [("abdullah", "bdllh"), ("fazal", "fdl"), ("putin", "bwtyn"), ("fitouri", "lfytwry")],
)
def test_latin_spellings_meet_abjad_readings_on_their_consonants(latin: str, reading: str) -> None:
    assert abjad_similarity(latin, reading) > 0.8
    assert token_similarity(reading, latin) == token_similarity(latin, reading) > 0.8


def test_two_latin_or_two_abjad_tokens_are_not_compared_by_consonants() -> None:
    assert abjad_similarity("hamid", "ahmed") == 0.0  # both written with vowels
    assert abjad_similarity("hmd", "hmd") == 0.0
    assert abjad_similarity("ly", "lee") == 0.0  # one consonant is no key
    assert consonant_key("juma") == consonant_key("jmh") == "jm"


@pytest.mark.parametrize(
    ("script", "latin"),
    [
        ("عبد الله احمد عبدالله الالفي", "Abdullah Ahmed Abdullah El Alfi"),
        ("فضل رحيم", "Fazal Rahim"),
        ("محمد علي", "Mohamed Ali"),
        ("خالد محمود", "Khaled Mahmoud"),
        ("דוד", "David"),
    ],
)
def test_arabic_and_hebrew_script_names_match_their_latin_spelling(script: str, latin: str) -> None:
    assert score({"name": script}, {"name": latin}) >= DEFAULT_THRESHOLD


def test_an_arabic_script_name_does_not_match_another_person() -> None:
    assert score({"name": "فضل رحيم"}, {"name": "Fazal Karim"}) < DEFAULT_THRESHOLD


def test_index_agrees_with_the_naive_scan_across_scripts() -> None:
    specs = [
        ["Abdullah Ahmed Abdullah El Alfi", "عبد الله احمد عبدالله الالفي"],
        ["Fazal Rahim"],
        ["Ahmad Oumar Imhamad al-Fitouri"],
        ["Hamid Fazel"],
        ["Vladimir Putin", "فلاديمير بوتين"],
    ]
    records, screener = people_index(specs)
    for text in ["فضل رحيم", "احمد عمر امحمد الفيتوري", "Abdallah El Alfi", "بوتين", "Fadl Rahim"]:
        fast, naive = fast_and_naive(records, screener, text)
        assert fast == naive, text


# -- Hangul -----------------------------------------------------------------------------------


def test_hangul_names_are_read_as_they_are_spelt_in_latin() -> None:
    assert "kim jong un" in korean_readings("김정은")
    assert "park ji song" in name_forms("박지성")
    assert "choe ryong hae" in name_forms("최룡해")


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [("김정은", "Kim Jong Un"), ("박지성", "Park Ji Sung"), ("이민호", "Lee Min Ho")],
)
def test_korean_names_match_their_usual_latin_spelling(hangul: str, latin: str) -> None:
    assert score({"name": hangul}, {"name": latin}) >= DEFAULT_THRESHOLD


# -- legal forms ------------------------------------------------------------------------------


def test_two_different_legal_forms_on_a_longer_core_name_are_not_a_match() -> None:
    query = {"name": "Bright Star Trading LLC"}
    assert score(query, {"name": "Bright Star Trading LLP"}, "Company") < DEFAULT_THRESHOLD
    assert score(query, {"name": "Bright Star Trading Limited Liability Company"}, "Company") > 0.9
