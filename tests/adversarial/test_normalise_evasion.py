"""Invisible characters cannot hide a listed name from the matcher.

An evader inserts zero-width spaces, joiners, bidi controls, a byte-order
mark, variation selectors, soft hyphens or NUL bytes inside a listed name so
that it no longer looks like the listed string. The normaliser removes every
default-ignorable and format character before tokenising (and before any
length cut), so such insertions never lower the score.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.matching.names import align_names, make_name_forms
from sanctions.matching.normalise import MAX_NAME_CHARS, name_forms, strip_ignorable

LISTED = [
    ("Vladimir Vladimirovich PUTIN", "Person"),
    ("Abd al-Rahman O'Neil", "Person"),
    ("Владимир Путин", "Person"),
    ("محمد بن سلمان", "Person"),
    ("Gazprom Neft PJSC", "Company"),
    ("BANCO NACIONAL DE CUBA", "Company"),
]

INVISIBLE = [
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark
    "\u00ad",  # soft hyphen
    "\u202e",  # right-to-left override
    "\u2066",  # left-to-right isolate
    "\u061c",  # Arabic letter mark
    "\ufe0f",  # variation selector 16
    "\U000e0101",  # variation selector 18
    "\u180e",  # Mongolian vowel separator
    "\u034f",  # combining grapheme joiner
    "\x00",  # NUL
    "\U000e0041",  # tag letter A
]

# Every format character (Cf) of the Unicode version Python knows, and the rest above.
FORMAT_CHARS = sorted(
    {chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"} | set(INVISIBLE)
)


def score(query: str, listed: str, schema: str) -> float:
    kind = "person" if schema == "Person" else "org"
    return max(
        (
            align_names(q, c, kind=kind).score
            for q in make_name_forms(query, schema)
            for c in make_name_forms(listed, schema)
        ),
        default=0.0,
    )


def test_each_invisible_character_inside_a_word_is_removed() -> None:
    for char in INVISIBLE:
        assert name_forms(f"PU{char}TIN") == ("putin",), repr(char)


def test_every_format_character_is_stripped() -> None:
    text = "".join(FORMAT_CHARS)
    assert strip_ignorable(f"a{text}b") == "ab"


def test_line_breaks_and_tabs_still_separate_words() -> None:
    assert name_forms("Vladimir\tPutin\nJr") == ("vladimir putin jr",)


def test_a_padded_name_is_cut_after_the_invisible_characters_are_gone() -> None:
    padded = "\u200b" * (MAX_NAME_CHARS * 3) + "Vladimir Putin"
    assert name_forms(padded) == ("vladimir putin",)


@settings(max_examples=150, deadline=None)
@given(
    listed=st.sampled_from(LISTED),
    inserts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=60), st.sampled_from(FORMAT_CHARS)),
        min_size=1,
        max_size=8,
    ),
)
def test_inserting_invisible_characters_never_lowers_the_score(
    listed: tuple[str, str], inserts: list[tuple[int, str]]
) -> None:
    name, schema = listed
    evasive = name
    for position, char in inserts:
        cut = position % (len(evasive) + 1)
        evasive = evasive[:cut] + char + evasive[cut:]
    assert score(evasive, name, schema) >= score(name, name, schema)
