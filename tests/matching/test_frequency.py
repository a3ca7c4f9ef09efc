"""Word frequencies over the listed names: one table, the same score everywhere."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from sanctions.matching import (
    DEFAULT_THRESHOLD,
    NO_FREQUENCIES,
    MatchIndex,
    TokenFrequency,
    activate_frequencies,
    compare_records,
    prepare_records,
    search,
)
from sanctions.matching.frequency import COMMON_COUNT, RARE_COUNT, active
from sanctions.matching.names import align_score, make_name_forms
from sanctions.model import Entity, Listing
from sanctions.screening import parse_query


def person(eid: str, *names: str) -> Entity:
    entity = Entity(id=eid, schema="Person", listing=Listing("fixture", eid))
    for i, name in enumerate(names):
        entity.add_name(name, "primary" if i == 0 else "alias")
    return entity


def query(name: str) -> Any:
    return parse_query({"id": "q", "schema": "Person", "properties": {"name": [name]}})


def table(**counts: int) -> TokenFrequency:
    return TokenFrequency(counts, 10_000)


def test_commonness_is_log_graded_between_rare_and_common() -> None:
    freq = table(luis=COMMON_COUNT * 3, maria=COMMON_COUNT, jose=30, ryabkov=RARE_COUNT)
    assert freq.commonness("luis") == freq.commonness("maria") == 1.0
    assert 0.0 < freq.commonness("jose") < 1.0
    assert freq.commonness("ryabkov") == freq.commonness("unlisted") == 0.0
    assert freq.count("jose") == 30 and freq.count("unlisted") == 0


def test_the_table_counts_records_not_names_and_is_deterministic() -> None:
    entities = [
        person("a", "Luis Hernandez", "Luis Hernandes", "Luis Hernandez Zea"),
        person("b", "Luis Antonio Perez"),
        person("c", "Ryabkov Sergei"),
    ]
    records = prepare_records(entities)
    freq = TokenFrequency.from_records(records)
    assert freq.count("luis") == 2  # three names of "a" count once
    assert freq.count("hernandez") == 1 and freq.records == 3
    again = TokenFrequency.from_records(list(reversed(records)))
    assert again == freq and again.digest == freq.digest
    copy = pickle.loads(pickle.dumps(freq))
    assert copy == freq and copy.commonness("luis") == freq.commonness("luis")


def test_listed_words_not_given_cost_more_when_the_agreement_is_common() -> None:
    """'Luis Hernandez' meets 'HERNANDEZ ZEA, Luis Antonio': two common words agree,
    two listed words are not given. With rare words agreeing the same shape stays a match."""
    freq = table(luis=COMMON_COUNT, hernandez=COMMON_COUNT)
    listed = prepare_records([person("c", "HERNANDEZ ZEA, Luis Antonio")])[0]
    plain = compare_records(query("Luis Hernandez"), listed, frequencies=NO_FREQUENCIES)
    common = compare_records(query("Luis Hernandez"), listed, frequencies=freq)
    assert plain.match and not common.match
    rare = prepare_records([person("r", "RYABKOV ZEA, Sergei Antonio")])[0]
    assert compare_records(query("Sergei Ryabkov"), rare, frequencies=freq).match


def test_frequencies_only_lower_a_name_score() -> None:
    """The index's bounds assume caps and penalties only lower a score (see bounds.py)."""
    freq = table(luis=500, maria=200, hernandez=40, jose=90, ali=600, mohammed=900)
    names = [
        "Luis Hernandez",
        "HERNANDEZ ZEA, Luis Antonio",
        "Maria Jose Hernandez",
        "Mohammed Ali",
        "Ali Mohammed Hassan Al-Tikriti",
        "Jose Luis",
    ]
    forms = [form for name in names for form in make_name_forms(name, "Person")]
    for q in forms:
        for c in forms:
            with_freq = align_score(q, c, kind="person", freq=freq)[0]
            assert with_freq <= align_score(q, c, kind="person", freq=NO_FREQUENCIES)[0] + 1e-12


def test_a_small_index_given_the_full_table_scores_as_the_full_index() -> None:
    """The watch delta run's small index holds only the changed entities: with its own
    counts a common word would look rare there. Given the full table it scores alike."""
    crowd = [person(f"p{i}", f"Luis Crowd{i} Hernandez") for i in range(COMMON_COUNT)]
    new = person("new", "HERNANDEZ ZEA, Luis Antonio")
    full = MatchIndex(prepare_records([*crowd, new]))
    own = MatchIndex(prepare_records([new]))
    given = MatchIndex(prepare_records([new]), frequencies=full.frequencies)
    q = query("Luis Hernandez")

    def best(index: MatchIndex) -> float:
        hits = [h for h in search(index, q, limit=200) if h.record.id == "new"]
        return hits[0].score.score

    assert best(given) == best(full) < DEFAULT_THRESHOLD <= best(own)


def test_loading_a_full_index_makes_its_table_the_pair_scorers() -> None:
    freq = table(luis=COMMON_COUNT, hernandez=COMMON_COUNT)
    listed = prepare_records([person("c", "HERNANDEZ ZEA, Luis Antonio")])[0]
    previous = activate_frequencies(freq)
    try:
        assert active() is freq
        assert compare_records(query("Luis Hernandez"), listed) == compare_records(
            query("Luis Hernandez"), listed, frequencies=freq
        )
    finally:
        activate_frequencies(previous)


@pytest.mark.parametrize("name", ["Luis Hernandez", "HERNANDEZ ZEA, Luis Antonio"])
def test_a_name_compared_with_itself_still_scores_one(name: str) -> None:
    freq = table(luis=COMMON_COUNT, hernandez=COMMON_COUNT, zea=COMMON_COUNT)
    listed = prepare_records([person("c", name)])[0]
    assert compare_records(query(name), listed, frequencies=freq).score == 1.0
