"""The index's look-up of similar listed tokens equals a scan of its whole vocabulary.

:meth:`MatchIndex.similar_tokens` finds the listed tokens a query token aligns
with through blocks (q-gram counts, then edit distance in RapidFuzz, and keys
for the rules that lift less similar tokens: doubled letters, inflection,
sound, names, abjad consonants). Here every vocabulary entry is scored with the
scorer's own token similarity, with no block, and the two must agree exactly:
the same entries with the same similarities. Query tokens are real names and
their typos, swaps, doubled letters, truncations and inflections.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from sanctions.matching.index import MatchIndex
from sanctions.matching.names import (
    GIVEN_NAME_SIMILARITY,
    TOKEN_THRESHOLD,
    joined_similarity,
    token_similarity,
)
from sanctions.matching.normalise import given_name_forms
from sanctions.screening import Screener, parse_query


def scan(index: MatchIndex, token: str, joined: bool) -> dict[str, float]:
    """Every vocabulary entry the scorer aligns with ``token``, without any block; and a
    token's given-name forms in other languages (the alignment decides where they hold)."""
    similarity = joined_similarity if joined else token_similarity
    out = {}
    for text in index.vocab:
        if (sim := similarity(token, text)) >= TOKEN_THRESHOLD:
            out[text] = sim
        elif not joined and text in given_name_forms(token):
            out[text] = GIVEN_NAME_SIMILARITY
    return out


def variants(token: str, rng: random.Random) -> list[str]:
    """Misspellings of a token that the lifts of the scorer are about."""
    out = [token, token + token[-1], token[:-1], token + "a", token + "ov"]
    if len(token) > 3:
        i = rng.randrange(len(token) - 1)
        out.append(token[:i] + token[i + 1] + token[i] + token[i + 2 :])  # adjacent swap
        out.append(token[:i] + token[i] + token[i:])  # a doubled letter
        out.append(token[:i] + rng.choice("aeiouykhz") + token[i + 1 :])  # a typo
        out.append(token[:i] + token[i + 1 :])  # a dropped letter
    return out


def query_tokens(shared_data: Path, count: int) -> list[tuple[str, bool]]:
    """Tokens and adjacent pairs of real listed and ordinary names, and their variants."""
    rng = random.Random(10)
    names: list[str] = []
    for file in ("un_people_perturbed.csv", "negatives_synthetic_us.csv"):
        with open(shared_data / "eval" / file, encoding="utf-8") as handle:
            rows = [row["full_name"] for row in csv.DictReader(handle)]
        names.extend(rng.sample(rows, count))
    names += ["Bill Gates", "Abdul Rahman", "Banque VTB", "عبد الله", "Владимир Путин", "U.S.A."]
    keys: dict[tuple[str, bool], None] = {}
    for text in names:
        record = parse_query({"id": "q", "schema": "LegalEntity", "properties": {"name": [text]}})
        for form in record.names:
            for start, end, span in form.spans:
                if len(span) < 2:
                    continue
                if end - start == 2:
                    keys[(span, True)] = None
                else:
                    keys.update(((v, False), None) for v in variants(span, rng) if len(v) > 1)
    return list(keys)


@pytest.mark.slow  # a scan of the real lists' whole vocabulary (CI runs it)
def test_similar_tokens_equal_a_scan_of_the_vocabulary(
    un_screener: Screener, shared_data: Path
) -> None:
    """Real names, their misspellings and joined pairs against the UN list's vocabulary."""
    index: MatchIndex = un_screener.index
    keys = query_tokens(shared_data, 4)
    found = 0
    for token, joined in keys:
        index._token_cache.clear()
        expected = scan(index, token, joined)
        assert index.similar_tokens(token, joined) == expected, (token, joined)
        found += len(expected)
    assert len(keys) > 100 and found > len(keys)  # not an empty comparison


@pytest.mark.slow
def test_similar_tokens_equal_a_scan_on_all_lists(real_store_path: Path, shared_data: Path) -> None:
    """The same on the vocabulary of every list (about 100,000 entries)."""
    from sanctions.store import Store

    screener = Screener(Store.open(real_store_path))
    screener.refresh()
    index: MatchIndex = screener.index
    keys = query_tokens(shared_data, 3)
    for token, joined in keys:
        assert index.similar_tokens(token, joined) == scan(index, token, joined), (token, joined)


def test_similar_ids_are_the_entries_of_similar_tokens(
    un_screener: Screener, shared_data: Path
) -> None:
    """The arrays bounds are computed over (:meth:`MatchIndex.similar_ids`) hold the ids and
    similarities of :meth:`MatchIndex.similar_tokens`'s entries, in its order, whether the
    look-up was cached or not; a word's given-name forms in other languages at
    :data:`GIVEN_NAME_SIMILARITY` at least (what alignment pairs them at)."""
    index: MatchIndex = un_screener.index
    keys = query_tokens(shared_data, 2)
    found = 0
    for token, joined in keys:
        for fresh in (True, False):
            if fresh:
                index._token_cache.clear()
            vids, sims = index.similar_ids(token, joined)
            entries = index.similar_tokens(token, joined)
            assert [index.vocab[vid] for vid in vids.tolist()] == list(entries), (token, joined)
            forms = () if joined else given_name_forms(token)
            lifted = [
                max(sim, GIVEN_NAME_SIMILARITY) if text in forms else sim
                for text, sim in entries.items()
            ]
            assert sims.tolist() == lifted, (token, joined)
        found += len(entries)
    assert found > len(keys)  # not an empty comparison


def edits_from(token: str, count: int, rng: random.Random) -> str:
    """``token`` with ``count`` random insertions, deletions or substitutions."""
    for _ in range(count):
        i = rng.randrange(len(token))
        kind = rng.randrange(3)
        letter = rng.choice("aeilnorstu")
        token = token[:i] + (letter if kind else "") + token[i + (kind != 2) :]
    return token


def test_joined_look_up_holds_every_entry_within_the_edits_accepted(
    un_screener: Screener, shared_data: Path
) -> None:
    """The look-up of joined pairs (one-letter deletions for one edit, whole pieces for more)
    proposes every vocabulary entry at most as many edits from the pair as the scorer
    accepts (a scan with RapidFuzz's Levenshtein distance), ordered by (length, id): real
    pairs, and listed entries with one to three edits."""
    from rapidfuzz.distance import Levenshtein

    from sanctions.matching.index import joined_max_edits

    index: MatchIndex = un_screener.index
    rng = random.Random(14)
    tokens = [token for token, joined in query_tokens(shared_data, 3) if joined]
    listed = [text for text in index.vocab if len(text) >= 7]
    long_ = [text for text in listed if len(text) >= 14]
    tokens += [edits_from(text, rng.randint(0, 1), rng) for text in rng.sample(listed, 150)]
    tokens += [edits_from(text, rng.randint(1, 3), rng) for text in rng.sample(long_, 150)]
    rank_of = {vid: rank for rank, vid in enumerate(index.rank_vid.tolist())}
    hits = {0: 0, 1: 0, 2: 0, 3: 0}
    for token in tokens:
        found = index._joined_candidates(token)
        assert [rank_of[vid] for vid in found] == sorted(rank_of[vid] for vid in set(found))
        proposed = set(found)
        for vid, text in enumerate(index.vocab):
            reach = joined_max_edits(max(len(token), len(text)))
            if (distance := Levenshtein.distance(token, text, score_cutoff=reach)) <= reach:
                assert vid in proposed, (token, text)
                hits[distance] += 1
    assert all(hits[n] > 5 for n in (0, 1, 2)) and hits[3] > 0, hits  # every path is used
