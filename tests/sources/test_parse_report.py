"""Values a parser cannot place are kept as text in notes and counted, never dropped."""

from __future__ import annotations

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
