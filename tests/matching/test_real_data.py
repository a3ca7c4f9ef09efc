"""Real behaviour on the real UN list (loaded once per session)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanctions.matching import compare_records
from sanctions.model import Entity
from sanctions.screening import Screener, parse_query

# Rows of the eval file (original and perturbed spellings) -> their UN reference.
EXPECTED = {
    "ABDULHAI SALEK": "TAi.",
    "SALEK, ABDULHAI": "TAi.",
    "AREFULLAHA REF GHAZI MOHAMMAD": "TAi.",
    "HAFIZ ABUDL SALAM BHUTTAVI": "QDi.",
    "AZAM ELMI, MOHAMMAD": "TAi.",
    "JAABER ABDALLAH JABER AHMAD AL-JALAHMAH": "QDi.",
}


def eval_rows(shared_data: Path, name: str) -> list[dict[str, str]]:
    with open(shared_data / "eval" / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def person(name: str, birth: str = "", nationality: str = "") -> dict:
    props = {"name": [name]}
    if birth:
        props["birthDate"] = [birth]
    if nationality:
        props["nationality"] = [nationality]
    return {"id": "q", "schema": "Person", "properties": props}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_un_people_are_found_first_from_their_eval_rows(
    un_screener: Screener, shared_data: Path, name: str
) -> None:
    rows = eval_rows(shared_data, "un_people_original.csv") + eval_rows(
        shared_data, "un_people_perturbed.csv"
    )
    row = next(r for r in rows if r["full_name"] == name)
    result = un_screener.screen(person(name, row["date_of_birth"], row["nationality"]))
    top = result.results[0]
    assert top.score.match, top.score.explanations
    assert top.record.properties["unscId"][0].startswith(EXPECTED[name])
    assert top.record.id.startswith("un_sc_sanctions-")


def test_first_twenty_perturbed_rows_find_the_same_entity_as_the_original(
    un_screener: Screener, shared_data: Path
) -> None:
    original = eval_rows(shared_data, "un_people_original.csv")[:20]
    perturbed = eval_rows(shared_data, "un_people_perturbed.csv")[:20]
    for a, b in zip(original, perturbed, strict=True):
        first = un_screener.screen(person(a["full_name"], a["date_of_birth"])).results[0]
        second = un_screener.screen(person(b["full_name"], b["date_of_birth"])).results[0]
        assert first.record.id == second.record.id, (a["full_name"], b["full_name"])
        assert second.score.match


def test_a_person_never_matches_a_vessel(un_screener: Screener) -> None:
    vessel = Entity.create("test", "v1", "Vessel")
    vessel.add_name("JAWHAR MAJID AL-DURI")
    screener = Screener.from_entities(
        [vessel, *(e for e in un_screener.store.iter_entities() if e.id.endswith("IQi.068"))]
    )
    as_person = screener.screen(person("Jawhar Majid al-Duri"))
    assert [m.record.schema for m in as_person.results] == ["Person"]
    as_vessel = screener.screen({"schema": "Vessel", "properties": {"name": ["Jawhar Majid"]}})
    assert [m.record.id for m in as_vessel.results] == ["test-v1"]


def test_corp_alone_never_matches(un_screener: Screener) -> None:
    for text in ("CORP", "Company", "LLC", "Trading Company Ltd"):
        result = un_screener.screen({"schema": "Company", "properties": {"name": [text]}})
        assert not result.matches, text


def test_original_script_names_meet_the_latin_ones(un_screener: Screener) -> None:
    record = next(
        r
        for r in un_screener.index.records
        if r.id == "un_sc_sanctions-IQi.068"  # JAWHAR MAJID AL-DURI, also in Arabic
    )
    latin = parse_query(person("Jawhar Majid al-Duri"))
    arabic = parse_query(person("جوهر مجيد الدوري"))
    assert compare_records(latin, record).match
    assert compare_records(arabic, record).match
    found = un_screener.screen(person("جوهر مجيد الدوري")).results[0]
    assert found.record.id == record.id


def test_cyrillic_spelling_of_a_latin_listed_name_matches(un_screener: Screener) -> None:
    listed = parse_query(person("Maghomed Maghomedzakirovich Abdurakhmanov"))
    cyrillic = parse_query(person("Магомед Магомедзакирович Абдурахманов"))
    assert compare_records(cyrillic, listed).match


def test_results_carry_un_reference_and_explanations(un_screener: Screener) -> None:
    result = un_screener.screen(person("Ezatullah Haqqani Khan Sayyid", "1957")).to_dict()
    top = result["results"][0]
    assert top["properties"]["unscId"] == ["TAi.064"]
    assert {e["feature"] for e in top["explanations"]} >= {"name", "birth_date"}
    assert result["algorithm"]["name"] == "sanctions-match"
