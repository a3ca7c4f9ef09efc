"""One rule, one place: the shortcuts of alignment and scoring follow the rule they stand for.

* the weight of an aligned pair (:func:`alignment._pair_weight`) is the one the greedy
  alignment adds and the one its bound :func:`alignment._ceiling` adds: a rule that gave
  more weight would raise both, never leave the bound under the score;
* :func:`score.score_value` with a floor compares the dates of birth once;
* the rigour release check of :mod:`symbols` is the one the number-word shortcut of
  :mod:`normalise` obeys, and the table is cached under :func:`sanctions.config.cache_dir`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rigour import _core as rigour_core

from sanctions.matching import alignment, normalise, score, symbols
from sanctions.matching.alignment import align_over, align_score
from sanctions.matching.forms import make_name_forms, schema_kind
from sanctions.matching.frequency import EMPTY
from sanctions.matching.similarity import naive_rows
from sanctions.screening import parse_query

WORDS = ["john", "jon", "smith", "smyth", "j", "s", "m", "al", "bin", "global", "llc", "5"]
name = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


def _uncapped(span_weight: list[float], qi: int, qs: Any, cs: Any) -> float:
    """A pair weight rule that gives an initial its whole weight (more than the real one)."""
    return span_weight[qi]


def _scores(query: str, listed: str, kind: str) -> Iterator[tuple[Any, Any, float, float]]:
    """(query form, listed form, score, bound) of every pair of forms of two names."""
    k = schema_kind(kind)
    for qform in make_name_forms(query, kind):
        for cform in make_name_forms(listed, kind):
            found = align_score(qform, cform, naive_rows, k, EMPTY)[0]
            facts = alignment._facts_of(qform)
            groups = facts.given_groups if k == "person" else []
            pairs = alignment._candidate_pairs(qform, cform, naive_rows, groups)
            yield qform, cform, found, alignment._ceiling(qform, cform, pairs, facts)


def test_a_pair_weight_rule_that_gives_more_raises_the_score_and_its_bound_alike() -> None:
    plain = [(s, b) for _q, _c, s, b in _scores("john smith", "j smith", "Person")]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(alignment, "_pair_weight", _uncapped)
        more = [(s, b) for _q, _c, s, b in _scores("john smith", "j smith", "Person")]
    assert plain and len(more) == len(plain)
    assert any(m[0] > p[0] for m, p in zip(more, plain, strict=True))  # the greedy follows
    assert all(score_ <= bound for score_, bound in more)  # and so does the bound


@settings(max_examples=150, deadline=None)
@given(query=name, listed=name, kind=st.sampled_from(["Person", "Company"]))
def test_the_bound_holds_under_another_pair_weight_rule(query: str, listed: str, kind: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(alignment, "_pair_weight", _uncapped)
        for qform, cform, found, bound in _scores(query, listed, kind):
            assert bound >= found
            k = schema_kind(kind)
            assert align_over(qform, cform, naive_rows, k, EMPTY, found) is not None


def _counting(calls: list[int], real: Callable[..., Any]) -> Callable[..., Any]:
    def counted(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    return counted


@pytest.mark.parametrize("floor", [0.0, 0.5, 0.9])
def test_score_value_compares_the_dates_of_birth_once(
    monkeypatch: pytest.MonkeyPatch, floor: float
) -> None:
    query = parse_query({"schema": "Person", "properties": {"name": ["John Smith"]}})
    query_dated = parse_query(
        {"schema": "Person", "properties": {"name": ["John Smith"], "birthDate": ["1970-01-02"]}}
    )
    listed = parse_query(
        {"schema": "Person", "properties": {"name": ["Jon Smyth"], "birthDate": ["1970-02-01"]}},
        listed=True,
    )
    for record in (query, query_dated):
        exact = score.score_value(record, listed)
        calls: list[int] = []
        monkeypatch.setattr(score, "compare_dates", _counting(calls, score.compare_dates))
        found = score.score_value(record, listed, floor=floor)
        monkeypatch.undo()
        assert calls == [1]
        assert found == exact or (found == 0.0 and exact < floor)


def test_number_spellings_are_every_spelling_rigour_gives() -> None:
    spellings = symbols.rigour_number_spellings()
    expected = [s for group in rigour_core.ordinals_dict().values() for s in group]
    assert spellings is not None and sorted(spellings) == sorted(expected)
    assert {"eighty", "ochenta", "lxxxv"} <= set(spellings)


@pytest.fixture
def number_words_cleared() -> Iterator[None]:
    normalise._number_words.cache_clear()
    yield
    normalise._number_words.cache_clear()


@pytest.mark.usefixtures("number_words_cleared")
def test_an_unchecked_rigour_release_gets_no_number_word_shortcut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert symbols.rigour_verified() and normalise._number_words() is not None
    normalise._number_words.cache_clear()
    monkeypatch.setattr(symbols, "VERIFIED_RIGOUR", ("0.0.",))
    assert not symbols.rigour_verified()
    assert normalise._number_words() is None  # the one check, in symbols
    assert normalise.number_spans("twenty one trading") == ((0, 2, "21"),)  # the tagger answers


def test_the_table_is_cached_in_the_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    small = symbols.PersonSymbolTable.from_mapping({"zebulon": {"[NAME:Q1]"}})
    monkeypatch.setattr(symbols, "build_person_symbol_table", lambda: small)
    monkeypatch.setenv("SANCTIONS_CACHE_DIR", str(tmp_path / "cache"))
    table = symbols.read_or_build_table()
    assert table is not None and table.get("zebulon") == {"[NAME:Q1]"}
    assert [p.name.startswith("person-name-symbols-") for p in (tmp_path / "cache").iterdir()] == [
        True
    ]
