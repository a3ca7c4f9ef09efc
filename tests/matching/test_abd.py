"""'Abd' (servant of) is one word however it is spelt: Abd, Abdul, Abdel, Abdur, or ``bd``
read from Arabic script without vowels."""

from __future__ import annotations

import pytest

from sanctions.matching import DEFAULT_THRESHOLD, MatchIndex, compare_records, prepare_records
from sanctions.matching import search as find
from sanctions.matching.names import ABD_SIMILARITY, token_similarity
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
