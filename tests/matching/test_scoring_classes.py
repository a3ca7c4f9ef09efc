"""Scoring classes of matcher 2.3: "Abd" spellings, one distinctive word met approximately.

'Abd' (servant of) is one word however it is spelt: Abd, Abdul, Abdel, Abdur, or ``bd``
read from Arabic script without vowels."""

from __future__ import annotations

import pytest

from sanctions.matching import DEFAULT_THRESHOLD, MatchIndex, compare_records, prepare_records
from sanctions.matching import search as find
from sanctions.matching.names import (
    ABD_SIMILARITY,
    ONE_WORD_FUZZY,
    align_score,
    make_name_forms,
    token_similarity,
)
from sanctions.model import Entity, Listing
from sanctions.screening import parse_query


def listed(eid: str, name: str) -> Entity:
    entity = Entity(id=eid, schema="Person", listing=Listing("fixture", eid))
    entity.add_name(name)
    return entity


@pytest.mark.parametrize(
    ("a", "b"), [("abd", "abdul"), ("abdel", "abdur"), ("bd", "abdul"), ("abdu", "abd")]
)
def test_abd_spellings_align(a: str, b: str) -> None:
    assert token_similarity(a, b) == token_similarity(b, a) == ABD_SIMILARITY


def test_other_words_beginning_with_abd_are_not_abd() -> None:
    assert token_similarity("abdullah", "abd") < ABD_SIMILARITY
    assert token_similarity("abdi", "abdul") < ABD_SIMILARITY  # Abdi: a Somali given name


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("عبد البصیر نورزی", "Abdul Basir Noorzai"),
        ("Abd al-Basir Noorzai", "Abdul Basir Noorzai"),
    ],
)
def test_the_index_finds_what_the_pair_scorer_scores(query: str, name: str) -> None:
    records = prepare_records([listed("c", name), listed("o", "Abdul Rahim Other")])
    q = parse_query({"id": "q", "schema": "Person", "properties": {"name": [query]}})
    pair = compare_records(q, records[0], frequencies=None)
    hits = find(MatchIndex(records), q, limit=5)
    assert hits and hits[0].record.id == "c"
    assert hits[0].score.score == pair.score >= DEFAULT_THRESHOLD


def _name_score(query: str, listed: str, schema: str = "Organization") -> float:
    q = make_name_forms(query, schema)[0]
    return align_score(q, make_name_forms(listed, schema)[0], kind="org")[0]


@pytest.mark.parametrize(
    ("query", "listed"), [("BARZIN", "ARZIN"), ("NIORDC", "NIOPDC"), ("COMBA", "SIMBA")]
)
def test_one_word_met_only_approximately_is_not_a_match(query: str, listed: str) -> None:
    """Nothing else in the query corroborates an approximate word (one-word names and
    acronyms of other listed parties)."""
    assert token_similarity(query.lower(), listed.lower()) >= 0.8
    assert _name_score(query, listed) < DEFAULT_THRESHOLD


def test_one_word_met_exactly_or_with_another_word_is_not_discounted() -> None:
    assert _name_score("CIMEX", "CIMEX") == 1.0
    assert _name_score("LUKOIL", "LUKOIL OIL COMPANY") > DEFAULT_THRESHOLD
    two_words = _name_score("BARZIN TRADING", "ARZIN TRADING")
    assert two_words >= DEFAULT_THRESHOLD
    one_word = _name_score("BARZIN", "ARZIN")
    assert one_word == pytest.approx(token_similarity("barzin", "arzin") - ONE_WORD_FUZZY)


@pytest.mark.parametrize(("query", "listed"), [("דוד", "David"), ("สมชาย", "Somchai")])
def test_one_word_read_from_another_script_is_not_discounted(query: str, listed: str) -> None:
    """A reading is approximate by nature: the one-word discount is for Latin queries."""
    q = parse_query({"schema": "Person", "properties": {"name": [query]}})
    c = parse_query({"schema": "Person", "properties": {"name": [listed]}}, listed=True)
    assert compare_records(q, c).score >= 0.85
