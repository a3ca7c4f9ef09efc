"""The delta prefilter never drops a record the small index would match (real names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctions.matching import (
    DEFAULT_THRESHOLD,
    MatchIndex,
    name_floor,
    name_tokens,
    prepare_records,
)
from sanctions.matching.names import token_similarity
from sanctions.screening import Screener, parse_query
from sanctions.watch.prefilter import RecordKeys, load_keys

from .customers import listed_records, negative_records, parse_list, sdn_paths


@pytest.mark.slow  # parses two real SDN sets (CI runs it)
def test_reverse_lookup_finds_every_record_the_small_index_matches(shared_data: Path) -> None:
    paths = sdn_paths(shared_data)
    before, after = parse_list(paths[0]), parse_list(paths[2])
    new = [e for eid, e in after.items() if eid not in before or before[eid] != e]
    small = MatchIndex(prepare_records(new))
    rows = negative_records(shared_data, 800) + listed_records(shared_data, 150)
    queries = [
        parse_query(
            {
                "id": r["id"],
                "schema": r["schema"],
                "properties": {
                    "name": [r["name"]],
                    "birthDate": [r["birth_date"]] if r["birth_date"] else [],
                },
            }
        )
        for r in rows
    ]
    keys = RecordKeys((q.id, "h", q) for q in queries)
    tokens = set().union(*(name_tokens(r) for r in small.records))
    idents = {i for r in small.records for i in r.identifiers}
    touched = {r for r, _ in keys.touched_by(tokens, idents, 0.0)}
    forward = {q.id for q in queries if any(small.similar_tokens(t) for t in name_tokens(q))}
    assert forward <= touched  # the look-up is symmetric
    floor = name_floor(DEFAULT_THRESHOLD)
    bounded = {r for r, _ in keys.touched_by(tokens, idents, floor)}
    screener = Screener(index=small)
    matched = {
        q.id for q in queries if screener.screen(q, limit=50, cutoff=DEFAULT_THRESHOLD).results
    }
    names = [form for record in small.records for form in record.names]
    by_name = {r for r, _ in keys.touched_by(tokens, idents, floor, names)}
    assert matched and matched <= by_name <= bounded <= touched
    # The bound prunes most token-only candidates (without the new names it must allow
    # for any number of initials in them, so the name-by-name bound of a run prunes more).
    assert len(by_name) < len(touched) / 2
    assert len(by_name) < len(bounded)


def test_token_similarity_is_symmetric_on_real_names(shared_data: Path) -> None:
    rows = negative_records(shared_data, 300) + listed_records(shared_data, 100)
    tokens = sorted({t for r in rows for t in r["name"].lower().split()})[:400]
    for i, a in enumerate(tokens):
        for b in tokens[i + 1 : i + 40]:
            assert token_similarity(a, b) == token_similarity(b, a), (a, b)


def test_prefilter_cache_round_trip(shared_data: Path) -> None:
    rows = negative_records(shared_data, 50)
    queries = [parse_query({"id": r["id"], "properties": {"name": [r["name"]]}}) for r in rows]
    keys = RecordKeys((q.id, "h", q) for q in queries)
    keys.save()
    loaded = load_keys(keys.digest)
    assert loaded is not None and loaded.keys == keys.keys
    assert loaded.touched_by({"abrahamsen"}, (), 0.0) == keys.touched_by({"abrahamsen"}, (), 0.0)
    assert load_keys("0" * 32) is None
