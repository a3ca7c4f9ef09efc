"""Names in Japanese read as Japanese; given names linked across languages; readings explained."""

from __future__ import annotations

from typing import Any

import pytest

from sanctions.matching import DEFAULT_THRESHOLD, compare_records
from sanctions.matching.names import make_name_forms
from sanctions.matching.normalise import given_name_group, name_forms, transliterations
from sanctions.matching.scripts import has_kana, japanese_reading, reading_words
from sanctions.screening import parse_query
from tests.matching.indexed import fast_and_naive, people_index


def compare(query: dict[str, Any], listed: dict[str, Any], schema: str = "Person") -> Any:
    def side(props: dict[str, Any], sid: str) -> dict[str, Any]:
        values = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
        return {"id": sid, "schema": schema, "properties": values}

    return compare_records(parse_query(side(query, "q")), parse_query(side(listed, "c")))


def score(
    query: str | dict[str, Any], listed: str | dict[str, Any], schema: str = "Person"
) -> float:
    q = {"name": query} if isinstance(query, str) else query
    c = {"name": listed} if isinstance(listed, str) else listed
    return compare(q, c, schema).score


# -- Japanese --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("japanese", "latin"),
    [
        ("山田太郎", "yamada taro"),  # kanji, family name of two characters: Japanese
        ("田中花子", "tanaka hanako"),
        ("直樹 佐藤", "naoki sato"),  # given-family order, as a customer file writes it
        ("ヤマダ・タロウ", "yamada taro"),  # katakana: long vowel written once (Hepburn)
        ("やまだ たろう", "yamada taro"),  # hiragana
        ("オオノ", "ono"),
        ("イノウエ", "inoue"),  # o-u followed by a vowel is not a long o
    ],
)
def test_japanese_names_are_read_in_hepburn(japanese: str, latin: str) -> None:
    assert transliterations(japanese) == (latin,)


def test_kanji_names_ipadic_cannot_tell_keep_pinyin_and_gain_a_japanese_reading() -> None:
    forms = name_forms("林 太一")  # a one-character family name: Chinese or Japanese
    assert "lin tai yi" in forms and "hayashi taichi" in forms
    assert japanese_reading("林 太一") is not None
    assert not japanese_reading("林 太一").certain  # type: ignore[union-attr]


@pytest.mark.parametrize("chinese", ["习近平", "王伟", "利 王", "李 娜 秀英"])
def test_chinese_names_are_not_read_as_japanese(chinese: str) -> None:
    reading = japanese_reading(chinese)
    assert reading is None or not reading.certain
    assert any(" " in f or f.isalpha() for f in name_forms(chinese))
    assert not has_kana(chinese)


@pytest.mark.parametrize(
    ("japanese", "latin"), [("山田太郎", "Yamada Taro"), ("田中花子", "TANAKA, Hanako")]
)
def test_japanese_names_in_kanji_match_their_latin_spelling(japanese: str, latin: str) -> None:
    assert score(japanese, latin) >= DEFAULT_THRESHOLD


def test_a_japanese_name_no_longer_meets_the_chinese_reading_of_its_characters() -> None:
    # 松本 read in pinyin is "song ben": a Japanese customer must not alert on it
    assert score("里佳 松本", "Song Ben Li Jia") < DEFAULT_THRESHOLD
    assert score("里佳 松本", "Rika Matsumoto") >= DEFAULT_THRESHOLD


def test_japanese_readings_of_bad_input_do_not_crash() -> None:
    for text in ("ー", "・・・", "ッ", "山" * 600, "山田\x00太郎", "🙂山田"):
        transliterations(text)
        reading_words(text)


# -- explanations ----------------------------------------------------------------------------


def test_the_explanation_says_how_a_japanese_name_was_read() -> None:
    result = compare({"name": "山田太郎"}, {"name": "Yamada Taro"})
    detail = next(f.detail for f in result.features if f.feature == "name")
    assert "'山田' read 'yamada' (Japanese)" in detail
    assert "'太郎' read 'taro' (Japanese)" in detail


