"""Person-name symbols of one token from rigour's data: the same answer as rigour's tagger.

The fast tests use hand-written tokens and hand-made tables; the slow test builds
rigour's person tagger (seconds) and compares on every token of three real lists,
the first names of the synthetic US negatives and names in other scripts.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.cache import read_cache, write_cache
from sanctions.matching import symbols
from sanctions.matching.normalise import name_symbols, tokenize_name
from sanctions.matching.symbols import (
    TABLE_FORMAT,
    PersonSymbolTable,
    load_person_symbol_table,
    person_name_symbols,
    read_or_build_table,
    tagger_person_symbols,
)
from sanctions.sources import parse_path

ROOT = Path(__file__).resolve().parents[2]

# Names in other scripts, written by hand (rigour's corpus holds forms in these scripts).
OTHER_SCRIPTS = """
Владимир Путин Сергей Лавров Алексей Навальный Мария Захарова Олександр Зеленський
محمد عبد الله علي حسن حسين بن لادن أسامة صدام خامنئي
王毅 习近平 李 张伟 毛泽东 安倍晋三 山田太郎 ウラジーミル プーチン
김정은 박근혜 이명박 블라디미르 푸틴
Αλέξανδρος Γιώργος Νίκος Παπαδόπουλος
דוד משה יעקב אברהם
Ἀλέξανδρος Jürgen Müller Ærøskøbing ŁUKASZ Straße Đorđe İbrahim
""".split()


def test_a_token_gets_the_names_and_nicknames_rigour_knows() -> None:
    bill = person_name_symbols("bill")
    assert "[NICK:BILL]" in bill
    assert "[NICK:BILL]" in person_name_symbols("william")
    assert person_name_symbols("mohammed") & person_name_symbols("muhammad")
    assert person_name_symbols("vladimir") & person_name_symbols("владимир")
    assert person_name_symbols("WILLIAM") == person_name_symbols("william")
    assert person_name_symbols("andrea") and person_name_symbols("andres")
    assert not person_name_symbols("andrea") & person_name_symbols("andres")


def test_an_unknown_word_and_non_names_have_no_symbols() -> None:
    assert person_name_symbols("qwertyuk") == frozenset()
    assert person_name_symbols("") == frozenset()
    assert person_name_symbols("123") == frozenset()
    assert name_symbols("qwertyuk") == frozenset()


def test_name_symbols_unites_person_names_and_organisation_words() -> None:
    assert "[NICK:BILL]" in name_symbols("bill")
    assert "[DOMAIN:BANK]" in name_symbols("bank")
    assert name_symbols("bank") & name_symbols("banque")
    assert all(s.startswith(("[NAME:", "[NICK:")) for s in person_name_symbols("bank"))


def test_the_table_is_built_from_rigours_own_data() -> None:
    table = load_person_symbol_table()
    assert table is not None, "rigour's person-name data was not found in its module"
    assert len(table) > 100_000
    keys = [key for key, _ in table.items()]
    assert keys == sorted(keys, key=lambda k: k.encode("utf-8"))
    assert all(" " not in key for key in keys)


def test_a_token_of_several_words_unites_their_symbols() -> None:
    # rigour's tokenize_name splits a token at a character it does not keep in a word.
    table = PersonSymbolTable.from_mapping({"ann": {"[NAME:Q1]"}, "marie": {"[NAME:Q2]"}})
    assert table.symbols_of("Ann·Marie") == {"[NAME:Q1]", "[NAME:Q2]"}


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=1, max_size=6),
        st.sets(st.from_regex(r"\[NAME:Q[0-9]{1,6}\]", fullmatch=True), min_size=1, max_size=3),
        max_size=20,
    ),
    st.lists(st.text(max_size=6), max_size=10),
)
def test_the_sorted_table_answers_as_a_dict(
    mapping: dict[str, set[str]], others: list[str]
) -> None:
    table = PersonSymbolTable.from_mapping(mapping)
    for key in [*mapping, *others]:
        assert table.get(key) == frozenset(mapping.get(key, ()))


@pytest.fixture
def small_build(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Builds give a small hand-made table and are counted (no 2 s build per test)."""
    calls: list[int] = []

    def build() -> PersonSymbolTable:
        calls.append(1)
        return PersonSymbolTable.from_mapping({"zebulon": {"[NAME:Q1]"}})

    monkeypatch.setattr(symbols, "build_person_symbol_table", build)
    return calls


def _cache_file(folder: Path) -> Path:
    (path,) = folder.glob(f"person-name-symbols-*-v{TABLE_FORMAT}.cache")
    return path


