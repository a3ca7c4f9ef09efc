"""The shortcuts of scoring give the scores they stand for.

* :func:`score.score_value` with a ``floor`` returns the exact score whenever it reaches
  the floor, and 0.0 only for a score under it (ranking against a floor asks no more);
* :func:`alignment.align_over` declines (``None``) only an alignment scoring under its
  floor, and otherwise gives :func:`alignment.align_score`'s result;
* :func:`similarity.initial_similarity` is :func:`similarity.thresholded_similarity`
  for a one-letter token.

Real names (the UN list; UN-listed people, original and perturbed, and ordinary people with
dates of birth, as :mod:`test_topk` reads them) and generated ones.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.matching import alignment
from sanctions.matching.alignment import align_over, align_score
from sanctions.matching.bounds import name_floor
from sanctions.matching.forms import make_name_forms, schema_kind
from sanctions.matching.frequency import EMPTY
from sanctions.matching.score import score_value
from sanctions.matching.similarity import (
    initial_similarity,
    naive_rows,
    thresholded_similarity,
)
from sanctions.screening import Screener, parse_query
from tests.matching.test_topk import eval_queries

FLOORS = (0.3, 0.5, 0.7, 0.8)


# every each-th of 400 ordinary people and the UN-listed people, original and perturbed
EACH = [20, pytest.param(3, marks=pytest.mark.slow)]  # the fast loop's sample; the slow: more


@pytest.mark.parametrize("each", EACH)
def test_score_value_with_a_floor_is_exact_or_under_it(
    un_screener: Screener, shared_data: Path, each: int
) -> None:
    """Each candidate of real queries scored with and without a floor: the same score
    whenever it reaches the floor; 0.0 only for a score under it; and the floor did
    spare work (some scores under it were not worked out)."""
    index = un_screener.index
    spared = compared = 0
    for query in eval_queries(shared_data, 400)[::each]:
        record = parse_query(query)
        candidates = index.candidate_set(record, name_floor(0.3))
        for i in range(len(candidates)):
            cand = candidates.candidate(i)
            exact = score_value(
                record, cand.record, index.rows_fn(record), cand.names, index.frequencies
            )
            for floor in FLOORS:
                rows = index.rows_fn(record)  # a fresh memo of alignments: nothing reused
                fast = score_value(record, cand.record, rows, cand.names, index.frequencies, floor)
                compared += 1
                if fast != exact:
                    assert fast == 0.0 and exact < floor, (query, cand.record.id, floor)
                    spared += 1
    assert compared > 1_000 and spared > compared // 10, (compared, spared)


@pytest.mark.parametrize("each", EACH)
def test_align_over_declines_only_scores_under_the_floor(
    un_screener: Screener, shared_data: Path, each: int
) -> None:
    """Every query name against every name of each candidate (real pairs, the index's
    rows): declined only under the floor; when aligned, :func:`align_score`'s result."""
    index = un_screener.index
    declined = aligned = 0
    for query in eval_queries(shared_data, 400)[:: 3 * each]:
        record = parse_query(query)
        candidates = index.candidate_set(record, name_floor(0.3))
        for i in range(len(candidates)):
            cand = candidates.candidate(i)
            kind = schema_kind(cand.record.schema)
            for qform in record.names:
                for cform in cand.names:
                    rows = index.rows_fn(record)
                    exact = align_score(qform, cform, rows, kind, index.frequencies)
                    for floor in (0.2, *FLOORS, 0.95):
                        rows = index.rows_fn(record)
                        found = align_over(qform, cform, rows, kind, index.frequencies, floor)
                        if found is None:
                            assert exact[0] < floor
                            declined += 1
                        else:
                            assert (found[0], *map(list, found[1:])) == exact
                            aligned += 1
    assert declined > 100 and aligned > 100, (declined, aligned)


WORDS = ["john", "jon", "smith", "smyth", "mohammed", "muhammad", "al", "bin", "j", "s", "m"]
WORDS += ["global", "trading", "llc", "gmbh", "ltd", "bank", "5", "ivanovich", "petrovich"]
name = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(query=name, listed=name, kind=st.sampled_from(["Person", "Company", "LegalEntity"]))
def test_ceiling_never_under_the_score(query: str, listed: str, kind: str) -> None:
    """Generated names (initials, joined words, legal forms, numbers, patronymics),
    similarities computed (no index): the bound of each alignment is never under its
    score, and a floor just over the score declines it only when the bound says so."""
    for qform in make_name_forms(query, kind):
        for cform in make_name_forms(listed, kind):
            k = schema_kind(kind)
            score = align_score(qform, cform, naive_rows, k, EMPTY)[0]
            facts = alignment._facts_of(qform)
            groups = facts.given_groups if k == "person" else []
            pairs = alignment._candidate_pairs(qform, cform, naive_rows, groups)
            assert alignment._ceiling(qform, cform, pairs, facts) >= score
            assert align_over(qform, cform, naive_rows, k, EMPTY, score) is not None


LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


@given(
    letter=st.sampled_from(LETTERS),
    other=st.text(alphabet=LETTERS, min_size=1, max_size=8) | st.sampled_from(WORDS),
)
def test_initial_similarity_is_the_thresholded_similarity_of_a_letter(
    letter: str, other: str
) -> None:
    assert initial_similarity(letter, other) == thresholded_similarity(letter, other)
    assert initial_similarity(other, letter) == thresholded_similarity(other, letter)


@pytest.mark.parametrize("pair", [("j", "john"), ("j", "j"), ("j", "smith"), ("s", "s")])
def test_initial_similarity_of_real_initials(pair: tuple[str, str]) -> None:
    assert initial_similarity(*pair) == thresholded_similarity(*pair)
