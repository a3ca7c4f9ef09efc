"""The caches and shortcuts of query preparation give what the plain computation gives."""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

import pytest
from rigour import _core as rigour_core

from sanctions import model
from sanctions.matching import alignment, forms, scripts
from sanctions.matching.forms import make_name_forms
from sanctions.matching.normalise import (
    _number_words,
    _tagged_number_spans,
    fold_text,
    name_forms,
    number_spans,
    replace_org_types,
)
from sanctions.model import FuzzyDate, parse_date
from sanctions.sources import parse_path


def _latin_by_category(text: str) -> bool:
    """The reference: no letter (Unicode category L*) at or above U+0250."""
    return all(ord(c) < 0x250 or not unicodedata.category(c).startswith("L") for c in text)


def test_is_latin_agrees_with_the_unicode_letter_categories_on_every_code_point() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        assert scripts.is_latin(char) == _latin_by_category(char), hex(code)


def test_is_latin_is_the_one_test_of_the_matcher() -> None:
    assert forms.is_latin is scripts.is_latin and alignment.is_latin is scripts.is_latin
    assert "is_latin" not in forms.__all__  # asked of scripts, its one home
    for text in ("Vladimir Putin", "Gülten Bloch", "Manuelita Næss", "秀玉 Gomez", "Gunnar ظفری"):
        assert scripts.is_latin(text) == _latin_by_category(text)


def _folded_names(shared: Path) -> set[str]:
    """Every folded form of every name of two real lists and of the synthetic customers,
    as :func:`make_name_forms` reads them (legal forms replaced first)."""
    names: set[str] = set()
    for path in ("un/consolidated_2026-02-27.xml", "uk/ofsi/ConList_2018-04-13.csv"):
        for entity in parse_path(shared / path):
            names.update(variant.name for variant in entity.names)
    with open(shared / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            names.add(f"{row['first_name']} {row['last_name']}")
    return {text for name in names for text in name_forms(replace_org_types(name))}


@pytest.mark.slow  # parses two real lists, ~5 s
def test_number_spans_without_the_tagger_agree_with_it_on_real_names(shared_data: Path) -> None:
    texts = _folded_names(shared_data)
    texts |= {token for text in texts for token in text.split()}
    assert len(texts) > 50_000
    numbered = [text for text in texts if _tagged_number_spans(text)]
    assert len(numbered) > 50  # real names with numbers are compared too ("2", "first", "iii")
    differ = [text for text in texts if number_spans(text) != _tagged_number_spans(text)]
    assert differ == []


def test_every_spelling_of_a_number_still_goes_to_the_tagger() -> None:
    words = _number_words()
    assert words is not None and {"eighty", "five", "ochenta", "y", "first", "lxxxv"} <= words
    for spellings in rigour_core.ordinals_dict().values():
        for spelling in spellings:
            text = fold_text(spelling)
            assert number_spans(text) == _tagged_number_spans(text), spelling
            assert number_spans(f"alpha {text} trading") == _tagged_number_spans(
                f"alpha {text} trading"
            )


def test_a_name_without_number_words_has_no_number_spans() -> None:
    assert number_spans("salvatore gimenez") == ()
    assert number_spans("twenty one trading") == ((0, 2, "21"),)
    assert number_spans("alpha 1999") == ((1, 2, "1999"),)
    assert number_spans("a hundred") == ((1, 2, "100"),)


DATES = ["1952", "1952-10", "1952-10-07", "07/10/1952", "07 Oct 1952", "Oct 1952", "circa 1952"]
DATES += ["1952 to 1954", "1952-1954", "31/02/1990", "not a date", "", "-0-", "00/00/1970"]


def test_a_date_text_parsed_twice_gives_the_same_date() -> None:
    for prop in ("birthDate", "deathDate"):
        for dayfirst in (True, False):
            for text in DATES:
                first = parse_date(text, prop=prop, dayfirst=dayfirst)
                assert parse_date(text, prop=prop, dayfirst=dayfirst) == first
                assert first == model._parse_date(text, prop, dayfirst)
                if first is not None:
                    assert first.prop == prop
    assert parse_date("07/10/1952").value == "1952-10-07"
    assert parse_date("07/10/1952", dayfirst=False).value == "1952-07-10"
    assert parse_date(1952) == FuzzyDate("1952")  # not a string: parsed, not cached
    assert model._parse_date_text.cache_info().maxsize == model.DATE_CACHE_SIZE


def test_a_name_with_a_legal_form_or_a_number_is_still_rewritten() -> None:
    form = make_name_forms("Twenty One Trading GmbH", "Company")[0]
    assert form.tokens == ("21", "trading", "llc")
    assert form.origins == ("twenty one", "", "gmbh")
    plain = make_name_forms("Salvatore Gimenez", "LegalEntity")[0]
    assert plain.tokens == ("salvatore", "gimenez") and plain.origins == ()
