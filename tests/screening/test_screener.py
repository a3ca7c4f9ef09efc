"""The Screener API: queries, results, bad input, new list versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.errors import SanctionsError
from sanctions.model import Entity
from sanctions.screening import QueryError, QueryLimitError, Screener, demo_customers, parse_query
from sanctions.store import Store


def person(name: str, **props: list[str]) -> dict:
    return {"id": "q", "schema": "Person", "properties": {"name": [name], **props}}


def listed() -> list[Entity]:
    putin = Entity.create("test", "putin", "Person")
    putin.add_name("PUTIN, Vladimir Vladimirovich")
    putin.add_date("1952-10-07")
    putin.add("nationality", "ru")
    putin.add("passportNumber", "123456789")
    ship = Entity.create("test", "ship", "Vessel")
    ship.add_name("SEA PUTIN")
    ship.add("imoNumber", "IMO 9176187")
    return [putin, ship]


def test_screen_returns_explained_results_sorted_by_score() -> None:
    screener = Screener.from_entities(listed())
    result = screener.screen(person("Wladimir Putin", birthDate=["1952-10-07"]))
    top = result.results[0]
    assert top.record.id == "test-putin" and top.score.match
    features = {e["feature"]: e["contribution"] for e in top.score.explanations}
    assert features["birth_date"] > 0
    assert [m.score.score for m in result.results] == sorted(
        (m.score.score for m in result.results), reverse=True
    )


def test_a_contradicting_birth_date_lowers_the_score() -> None:
    screener = Screener.from_entities(listed())
    same = screener.screen(person("Vladimir Putin", birthDate=["1952"])).results[0].score.score
    other = screener.screen(person("Vladimir Putin", birthDate=["1990"])).results[0].score.score
    assert other < same


def test_an_identifier_is_strong_evidence_and_found_without_the_name() -> None:
    screener = Screener.from_entities(listed())
    result = screener.screen({"schema": "Vessel", "properties": {"imoNumber": ["9176187"]}})
    assert result.results[0].record.id == "test-ship"
    features = {e["feature"] for e in result.results[0].score.explanations}
    assert "identifier" in features


def test_threshold_and_cutoff() -> None:
    screener = Screener.from_entities(listed())
    strict = screener.screen(person("Vladimir Putin"), threshold=0.99)
    assert not strict.results[0].score.match
    assert screener.screen(person("Vladimir Petrov"), cutoff=0.9).results == []


def test_bad_queries_raise_one_clear_error() -> None:
    with pytest.raises(QueryError, match="unknown schema"):
        parse_query({"schema": "Spaceship", "properties": {"name": ["x"]}})
    with pytest.raises(QueryError, match="no usable name"):
        parse_query({"schema": "Person", "properties": {"name": ["  "]}})
    with pytest.raises(QueryError, match="no usable name"):
        parse_query({"schema": "Person", "properties": {"name": ["!!!"]}})
    with pytest.raises(QueryError, match="properties"):
        parse_query({"schema": "Person", "properties": ["x"]})


def test_impossible_dates_are_ignored_with_a_warning() -> None:
    screener = Screener.from_entities(listed())
    result = screener.screen(person("Vladimir Putin", birthDate=["1974-01-32"]))
    assert result.results[0].record.id == "test-putin"
    assert "1974-01-32" in result.to_dict()["warnings"][0]


def test_huge_names_and_control_characters_are_handled() -> None:
    screener = Screener.from_entities(listed())
    with pytest.raises(QueryLimitError, match="limit: 500"):  # refused, never cut (issue 9)
        screener.screen(person("Vladimir\x00 Putin " + "x" * 10_000))
    assert screener.screen(person("Vladimir\x00 Putin")).results[0].record.id == "test-putin"
    assert screener.screen(person("Владимир Putin مختلط")).results[0].record.id == "test-putin"


def test_name_parts_make_a_name() -> None:
    screener = Screener.from_entities(listed())
    query = {"schema": "Person", "properties": {"firstName": "Vladimir", "lastName": "Putin"}}
    assert screener.screen(query).results[0].record.id == "test-putin"


def test_demo_customers_are_queries() -> None:
    customers = demo_customers()
    names = " ".join(c["properties"]["name"][0] for c in customers)
    for person_name in ("Blinken", "Joly", "Sherman", "Ryabkov", "Anand"):
        assert person_name in names
    for customer in customers:
        parse_query(customer)


def test_a_new_list_version_is_picked_up(tmp_path: Path, fixtures: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    first = tmp_path / "v1.ftm.json"
    first.write_text(
        '{"id": "x-1", "schema": "Person", "properties": {"name": ["Ivan Ivanovich Kuznetsov"]}}\n'
    )
    store.load(first, dataset="opensanctions")
    screener = Screener(store)
    assert screener.screen(person("Boris Smirnov")).matches == []
    second = tmp_path / "v2.ftm.json"
    second.write_text(
        first.read_text()
        + '{"id": "x-2", "schema": "Person", "properties": {"name": ["Boris Smirnov"]}}\n'
    )
    store.load(second, dataset="opensanctions")
    screener.refresh()
    assert screener.screen(person("Boris Smirnov")).matches[0].record.id == "x-2"
    # a new process gets the index from the disk cache
    again = Screener(store)
    assert again.screen(person("Boris Smirnov")).matches[0].record.id == "x-2"


def test_what_needs_a_store_says_so_on_a_screener_built_without_one(tmp_path: Path) -> None:
    with pytest.raises(SanctionsError, match="no store"):
        Screener.from_entities(listed()).require_store()
    store = Store.open(tmp_path / "s.db")
    try:
        assert Screener(store).require_store() is store
    finally:
        store.close()