def test_the_table_is_built_once_then_read_from_its_cache(
    small_build: list[int], tmp_path: Path
) -> None:
    first = read_or_build_table(tmp_path)
    second = read_or_build_table(tmp_path)
    assert small_build == [1]
    assert first is not None and second is not None
    assert second.get("zebulon") == {"[NAME:Q1]"}
    assert f"-{version('rigour')}-" in _cache_file(tmp_path).name


def test_a_corrupt_cache_is_rebuilt(small_build: list[int], tmp_path: Path) -> None:
    read_or_build_table(tmp_path)
    path = _cache_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    table = read_or_build_table(tmp_path)
    assert small_build == [1, 1]
    assert table is not None and table.get("zebulon") == {"[NAME:Q1]"}
    assert read_cache(path) is not None  # rewritten whole


def test_a_cache_for_another_rigour_is_rebuilt(small_build: list[int], tmp_path: Path) -> None:
    read_or_build_table(tmp_path)
    path = _cache_file(tmp_path)
    stale = PersonSymbolTable.from_mapping({"zebulon": {"[NAME:Q999]"}})
    payload = {"format": TABLE_FORMAT, "fingerprint": "2.5.0-1-1", "blob": stale.blob}
    write_cache(path, {**payload, "starts": stale.starts})
    table = read_or_build_table(tmp_path)
    assert small_build == [1, 1]
    assert table is not None and table.get("zebulon") == {"[NAME:Q1]"}


def test_without_rigours_data_the_tagger_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(symbols, "_rigour_person_data", lambda: None)
    assert read_or_build_table(tmp_path) is None
    assert "tagger" in caplog.text
    assert not list(tmp_path.iterdir())
    asked: list[str] = []
    monkeypatch.setattr(symbols, "load_person_symbol_table", lambda: None)
    monkeypatch.setattr(symbols, "tagger_person_symbols", lambda t: asked.append(t) or frozenset())
    person_name_symbols("zebulon")
    assert asked == ["zebulon"]


def test_an_unchecked_rigour_release_gets_the_tagger(
    monkeypatch: pytest.MonkeyPatch, small_build: list[int], tmp_path: Path
) -> None:
    monkeypatch.setattr(symbols, "VERIFIED_RIGOUR", ("0.0.",))
    assert read_or_build_table(tmp_path) is None
    assert small_build == []


def test_a_new_process_looks_up_an_unknown_word_without_building_the_tagger() -> None:
    load_person_symbol_table()  # the session's cache file, which the child process reads
    code = (
        "import time\n"
        "from sanctions.matching.normalise import name_symbols, warm_taggers\n"
        "start = time.process_time()\n"
        "warm_taggers()\n"
        "assert name_symbols('zebulon') is not None and not name_symbols('qwertyuk')\n"
        "assert '[NICK:BILL]' in name_symbols('bill')\n"
        "print(time.process_time() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ),
        check=True,
    )
    # rigour's person tagger takes 6.5-11 s of CPU to build; the cached table ~0.05 s.
    assert float(done.stdout.strip()) < 2.0, done.stdout


def _real_tokens(shared: Path) -> set[str]:
    """Words of every name of three real lists (as written and as folded tokens)."""
    tokens: set[str] = set()
    for path in (
        "un/consolidated_2026-02-27.xml",
        "uk/ofsi/ConList_2018-04-13.csv",
        "ca/sema/sema-lmes_2020-04.xml",
    ):
        for entity in parse_path(shared / path):
            for variant in entity.names:
                tokens.update(variant.name.split())
                tokens.update(tokenize_name(variant.name))
    with open(shared / "eval" / "negatives_synthetic_us.csv", encoding="utf-8") as fh:
        tokens.update(row["first_name"] for row in csv.DictReader(fh))
    with open(shared / "eval" / "putin_names.txt", encoding="utf-8") as fh:
        tokens.update(fh.read().split())
    return tokens


@pytest.mark.slow  # builds rigour's person tagger (seconds) and parses three lists
def test_the_table_agrees_with_rigours_tagger_on_real_tokens(shared_data: Path) -> None:
    tokens = _real_tokens(shared_data) | set(OTHER_SCRIPTS)
    scripts = {unicodedata.name(t[0], "?").split()[0] for t in tokens if t and t[0].isalpha()}
    assert len(tokens) > 20_000
    assert {"CYRILLIC", "ARABIC", "CJK", "HANGUL", "GREEK", "HEBREW"} <= scripts
    named = 0
    differ = []
    for token in sorted(tokens):
        expected = tagger_person_symbols(token)
        named += bool(expected)
        if person_name_symbols(token) != expected:
            differ.append(token)
    assert not differ, f"{len(differ)} tokens differ from rigour's tagger: {differ[:20]}"
    assert named > 5_000  # the comparison is not only of empty answers