def test_the_explanation_names_the_script_of_other_readings() -> None:
    result = compare({"name": "Владимир Путин"}, {"name": "Vladimir Putin"})
    detail = next(f.detail for f in result.features if f.feature == "name")
    assert "'Путин' read 'putin' (Cyrillic)" in detail
    assert reading_words("习近平")["xi"] == ("习", "Chinese")
    assert reading_words("Vladimir Putin") == {}


# -- given names across languages ------------------------------------------------------------


def test_given_name_groups_come_from_the_data_file() -> None:
    assert given_name_group("giuseppe") == given_name_group("joseph") == "joseph"
    assert given_name_group("johann") == given_name_group("juan") == "john"
    assert given_name_group("romano") is None


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Giuseppe Romano", "Joseph Romano"),
        ("Johann Weber", "John Weber"),
        ("Alexandre Dubois", "Alejandro Dubois"),
        ("Guillermo Ortega", "ORTEGA, William"),  # the word after the comma is the given name
        (
            {"name": "Iosif Kogan", "firstName": "Iosif", "lastName": "Kogan"},
            {"name": "Joseph Kogan", "firstName": "Joseph", "lastName": "Kogan"},
        ),
    ],
)
def test_one_given_name_in_two_languages_matches(query: Any, listed: Any) -> None:
    assert score(query, listed) >= DEFAULT_THRESHOLD


def test_the_explanation_says_the_given_names_are_one_name() -> None:
    result = compare({"name": "Giuseppe Romano"}, {"name": "Joseph Romano"})
    detail = next(f.detail for f in result.features if f.feature == "name")
    assert "'giuseppe' ~ 'joseph' 0.80 (one given name in two languages)" in detail


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("Giuseppe Romano", "Joseph Ricci"),  # the family names differ
        ("Giuseppe", "Joseph Romano"),  # a given name alone
        ("Romano Giuseppe", "Joseph Romano"),  # Giuseppe is not where a given name stands
        ("John Reyes", "MEJIA GONZALEZ, Juan Reyes"),  # listed words left unexplained
        ("Nicholas Charles", "CHOLES, Nikolai"),  # the family names only look alike
        (  # the parts say Peter and Pedro are family names: not linked
            {"name": "Carlos Peter", "firstName": "Carlos", "lastName": "Peter"},
            {"name": "Karl Pedro", "firstName": "Karl", "lastName": "Pedro"},
        ),
    ],
)
def test_given_name_groups_link_only_given_names(query: Any, listed: Any) -> None:
    assert score(query, listed) < DEFAULT_THRESHOLD


def test_organisations_never_use_given_name_groups() -> None:
    assert score("Giuseppe Trading", "Joseph Trading", "Company") < DEFAULT_THRESHOLD
    forms = make_name_forms("Giuseppe Trading", "Company")
    assert forms and not forms[0].roles


def test_index_agrees_with_the_naive_scan_on_japanese_and_given_names() -> None:
    specs = [
        ["Joseph Romano"],
        ["ORTEGA, William"],
        ["John Weber", "Johann Weber"],
        ["Yamada Taro"],
        ["Matsumoto Rika"],
        ["Song Ben Li Jia"],
        ["Joseph Smith"],  # only the given name in common
    ]
    records, screener = people_index(specs)
    for text in ["Giuseppe Romano", "Guillermo Ortega", "Juan Weber", "山田太郎", "里佳 松本"]:
        fast, naive = fast_and_naive(records, screener, text)
        assert fast == naive, text
        assert any(s >= DEFAULT_THRESHOLD for s in fast.values()), text
        # under a floor the index prunes by its bound: the given name still counts there
        floored, _ = fast_and_naive(records, screener, text, DEFAULT_THRESHOLD)
        assert set(floored) == {i for i, s in naive.items() if s >= DEFAULT_THRESHOLD}, text
