"""The alias-query measure's judgement of wrong alerts (benchmarks/_alias_queries.py)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import _alias_queries as aq  # noqa: E402

from sanctions.model import Entity, NameKind  # noqa: E402


def person(dataset: str, ref: str, name: str, dob: str | None = None) -> Entity:
    entity = Entity.create(dataset, ref, "Person")
    entity.add_name(name, NameKind.PRIMARY)
    if dob:
        entity.add_date(dob)
    return entity


def test_one_name_in_two_transliterations_has_one_skeleton() -> None:
    assert aq._skeleton("TOLCHINSKY, Dmitry") == aq._skeleton("Dmitri TOLCHINSKIY")
    assert aq._skeleton("Aleksandr") == aq._skeleton("Alexandr")
    assert aq._skeleton("Sergei Ryabkov") != aq._skeleton("Sergei Ryzhkov")


def test_the_same_subject_on_another_list_is_told_by_full_name_or_date_of_birth() -> None:
    sdn = person("us_ofac_sdn", "1", "Dmitry TOLCHINSKY")
    uk = person("gb_hmt_sanctions", "2", "Dmitri TOLCHINSKIY")
    other = person("gb_hmt_sanctions", "3", "Dmitri TOLCHINSKIY SR")
    assert aq.same_subject(sdn, uk)
    assert not aq.same_subject(sdn, other)
    assert not aq.same_subject(sdn, person("us_ofac_sdn", "4", "Dmitri TOLCHINSKIY"))  # one list
    born = person("us_ofac_sdn", "5", "Ali HASAN", dob="1970-01-02")
    assert aq.same_subject(born, person("au_dfat_sanctions", "6", "Hasan", "1970-01-02"))
    assert not aq.same_subject(born, person("au_dfat_sanctions", "7", "Hasan", "1970"))


def test_a_wrong_alert_on_the_same_subject_is_counted_apart() -> None:
    sdn = person("us_ofac_sdn", "1", "Dmitry TOLCHINSKY")
    uk = person("gb_hmt_sanctions", "2", "Dmitri TOLCHINSKIY")
    stranger = person("gb_hmt_sanctions", "3", "Dmitri TOLSTOY")
    by_id = {e.id: e for e in (sdn, uk, stranger)}
    assert aq._judge([sdn.id, uk.id], {sdn.id}, sdn, by_id) == (True, True, False)
    assert aq._judge([stranger.id], {sdn.id}, sdn, by_id) == (False, True, True)
