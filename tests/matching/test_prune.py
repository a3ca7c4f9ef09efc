"""Candidate search under the floor (:mod:`sanctions.matching.prune`) changes no result.

Each test screens the same queries twice, pruned and exhaustive (pruning
switched off), and asserts identical candidates, results, scores and
explanations; and that pruning did take place, so the comparison is not empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctions.matching import prune
from sanctions.matching.bounds import name_floor
from sanctions.matching.index import MatchIndex, prepare_records
from sanctions.model import Entity
from sanctions.screening import Screener, parse_query


@contextmanager
def counting() -> Iterator[list[int]]:
    """Counts the query names whose candidate search was pruned."""
    saved = prune.pruned_pairs
    pruned = [0]

    def count(*args: Any, **kwargs: Any) -> Any:
        pairs = saved(*args, **kwargs)
        pruned[0] += pairs is not None
        return pairs

    prune.pruned_pairs = count
    try:
        yield pruned
    finally:
        prune.pruned_pairs = saved


def outcome(screener: Screener, query: dict, cutoff: float | None) -> list[tuple]:
    """Results as compared: listed id, score and every explained feature."""
    result = screener.screen(query, cutoff=cutoff, limit=5)
    return [(m.record.id, m.score.score, repr(m.score.features)) for m in result.results]


def compare(screener: Screener, queries: list[dict], cutoffs: list[float | None]) -> int:
    """Asserts equal outcomes pruned and exhaustive; returns how many names were pruned."""
    runs: dict[bool, list[Any]] = {}
    with counting() as pruned:
        runs[True] = [outcome(screener, q, c) for q in queries for c in cutoffs]
    with prune.exhaustive():
        runs[False] = [outcome(screener, q, c) for q in queries for c in cutoffs]
    pairs = [(q, c) for q in queries for c in cutoffs]
    differ = [
        pairs[i] for i, (a, b) in enumerate(zip(runs[True], runs[False], strict=False)) if a != b
    ]
    assert not differ, differ[:3]
    return pruned[0]


def candidate_sets(index: MatchIndex, record: Any, floor: float, extra: int) -> list[tuple]:
    return [
        (c.record.id, [n.original for n in c.names], c.bound)
        for c in index.candidates(record, floor, extra=extra)
    ]


COMMON = ["john", "smith", "mohammed", "ali", "global", "trading", "bank", "al", "a", "b"]
RARE = ["zarkov", "quill", "ottavio", "bexley", "nurlan", "kh", "yusupov", "ferro"]
word = st.sampled_from(COMMON * 3 + RARE)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(st.lists(name, min_size=1, max_size=3), min_size=1, max_size=40),
    query_name=name,
    floor=st.sampled_from([0.3, 0.5, 0.61, 0.71, 0.8, 0.9]),
    extra=st.sampled_from([0, 1, 5]),
)
def test_candidates_equal_exhaustive_on_common_words(
    names: list[list[str]], query_name: str, floor: float, extra: int
) -> None:
    """Listed names of common words and initials: the same candidates, names and bounds."""
    entities = []
    for i, forms in enumerate(names):
        entity = Entity.create("test", f"e{i}", "Person" if i % 3 else "Organization")
        for text in forms:
            entity.add_name(text, "alias")
        entities.append(entity)
    index = MatchIndex(prepare_records(entities))
    record = parse_query({"id": "q", "schema": "LegalEntity", "properties": {"name": [query_name]}})
    pruned = candidate_sets(index, record, floor, extra)
    with prune.exhaustive():
        assert pruned == candidate_sets(index, record, floor, extra)


@pytest.mark.slow  # every query against the real UN list (CI runs it)
def test_un_list_results_unchanged(un_screener: Screener, shared_data: Path) -> None:
    """Real UN names and ordinary people against the UN list: the same results."""
    queries = []
    for file in ("un_people_original.csv", "negatives_synthetic_us.csv"):
        with open(shared_data / "eval" / file, encoding="utf-8") as handle:
            rows = [
                row["full_name"] for _, row in zip(range(150), csv.DictReader(handle), strict=False)
            ]
        for text in rows:
            for schema in ("Person", "LegalEntity"):
                queries.append({"id": "q", "schema": schema, "properties": {"name": [text]}})
    assert compare(un_screener, queries, [0.8, None]) > len(queries) // 4


def _eval_queries(shared_data: Path, negatives: int) -> list[dict]:
    queries = []
    with open(shared_data / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as handle:
        for _, row in zip(range(negatives), csv.DictReader(handle), strict=False):
            props = {"name": [row["full_name"]]}
            if row["date_of_birth"]:
                props["birthDate"] = [row["date_of_birth"]]
            queries.append({"id": "q", "schema": "Person", "properties": props})
    for file in ("un_people_original.csv", "un_people_perturbed.csv"):
        with open(shared_data / "eval" / file, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                schema = "LegalEntity" if len(queries) % 2 else "Person"
                queries.append(
                    {"id": "q", "schema": schema, "properties": {"name": [row["full_name"]]}}
                )
    return queries


@pytest.mark.slow
def test_all_lists_results_unchanged(real_store_path: Path, shared_data: Path) -> None:
    """3,400 real and ordinary names against every list, at the payment cutoff, the
    search cutoff and without one (best candidates under the floor): the same results."""
    from sanctions.store import Store

    screener = Screener(Store.open(real_store_path))
    screener.refresh()
    queries = _eval_queries(shared_data, 2000)
    assert compare(screener, queries, [0.8, 0.5, None]) > len(queries)


def test_pruned_bounds_are_a_superset_at_the_floor(un_screener: Screener) -> None:
    """Every name the exhaustive bounds put at or above the floor is kept, same bound."""
    index: MatchIndex = un_screener.index
    floor = name_floor(0.8)
    seen = 0
    for text in ("Mohammed Ali", "Abdul Rahman", "Global Trading Company", "Ahmad Shah Khan"):
        record = parse_query({"id": "q", "schema": "LegalEntity", "properties": {"name": [text]}})
        ids, bounds = index.name_bounds(record, floor)
        with prune.exhaustive():
            all_ids, all_bounds = index.name_bounds(record)
        assert len(ids) <= len(all_ids)
        high = all_bounds >= floor
        position = np.searchsorted(ids, all_ids[high])
        assert np.array_equal(ids[position], all_ids[high])
        assert np.array_equal(bounds[position], all_bounds[high])
        seen += int(high.sum())
    assert seen
