"""Tight name bounds stay upper bounds for names read from another script.

Top-k ranking (:func:`finder.best_candidates`) stops scoring once the next
candidate's ceiling, built from :func:`prune.tight_bounds`, is under the
``limit``-th score. Those bounds see the listed words through the index
vocabulary only. Names written in Arabic, Cyrillic or Chinese characters are
aligned through their Latin readings (:func:`scripts.reading_words` explains
them): if a reading could pair a listed word the vocabulary does not hold, a
tight bound would fall under the score it bounds and the stop would drop a
result. These tests take real listed names in those scripts, screen them
written in their script and in their reading, and check every bound against
the score the full path gives each listed name.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sanctions.matching import finder
from sanctions.matching.bounds import name_floor, score_ceiling
from sanctions.matching.score import score_value
from sanctions.matching.scripts import reading_words
from sanctions.screening import Screener, parse_query

SCRIPTS = ("Arabic", "Cyrillic", "Chinese")
PER_SCRIPT = 12  # listed names per script (the UN list has a handful in Chinese characters)


def _script_names(index: Any) -> dict[str, list[tuple[Any, Any]]]:
    """Listed (record, name) pairs per script, the first ``PER_SCRIPT`` of each,
    one name per record and original."""
    found: dict[str, list[tuple[Any, Any]]] = {script: [] for script in SCRIPTS}
    seen: set[str] = set()
    for record in index.records:
        for form in record.names:
            if form.original.isascii() or form.original in seen:
                continue
            seen.add(form.original)
            scripts = {how for _word, how in reading_words(form.original).values()}
            for script in SCRIPTS:
                if script in scripts and len(found[script]) < PER_SCRIPT:
                    found[script].append((record, form))
                    break
    return found


def _check_bounds(index: Any, query: Any) -> tuple[int, int]:
    """Asserts each candidate name's tight bound (as a ceiling) is at least the score
    that name alone gives; returns (names checked, names read from another script
    scoring 0.5 or more)."""
    candidates = index.candidate_set(query, name_floor(0.3))
    tight, at, _tops = finder._tight_name_bounds(index, query, candidates, 0.0)
    rows = index.rows_fn(query)
    checked = read = 0
    for i in range(len(candidates)):
        if not candidates.named[i]:
            continue
        cand = candidates.candidate(i)
        for n, form in enumerate(cand.names):
            value = score_value(query, cand.record, rows, [form], index.frequencies)
            ceiling = score_ceiling(query, cand.record, tight[at[i] + n])
            assert value <= ceiling, (query.names[0].original, form.original, value, ceiling)
            checked += 1
            read += value >= 0.5 and not (form.original + query.names[0].original).isascii()
    return checked, read


@pytest.mark.slow
def test_tight_bounds_hold_for_names_read_from_another_script(un_screener: Screener) -> None:
    index = un_screener.index
    vocab = set(index.vocab)
    names = _script_names(index)
    checked: Counter[str] = Counter()
    read: Counter[str] = Counter()
    for script, pairs in names.items():
        assert pairs, f"no listed name in {script} script in the UN list"
        for record, form in pairs:
            # every listed word a reading gives is in the vocabulary the bounds see
            assert {text for _s, _e, text in form.spans if len(text) > 1} <= vocab, form.original
            for text in (form.original, " ".join(form.tokens)):
                query = parse_query({"schema": record.schema, "properties": {"name": [text]}})
                done, met = _check_bounds(index, query)
                checked[script] += done
                read[script] += met
    # not vacuous: in each script, names read from it were met at a score that counts
    assert all(read[script] > 0 for script in SCRIPTS), (checked, read)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["David Maier", "Yusuf Miller", "Ibrahim Jones", "Joseph Kony"])
def test_tight_bounds_hold_for_given_names_in_another_language(
    un_screener: Screener, name: str
) -> None:
    # "David" meets the listed "DAWOOD" at 0.795 by spelling and at 0.8 as one given
    # name in two languages: the bound must take the higher
    query = parse_query({"schema": "Person", "properties": {"name": [name]}})
    checked, _read = _check_bounds(un_screener.index, query)
    assert checked > 0


def _evidence_queries(shared_data: Path) -> list[dict]:
    """UN-listed people (perturbed names) given dates of birth years apart, another or
    the same nationality and a gender; and ordinary people as a customer file gives them."""
    queries = []
    with open(shared_data / "eval" / "un_people_perturbed.csv", encoding="utf-8") as handle:
        for n, row in zip(range(120), csv.DictReader(handle), strict=False):
            props = {"name": [row["full_name"]], "gender": ["male" if n % 2 else "female"]}
            if row["date_of_birth"][:4].isdigit():
                year = int(row["date_of_birth"][:4]) + (0, 1, 3, 9)[n % 4]
                props["birthDate"] = [str(year) + row["date_of_birth"][4:]]
            if row["nationality"]:
                props["nationality"] = [row["nationality"] if n % 3 else "fr"]
            queries.append({"schema": "Person", "properties": props})
    with open(shared_data / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as handle:
        for row in zip(range(120), csv.DictReader(handle), strict=False):
            row = row[1]
            props = {"firstName": [row["first_name"]], "lastName": [row["last_name"]]}
            props |= {"gender": [row["gender"]], "birthDate": [row["date_of_birth"]]}
            props["nationality"] = [row["nationality"]]
            queries.append({"schema": "Person", "properties": props})
    return queries


@pytest.mark.slow
def test_ceilings_with_dates_countries_and_gender_keep_the_top_k(
    un_screener: Screener, shared_data: Path
) -> None:
    queries = _evidence_queries(shared_data)
    index = un_screener.index
    for data in queries[::4]:  # each name's ceiling is at least the score it gives
        _check_bounds(index, parse_query(data))
    scored = [0]
    saved = finder.score_value

    def counted(*args: Any, **kwargs: Any) -> float:
        scored[0] += 1
        return saved(*args, **kwargs)

    def outcomes() -> list[list[tuple[str, float, str]]]:
        return [
            [
                (m.record.id, m.score.score, repr(m.score.features))
                for m in un_screener.screen(data, cutoff=cutoff, limit=5).results
            ]
            for data in queries
            for cutoff in (None, 0.5, 0.7)
        ]

    finder.score_value = counted
    try:
        fast = outcomes()
        fast_scored = scored[0]
        with finder.score_every_candidate():
            full = outcomes()
    finally:
        finder.score_value = saved
    assert fast == full
    assert sum(map(bool, fast)) > 100  # matches are found: the comparison is not empty
    assert fast_scored * 2 < scored[0] - fast_scored  # the stop spared most of the scoring
