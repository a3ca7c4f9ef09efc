"""Bounds hold where alignment lifts a pair above its spelling, and beside the names.

Alignment pairs two forms of one given name in two languages at
:data:`GIVEN_NAME_SIMILARITY` (``david`` ~ ``dawood``: 0.795 by spelling), so every
bound over a query word (the index's candidate bound, the tight bound, the watch
prefilter's) must take the lifted value, or a record scoring the floor is dropped
before it is scored. And the ceiling the finder stops by (:func:`bounds.score_ceiling`)
is never under the score, whatever dates, countries, gender and identifiers add.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sanctions.matching import MatchIndex, name_tokens
from sanctions.matching.bounds import CEILING_MARGIN, score_ceiling
from sanctions.matching.names import GIVEN_NAME_SIMILARITY, token_similarity
from sanctions.matching.normalise import given_name_forms
from sanctions.matching.score import Record, score_value
from sanctions.screening import Screener, parse_query
from sanctions.watch.prefilter import RecordKeys


def _person(name: str, **props: list[str]) -> Record:
    return parse_query({"id": name, "schema": "Person", "properties": {"name": [name], **props}})


def _name_score(index: MatchIndex, query: Record, record: Record) -> float:
    """The score of ``record``'s names alone against ``query`` (no other evidence)."""
    return score_value(query, record, index.rows_fn(query), record.names, index.frequencies)


def _candidate_ids(index: MatchIndex, query: Record, floor: float) -> set[str]:
    found = index.candidate_set(query, floor)
    return {found.record(i).id for i in range(len(found))}


def test_spelling_alone_puts_david_under_the_given_name_lift() -> None:
    """The premise: under 0.8 by spelling, a candidate by the lift only."""
    assert "dawood" in given_name_forms("david")
    assert 0.7 <= token_similarity("david", "dawood") < GIVEN_NAME_SIMILARITY


def test_a_given_name_lift_bounds_a_word_not_listed() -> None:
    listed = _person("Dawood Ibrahim Memon")
    index = MatchIndex([listed, _person("Mary Jones")])
    query = _person("David Ibrahim Memon")
    assert "david" not in index.vocab_id
    # the rows alignment scores with keep the spelling; the bounds take the lift
    assert index.similar_tokens("david")["dawood"] < GIVEN_NAME_SIMILARITY
    vids, sims = index.similar_ids("david")
    assert sims[vids.tolist().index(index.vocab_id["dawood"])] == GIVEN_NAME_SIMILARITY
    value = _name_score(index, query, listed)
    assert value > 0.0
    assert listed.id in _candidate_ids(index, query, value - CEILING_MARGIN)


def test_real_records_reachable_only_through_the_lift_are_candidates(
    un_screener: Screener,
) -> None:
    """UN-listed names holding ``Dawood``, asked for with ``David`` (0.795 by spelling):
    each is a candidate at the floor of its own score."""
    index: MatchIndex = un_screener.index
    assert "dawood" in index.vocab_id
    listed = [r for r in index.records if any("dawood" in f.tokens for f in r.names)]
    assert listed
    checked = 0
    for record in listed:
        for form in record.names:
            if "dawood" not in form.tokens or len(form.tokens) < 2:
                continue
            words = ["david" if t == "dawood" else t for t in form.tokens]
            query = parse_query({"schema": "Person", "properties": {"name": [" ".join(words)]}})
            value = _name_score(index, query, record)
            if value <= 0.0:
                continue
            assert record.id in _candidate_ids(index, query, value - CEILING_MARGIN), words
            checked += 1
    assert checked > 0


def test_the_watch_prefilter_keeps_a_record_met_through_the_lift() -> None:
    """Watched "David Ibrahim Memon" against a new listed "Dawood Ibrahim Memon"."""
    watched = _person("David Ibrahim Memon")
    new = _person("Dawood Ibrahim Memon")
    keys = RecordKeys([(watched.id, "h", watched), ("other", "h", _person("Mary Jones"))])
    small = MatchIndex([new])
    value = _name_score(small, watched, new)
    assert value > 0.0
    touched = keys.touched_by(name_tokens(new), (), value - CEILING_MARGIN, new.names)
    assert (watched.id, "h") in touched


QUERY: dict[str, Any] = {
    "birthDate": ["1961-03-04"],
    "nationality": ["ru"],
    "gender": ["male"],
    "passportNumber": ["4509 123456"],
}
LISTED = [
    {},  # names only
    {"birthDate": ["1961-03-04"]},  # dates agree
    {"birthDate": ["1961"]},  # the year agrees
    {"birthDate": ["1975-11-20"]},  # years apart
    {"nationality": ["ru"]},  # same country
    {"nationality": ["fr"]},  # another country
    {"gender": ["female"]},  # another gender
    {"passportNumber": ["4509 123456"], "nationality": ["ru"]},  # a shared identifier
    {"passportNumber": ["4509 123456"]},  # ... with no country to say it is strong
    {"birthDate": ["1961-03-04"], "nationality": ["ru"], "gender": ["male"]},  # all agree
    {"birthDate": ["1990"], "nationality": ["de"], "gender": ["female"]},  # all differ
]


@pytest.mark.parametrize("listed_name", ["Ivan Petrov", "Ivan Petrovich Sidorov", "John Smith"])
@pytest.mark.parametrize("props", LISTED)
def test_the_ceiling_is_never_under_the_score(listed_name: str, props: dict[str, Any]) -> None:
    """:func:`bounds.secondary_bounds` and :func:`score._secondary` follow the same rules:
    from the names' own score, the ceiling is at least the score with the evidence."""
    query = _person("Ivan Petrov", **QUERY)
    cand = parse_query(
        {"id": "c", "schema": "Person", "properties": {"name": [listed_name], **props}},
        listed=True,
    )
    bare = replace(query, dates=[], countries=frozenset(), gender=None, identifiers=frozenset())
    name_only = score_value(bare, cand)
    value = score_value(query, cand)
    assert value <= score_ceiling(query, cand, name_only), (listed_name, props, value)
