"""Bad names in queries: no crash, no alert without a distinctive word, a clear message."""

from __future__ import annotations

import pytest

from sanctions.model import Entity
from sanctions.screening import QueryError, Screener


@pytest.fixture(scope="module")
def screener() -> Screener:
    people = [
        ("putin", "Person", "PUTIN, Vladimir Vladimirovich"),
        ("mohammed", "Person", "Mohammed ABDULLAH"),
        ("vtb", "Company", "VTB Bank PJSC"),
        ("llc", "Company", "Romashka LLC"),
        ("president", "Person", "President Ahmad SHAH"),
    ]
    entities = []
    for key, schema, name in people:
        entity = Entity.create("test", key, schema)
        entity.add_name(name)
        entities.append(entity)
    return Screener.from_entities(entities)


def screen(screener: Screener, name: str, schema: str | None = None) -> object:
    query: dict = {"properties": {"name": [name]}}
    if schema:
        query["schema"] = schema
    return screener.screen(query)


@pytest.mark.parametrize(
    "name",
    ["LLC", "Mr", "President", "Dr. Prof.", "Bank", "I", "J. R.", "OOO", "Corporation"],
)
def test_a_name_without_a_distinctive_word_never_alerts_and_says_why(
    screener: Screener, name: str
) -> None:
    result = screen(screener, name)
    assert not any(m.score.match for m in result.results)
    assert any("no distinctive word" in w for w in result.query.warnings)


@pytest.mark.parametrize("name", ["!!!", "...", "—", "🙂🙂", "\u200b\u200d", "\x00\x01"])
def test_a_name_without_letters_or_digits_is_refused_clearly(screener: Screener, name: str) -> None:
    with pytest.raises(QueryError, match="no usable name"):
        screen(screener, name)


def test_a_very_long_name_is_refused_whole_with_a_clear_message(screener: Screener) -> None:
    # Refused, never cut: a cut could drop the listed name at the end (issue 9, work limits).
    with pytest.raises(QueryError, match=r"property 'name': a value of 10,015 characters"):
        screen(screener, "Vladimir Putin " + "x" * 10_000, "Person")


def test_a_long_name_within_the_limit_is_screened(screener: Screener) -> None:
    result = screen(screener, "Vladimir Putin " + "x" * 400, "Person")
    assert [m.record.id for m in result.results][:1] == ["test-putin"]


def test_emoji_control_and_mixed_scripts_around_a_listed_name_still_match(
    screener: Screener,
) -> None:
    for name in ["🙂 Vladimir\u200b Putin 🙂", "Vladi\x07mir Putin", "Владимир Putin"]:
        result = screen(screener, name, "Person")
        assert result.results and result.results[0].record.id == "test-putin", name
        assert result.results[0].score.match, name


def test_a_single_common_given_name_never_alerts(screener: Screener) -> None:
    result = screen(screener, "Mohammed", "Person")
    assert not any(m.score.match for m in result.results)


def test_an_unknown_party_type_is_screened_as_legal_entity_and_said(screener: Screener) -> None:
    result = screen(screener, "VTB Bank")
    assert result.results[0].record.id == "test-vtb" and result.results[0].score.match
    assert any("screened as LegalEntity" in w for w in result.query.warnings)
