"""The tables behind the look-up of joined pairs find every entry a scan finds.

:class:`affixes.DeletionTable` proposes the entries one edit from a token by their
one-letter deletions, :class:`affixes.AffixTable` the entries beginning or ending with
a piece; a scan of the whole vocabulary with RapidFuzz's edit distance (or ``str``'s
own tests) must find nothing they miss.
"""

from __future__ import annotations

import pickle

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from sanctions.matching.affixes import AffixTable, DeletionTable, one_deletions, split_pieces

VOCAB = [
    "andrea", "andreas", "andrew", "mills", "andreamills", "andreamils", "andreamiller",
    "andrezmills", "ndreamills", "andreamillso", "bandreamills", "millsandrea", "jacqueline",
    "jacquelinewest", "jaqcuelinewest", "jacquelinwest", "west", "ali", "aly", "alli",
]  # fmt: skip
WORDS = st.text(alphabet="abdeilmnrsw", min_size=2, max_size=14)


def table_ranks(vocab: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """``rank_vid`` and ``len_start`` as :class:`MatchIndex` orders its entries."""
    lengths = np.fromiter(map(len, vocab), dtype=np.int32, count=len(vocab))
    rank_vid = np.argsort(lengths, kind="stable").astype(np.int32)
    len_start = np.searchsorted(lengths[rank_vid], np.arange(int(lengths.max()) + 2))
    return rank_vid, len_start


def test_one_deletions_are_the_token_and_each_letter_dropped() -> None:
    assert one_deletions("alli") == {"alli", "lli", "ali", "all"}


def test_pieces_cover_the_token_in_order() -> None:
    for count in range(1, 5):
        pieces = split_pieces("jacquelinewest", count)
        assert "".join(pieces) == "jacquelinewest" and len(pieces) == count
        assert max(map(len, pieces)) - min(map(len, pieces)) <= 1


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=40, unique=True), WORDS)
def test_deletion_table_proposes_every_entry_one_edit_away(vocab: list[str], token: str) -> None:
    table = pickle.loads(pickle.dumps(DeletionTable(vocab, range(0, 20))))  # kept with the index
    found = set(table.near(token))
    for vid, text in enumerate(vocab):
        if Levenshtein.distance(token, text) <= 1:
            assert vid in found, (token, text)


def test_deletion_table_keeps_only_the_lengths_asked() -> None:
    table = DeletionTable(VOCAB, range(10, 14))
    near = {VOCAB[vid] for vid in table.near("andreamills")}
    expected = {"andreamills", "andreamils", "andrezmills", "ndreamills", "andreamillso"}
    assert near == expected | {"bandreamills"}
    assert {VOCAB[vid] for vid in table.near("ali")} == set()  # too short: not in the table


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=40, unique=True), WORDS, st.booleans())
def test_affix_table_finds_every_entry_with_the_affix(
    vocab: list[str], affix: str, backward: bool
) -> None:
    _rank_vid, len_start = table_ranks(vocab)
    table = pickle.loads(pickle.dumps(AffixTable(vocab, len_start)))  # kept with the index
    low, high = 3, 12
    found = table.affix_ids(affix, backward, low, high)
    has = str.endswith if backward else str.startswith
    expected = {
        vid for vid, text in enumerate(vocab) if low <= len(text) <= high and has(text, affix)
    }
    assert set(found) == expected and len(found) == len(expected)
    assert [len(vocab[vid]) for vid in found] == sorted(len(vocab[vid]) for vid in found)
