"""The caches and shortcuts of query preparation give what the plain computation gives."""

from __future__ import annotations

import sys
import unicodedata

from sanctions.matching import forms, scripts


def _latin_by_category(text: str) -> bool:
    """The reference: no letter (Unicode category L*) at or above U+0250."""
    return all(ord(c) < 0x250 or not unicodedata.category(c).startswith("L") for c in text)


def test_is_latin_agrees_with_the_unicode_letter_categories_on_every_code_point() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert scripts.is_latin(char) == _latin_by_category(char), hex(code)


def test_is_latin_is_the_one_test_of_the_matcher() -> None:
    assert forms.is_latin is scripts.is_latin
    for text in ("Vladimir Putin", "Gülten Bloch", "Manuelita Næss", "秀玉 Gomez", "Gunnar ظفری"):
        assert scripts.is_latin(text) == _latin_by_category(text)
