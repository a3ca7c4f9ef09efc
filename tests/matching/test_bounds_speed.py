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

from collections import Counter
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
