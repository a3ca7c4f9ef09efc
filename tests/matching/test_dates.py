"""Dates of birth with precision: contradiction lowers, absence does not."""

from __future__ import annotations

from sanctions.matching.dates import compare_dates
from sanctions.model import FuzzyDate


def d(value: str, circa: bool = False, end: str | None = None) -> FuzzyDate:
    return FuzzyDate(value, circa=circa, end=end)


def test_same_day_is_exact_and_adds() -> None:
    result = compare_dates([d("1952-10-07")], [d("1952-10-07")])
    assert result.outcome == "exact" and result.delta > 0


def test_year_only_is_compatible_with_a_day_in_that_year() -> None:
    assert compare_dates([d("1952-10-07")], [d("1952")]).outcome == "compatible"


def test_circa_widens_by_a_year() -> None:
    assert compare_dates([d("1953-02-01")], [d("1952", circa=True)]).outcome == "compatible"


def test_ranges_are_intervals() -> None:
    assert compare_dates([d("1961")], [d("1960", end="1962")]).outcome == "compatible"
    assert compare_dates([d("1965")], [d("1960", end="1962")]).outcome == "contradiction"
    assert compare_dates([d("1970")], [d("1960", end="1962")]).outcome == "far"


def test_contradiction_lowers_absence_does_not() -> None:
    assert compare_dates([d("1990-01-01")], [d("1952-10-07")]).delta < 0
    assert compare_dates([], [d("1952-10-07")]).delta == 0
    assert compare_dates([d("1952")], []).delta == 0


def test_swapped_day_and_month_or_one_year_off_is_near() -> None:
    assert compare_dates([d("1952-07-10")], [d("1952-10-07")]).outcome == "near"
    assert compare_dates([d("1953")], [d("1952")]).outcome == "near"


def test_dates_years_apart_put_a_name_only_agreement_below_the_threshold() -> None:
    from sanctions.matching import DEFAULT_THRESHOLD, compare_records, record_from_entity
    from sanctions.model import Entity

    def person(key: str, dob: str, passport: str | None = None) -> Entity:
        entity = Entity.create("test", key, "Person")
        entity.add_name("Sergey Borisovich RYZHKOV")
        entity.add_date(dob)
        if passport:
            entity.add("passportNumber", passport)
        return entity

    listed = record_from_entity(person("listed", "1951-09-10", "721234567"))
    far = record_from_entity(person("q1", "1970-03-02"))
    assert compare_records(far, listed).score < DEFAULT_THRESHOLD
    same_id = record_from_entity(person("q2", "1970-03-02", "721234567"))
    assert compare_records(same_id, listed).score >= DEFAULT_THRESHOLD
    near = record_from_entity(person("q3", "1952-09-10"))
    assert compare_records(near, listed).score >= DEFAULT_THRESHOLD


def test_a_date_one_keystroke_away_is_near_but_costs_nothing() -> None:
    """One digit, one day, or day and month swapped: a likely typo (UN rows perturbed so
    scored a listing under its copies on lists that give the year only)."""
    from sanctions.matching.dates import DATE_DELTAS, TYPO_DELTA

    for query, listed in (
        ("1982-09-26", "1982-08-26"),
        ("1978-10-20", "1978-10-19"),
        ("1978-10-31", "1978-11-01"),
        ("1952-07-10", "1952-10-07"),
        ("1943", "1942"),
    ):
        evidence = compare_dates([d(query)], [d(listed)])
        assert (evidence.outcome, evidence.delta) == ("near", TYPO_DELTA), (query, listed)
        assert "likely typo" in evidence.detail
    # further apart, or a year off at year precision written differently: still a cost
    for query, listed in (("1978-10-20", "1978-10-17"), ("1950", "1949"), ("1978-10", "1979-03")):
        evidence = compare_dates([d(query)], [d(listed)])
        assert (evidence.outcome, evidence.delta) == ("near", DATE_DELTAS["near"]), query
    assert TYPO_DELTA < DATE_DELTAS["compatible"]
    # the typo pair wins over a plain near pair among several dates
    both = compare_dates([d("1978-10-20"), d("1979-03-01")], [d("1978-10-19")])
    assert both.delta == TYPO_DELTA
