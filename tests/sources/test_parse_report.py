"""Values a parser cannot place are kept as text in notes and counted, never dropped."""

from __future__ import annotations

import pytest

from sanctions.model import Entity
from sanctions.sources.base import ParseReport, collect_report, not_understood


def _person(authority_id: str = "1") -> Entity:
    return Entity.create("au_dfat_sanctions", authority_id, "Person")


def test_value_not_understood_is_kept_in_notes_with_its_field_and_counted() -> None:
    entity = _person()
    with collect_report() as report:
        not_understood(entity, "birthDate", "Between 1963 to 1968?")
        not_understood(entity, "birthDate", "Between 1963 to 1968?")  # same value: once
        not_understood(_person("2"), "birthDate", "24/06/1402 (Hijri)")
        not_understood(entity, "passportNumber", "Uganda Passport.")
    assert entity.get("notes") == [
        "birthDate (not understood): Between 1963 to 1968?",
        "passportNumber (not understood): Uganda Passport.",
    ]
    assert report.total == 3
    assert report.counts == {"birthDate": 2, "passportNumber": 1}
    assert report.summary() == [
        "2 dates of birth (birthDate) not understood, kept as text",
        "1 passport texts (passportNumber) not understood, kept as text",
    ]
    assert report.to_dict()["examples"]["birthDate"][0] == [entity.id, "Between 1963 to 1968?"]


def test_outside_a_report_the_value_is_still_kept_in_notes() -> None:
    entity = _person()
    not_understood(entity, "nationality", "Atlantean")
    not_understood(entity, "nationality", "  ")
    assert entity.get("notes") == ["nationality (not understood): Atlantean"]


def test_reports_do_not_leak_between_blocks() -> None:
    with collect_report() as first:
        not_understood(_person(), "birthDate", "x")
    with collect_report() as second:
        pass
    assert first.total == 1 and second.total == 0 and ParseReport().summary() == []


@pytest.mark.slow
def test_every_real_list_load_reports_what_it_could_not_place(real_store_loads: dict) -> None:
    results = real_store_loads["results"]
    assert results
    for result in results.values():
        assert sum(result.not_understood.values()) >= 0
        assert len(result.not_understood_lines) == len(result.not_understood)
    dfat = results["au/dfat/regulation8_consolidated_2024-11-11.xlsx"]
    assert dfat.not_understood["birthDate"] >= 1  # a Hijri date of birth, kept as text
    assert dfat.not_understood_lines[0].endswith("not understood, kept as text")


def test_a_country_value_no_parser_could_code_leaves_the_country_property(tmp_path) -> None:
    # Any format, through the one parse entry point: an FtM file naming an unknown country.
    import json

    from sanctions.sources import detect_format

    path = tmp_path / "list.ftm.json"
    record = {
        "id": "x-1",
        "schema": "Person",
        "properties": {
            "name": ["Jane Fictional"],
            "nationality": ["Atlantis", "ru"],
            "country": ["Region: Kafia Kingi"],
        },
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    fmt = detect_format(path)
    with collect_report() as report:
        (entity,) = list(fmt.parse(path, dataset="test"))
    assert entity.get("nationality") == ["ru"]
    assert entity.get("country") == []
    assert "nationality (not understood): Atlantis" in entity.get("notes")
    assert "country (not understood): Region: Kafia Kingi" in entity.get("notes")
    assert report.counts == {"nationality": 1, "country": 1}
