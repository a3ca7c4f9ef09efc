"""The fast index finds exactly what a naive exhaustive scan finds (RapidFuzz's lesson).

The naive matcher scores the query against every record with the reference
token similarity (no index, no blocking, no pruning). For every record the
naive scan scores at or above the floor, the index must return it with the
same score.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctions.matching import DEFAULT_THRESHOLD, compare_records
from sanctions.matching.index import MatchIndex, prepare_records
from sanctions.model import Entity
from sanctions.screening import Screener, parse_query

SYLLABLES = [
    "al",
    "ab",
    "du",
    "put",
    "in",
    "vla",
    "di",
    "mir",
    "mo",
    "ha",
    "med",
    "ka",
    "ren",
    "bar",
    "ri",
    "ya",
    "sin",
    "ov",
    "ich",
    "a",
    "o",
    "kh",
    "ali",
    "nu",
]
SCHEMATA = ["Person", "Person", "Organization", "Company", "Vessel", "LegalEntity"]

word = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=4).map("".join)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)
entity_spec = st.tuples(st.sampled_from(SCHEMATA), st.lists(name, min_size=1, max_size=3))


def make_entities(specs: list[tuple[str, list[str]]]) -> list[Entity]:
    entities = []
    for i, (schema, names) in enumerate(specs):
        entity = Entity.create("test", f"e{i}", schema)
        for j, text in enumerate(names):
            entity.add_name(text, "primary" if j == 0 else "alias")
        entities.append(entity)
    return entities


def naive_scores(query: dict, entities: list[Entity], floor: float) -> dict[str, float]:
    record = parse_query(query)
    out = {}
    for cand in prepare_records(entities):
        score = compare_records(record, cand)
        if score.score >= floor:
            out[cand.id] = score.score
    return out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    specs=st.lists(entity_spec, min_size=1, max_size=25),
    query_name=name,
    query_schema=st.sampled_from(["Person", "Organization", "LegalEntity", "Thing"]),
)
def test_index_agrees_with_naive_exhaustive_scan(
    specs: list[tuple[str, list[str]]], query_name: str, query_schema: str
) -> None:
    entities = make_entities(specs)
    query = {"id": "q", "schema": query_schema, "properties": {"name": [query_name]}}
    screener = Screener(index=MatchIndex(prepare_records(entities)))
    floor = DEFAULT_THRESHOLD - 0.2
    fast = screener.screen(query, limit=len(entities) + 1, cutoff=floor)
    fast_scores = {m.record.id: m.score.score for m in fast.results}
    assert fast_scores == naive_scores(query, entities, floor)


def test_index_agrees_on_putin_spellings() -> None:
    entities = make_entities(
        [
            ("Person", ["PUTIN, Vladimir Vladimirovich", "Владимир Путин"]),
            ("Person", ["Vladimir Petrov"]),
            ("Vessel", ["VLADIMIR PUTIN"]),
        ]
    )
    screener = Screener(index=MatchIndex(prepare_records(entities)))
    for spelling in ["Wladimir Poutine", "فلاديمير بوتين", "Путин В. В.", "Vlagyimir Putyin"]:
        query = {"schema": "Person", "properties": {"name": [spelling]}}
        fast = {m.record.id: m.score.score for m in screener.screen(query, cutoff=0.3).results}
        assert fast == naive_scores(query, entities, 0.3)
