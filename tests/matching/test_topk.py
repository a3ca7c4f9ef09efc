"""Top-k ranking (:func:`sanctions.matching.finder.best_candidates`) changes no result.

Each test screens the same queries twice, with the top-k stop and with every
candidate scored (:func:`finder.score_every_candidate`), and asserts the same
listed records, order, scores and explanations; and that the stop did spare
scoring, so the comparison is not empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctions.matching import finder
from sanctions.model import Entity
from sanctions.screening import Screener


@contextmanager
def counting() -> Iterator[list[int]]:
    """Counts the records scored (:func:`score.score_value` calls of the finder)."""
    saved = finder.score_value
    calls = [0]

    def count(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return saved(*args, **kwargs)

    finder.score_value = count
    try:
        yield calls
    finally:
        finder.score_value = saved


def outcome(screener: Screener, query: dict, cutoff: float | None, limit: int) -> list[tuple]:
    result = screener.screen(query, cutoff=cutoff, limit=limit)
    return [(m.record.id, m.score.score, repr(m.score.features)) for m in result.results]


def compare(screener: Screener, cases: list[tuple[dict, float | None, int]]) -> tuple[int, int]:
    """Asserts equal outcomes with and without the stop; returns the records scored
    (with the stop, without it)."""
    with counting() as topk:
        fast = [outcome(screener, *case) for case in cases]
    with finder.score_every_candidate(), counting() as every:
        full = [outcome(screener, *case) for case in cases]
    differ = [cases[i] for i, (a, b) in enumerate(zip(fast, full, strict=True)) if a != b]
    assert not differ, differ[:3]
    return topk[0], every[0]


def eval_queries(shared_data: Path, negatives: int) -> list[dict]:
    """Ordinary people with dates of birth and UN-listed people (original and perturbed)."""
    queries = []
    with open(shared_data / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as handle:
        for _, row in zip(range(negatives), csv.DictReader(handle), strict=False):
            props = {"name": [row["full_name"]]}
            if row["date_of_birth"]:
                props["birthDate"] = [row["date_of_birth"]]
            if row.get("nationality"):
                props["nationality"] = [row["nationality"]]
            queries.append({"id": "q", "schema": "Person", "properties": props})
    for file in ("un_people_original.csv", "un_people_perturbed.csv"):
        with open(shared_data / "eval" / file, encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                props = {"name": [row["full_name"]]}
                if row.get("date_of_birth"):
                    props["birthDate"] = [row["date_of_birth"]]
                schema = "LegalEntity" if len(queries) % 3 == 0 else "Person"
                queries.append({"id": "q", "schema": schema, "properties": props})
    return queries


def test_un_list_top_k_results_unchanged(un_screener: Screener, shared_data: Path) -> None:
    """Every other of 1,700 real and ordinary names against the UN list, without a cutoff
    (the best 5 and the best 1) and at the payment cutoff: the same results, fewer records
    scored (the fast loop's sample; the slow test below takes every list and more names)."""
    queries = eval_queries(shared_data, 400)[::2]
    assert len(queries) >= 500
    cases = [(q, None, 5) for q in queries]
    cases += [(q, None, 1) for q in queries[::2]]
    cases += [(q, 0.8, 5) for q in queries[::3]]
    scored, every = compare(un_screener, cases)
    assert scored < every


@pytest.mark.slow
def test_all_lists_top_k_results_unchanged(real_store_path: Path, shared_data: Path) -> None:
    """2,400 real and ordinary names against every list, without a cutoff and at the batch
    (0.5) and payment (0.8) cutoffs: the same results; at most 2/3 of the records scored."""
    from sanctions.store import Store

    screener = Screener(Store.open(real_store_path))
    screener.refresh()
    queries = eval_queries(shared_data, 1_000)
    cases = [(q, cutoff, 5) for q in queries for cutoff in (None, 0.5)]
    cases += [(q, 0.8, 3) for q in queries[::4]]
    scored, every = compare(screener, cases)
    assert scored * 3 < every * 2, (scored, every)


COMMON = ["john", "smith", "mohammed", "ali", "global", "trading", "bank", "al", "hassan"]
RARE = ["zarkov", "quill", "ottavio", "bexley", "nurlan", "kh", "yusupov", "ferro", "j"]
word = st.sampled_from(COMMON * 3 + RARE)
name = st.lists(word, min_size=1, max_size=4).map(" ".join)
dates = st.sampled_from([None, "1970", "1970-05-01", "1971-05-01", "1990", "1970-05-02"])
countries = st.sampled_from([None, "ru", "gb", "sy"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    listed=st.lists(
        st.tuples(st.lists(name, min_size=1, max_size=3), dates, countries),
        min_size=5,
        max_size=60,
    ),
    query=st.tuples(name, dates, countries),
    cutoff=st.sampled_from([None, 0.3, 0.5, 0.8]),
    limit=st.sampled_from([1, 2, 5]),
)
def test_top_k_equals_every_candidate_on_common_words(
    listed: list[tuple[list[str], str | None, str | None]],
    query: tuple[str, str | None, str | None],
    cutoff: float | None,
    limit: int,
) -> None:
    """Many listed names of common words, dates and countries: the same best records."""
    entities = []
    for i, (forms, born, country) in enumerate(listed):
        entity = Entity.create("test", f"e{i}", "Person" if i % 3 else "Organization")
        for text in forms:
            entity.add_name(text, "alias")
        if born:
            entity.add("birthDate", born)
        if country:
            entity.add("nationality", country)
        entities.append(entity)
    screener = Screener.from_entities(entities)
    props = {"name": [query[0]]}
    if query[1]:
        props["birthDate"] = [query[1]]
    if query[2]:
        props["nationality"] = [query[2]]
    compare(screener, [({"id": "q", "schema": "LegalEntity", "properties": props}, cutoff, limit)])
