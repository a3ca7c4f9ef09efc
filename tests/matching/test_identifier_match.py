"""Identifiers are first-class (issue 16, item 1): a strong identifier in common retrieves
the entity through the index and is a match on its own; a weak one is evidence only.

Real-data tests use OFAC's SDN set of 2023-12-28 (every listed vessel with an IMO number,
the ARTAVIL tanker of the issue, a bank by its BIC) and the UN consolidated list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanctions.matching.identifiers import IDENTIFIERS, extract_identifiers, identifier_properties
from sanctions.matching.score import DEFAULT_THRESHOLD, compare_records
from sanctions.model import Entity, NameKind
from sanctions.screening import Screener, parse_query
from sanctions.screening.search import search_hits

SDN_SET = "us/ofac-sdn/2023-12-28"


def _record(schema: str, **props: list[str]) -> Any:
    return parse_query({"schema": schema, "properties": props})


def _entity(entity_id: str, name: str, bic: str) -> Entity:
    entity = Entity.create("us_ofac_sdn", entity_id, "Company")
    entity.add_name(name, NameKind.PRIMARY)
    entity.add("swiftBic", bic)
    return entity


def _identifier(score: Any) -> dict[str, Any]:
    return next(e for e in score.explanations if e["feature"] == "identifier")


def test_un_reference_normalised_and_formatted() -> None:
    unsc = IDENTIFIERS["unsc"]
    assert unsc.normalize("QDi.001") == unsc.normalize("qdi 001") == "QDI001"
    assert unsc.format("qdi001") == "QDi.001"
    assert unsc.normalize("Q.001") is None


def test_branch_bic_yields_its_head_office_on_the_query_side_only() -> None:
    assert extract_identifiers({"swiftBic": ["HAVIGB2L123"]}, query=True) == {
        ("bic", "HAVIGB2L123"),
        ("bic", "HAVIGB2L"),
    }
    assert extract_identifiers({"swiftBic": ["HAVIGB2L123"]}) == {("bic", "HAVIGB2L123")}
    assert extract_identifiers({"swiftBic": ["HAVIGB2LXXX"]}) == {("bic", "HAVIGB2L")}


def test_listed_head_office_covers_branches_but_a_listed_branch_not_its_head_office() -> None:
    head = Screener.from_entities([_entity("e-head", "Alpha Bank", "HAVIGB2L")])
    branch = Screener.from_entities([_entity("e-branch", "Beta Bank", "HAVIGB2L123")])

    def found(screener: Screener, bic: str) -> bool:
        query = {"schema": "Company", "properties": {"name": ["Gamma"], "swiftBic": [bic]}}
        return any(m.score.match for m in screener.screen(query).results)

    assert found(head, "HAVIGB2L123") and found(head, "HAVIGB2LXXX") and found(head, "HAVIGB2L")
    assert found(branch, "HAVIGB2L123")
    assert not found(branch, "HAVIGB2L")  # the head office of a listed branch is not listed
    assert not found(branch, "HAVIGB2L456")  # nor is a sibling branch


def test_free_form_identifier_is_tried_as_every_valid_type() -> None:
    assert identifier_properties("IMO 9187629") == {
        "idNumber": ["IMO 9187629"],
        "imoNumber": ["IMO 9187629"],
    }
    assert identifier_properties("HAVIGB2L") == {"swiftBic": ["HAVIGB2L"]}
    assert "unscId" in identifier_properties("QDi.001")
    assert identifier_properties("9187628") == {"idNumber": ["9187628"]}  # bad check digit
    assert identifier_properties("Putin") == {}


def test_strong_identifier_alone_is_an_explained_match() -> None:
    listed = _record("Vessel", name=["ARTAVIL"], imoNumber=["9187629"])
    query = _record("Vessel", name=["Ocean Pearl"], idNumber=["IMO 9187629"], imoNumber=["9187629"])
    score = compare_records(query, listed)
    assert score.match and score.score >= DEFAULT_THRESHOLD
    assert _identifier(score)["detail"] == "same IMO 9187629; name differs: possible rename"
    other = _record("Vessel", name=["Ocean Pearl"], imoNumber=["9176187"])
    assert not compare_records(other, listed).match


def test_passport_needs_a_country_in_common_to_match_alone() -> None:
    listed = _record("Person", name=["Ali Hassan"], passportNumber=["B011641"], nationality=["ir"])
    bare = compare_records(_record("Person", name=["John Smith"], idNumber=["B011641"]), listed)
    assert not bare.match and "evidence only" in _identifier(bare)["detail"]
    same = _record("Person", name=["John Smith"], idNumber=["B011641"], nationality=["ir"])
    assert compare_records(same, listed).match
    elsewhere = _record("Person", name=["John Smith"], idNumber=["B011641"], nationality=["fr"])
    assert not compare_records(elsewhere, listed).match
    short = _record("Person", name=["Ali Hassan"], passportNumber=["A123"], nationality=["ir"])
    query = _record("Person", name=["John Smith"], idNumber=["A123"], nationality=["ir"])
    assert not compare_records(query, short).match  # too short to identify anyone alone


def test_registration_number_without_country_never_matches_alone() -> None:
    listed = _record("Company", name=["Alpha Trading LLC"], registrationNumber=["1027700132195"])
    query = _record("Company", name=["Omega Holdings"], registrationNumber=["1027700132195"])
    score = compare_records(query, listed)
    assert not score.match and 0 < score.score < DEFAULT_THRESHOLD


@pytest.fixture(scope="module")
def sdn_screener(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Screener:
    from sanctions.store import Store

    store = Store.open(tmp_path_factory.mktemp("sdn") / "sdn.db")
    store.load(shared_data / SDN_SET)
    screener = Screener(store)
    screener.refresh()
    return screener


@pytest.mark.slow
def test_every_sdn_vessel_is_found_by_its_imo_under_another_name(sdn_screener: Screener) -> None:
    vessels = [
        e for e in sdn_screener.store.iter_entities() if e.schema == "Vessel" and e.get("imoNumber")
    ]
    assert len(vessels) > 100
    missed = []
    for vessel in vessels:
        imo = vessel.get("imoNumber")[0]
        query = {"schema": "Vessel", "properties": {"name": ["Ocean Pearl"], "imoNumber": [imo]}}
        result = sdn_screener.screen(query, limit=3)
        if not any(m.record.id == vessel.id and m.score.match for m in result.results):
            missed.append((vessel.id, imo))
    assert missed == []


@pytest.mark.slow
def test_renamed_tanker_of_the_issue(sdn_screener: Screener) -> None:
    query = {
        "schema": "Vessel",
        "properties": {"name": ["Ocean Pearl"], **identifier_properties("9187629")},
    }
    top = sdn_screener.screen(query).results[0]
    assert top.record.caption == "ARTAVIL" and top.score.match
    assert "possible rename" in _identifier(top.score)["detail"]


@pytest.mark.slow
def test_listed_bank_found_by_bic_head_office_and_branch(sdn_screener: Screener) -> None:
    banks = [
        e for e in sdn_screener.store.iter_entities() if any(len(b) == 8 for b in e.get("swiftBic"))
    ]
    assert banks
    bank = banks[0]
    bic = next(b for b in bank.get("swiftBic") if len(b) == 8)
    for text in (bic, bic + "XXX", bic + "123"):
        hits = search_hits(sdn_screener, text)
        assert bank.id in [r.id for r, _ in hits], text
    query = {"schema": "Company", "properties": {"swiftBic": [bic + "123"]}}
    assert sdn_screener.screen(query).results[0].score.match


@pytest.mark.slow
def test_un_reference_finds_the_un_entry(un_screener: Screener) -> None:
    listed = [e for e in un_screener.store.iter_entities() if e.get("unscId")][:25]
    assert listed
    for entity in listed:
        ref = entity.get("unscId")[0]
        hits = search_hits(un_screener, ref.lower())
        assert entity.id in [r.id for r, _ in hits], ref
        result = un_screener.screen({"schema": "Thing", "properties": {"unscId": [ref]}})
        assert result.results[0].record.id == entity.id and result.results[0].score.match
