"""Readings of names written in Japanese, and what each Latin token of a reading was read from.

Chinese characters are read in pinyin by ICU (``山田太郎`` -> ``shan tian tai
lang``), which is right for Chinese names and wrong for Japanese ones, written
with the same characters (``Yamada Taro``). A Japanese name is read with
MeCab and IPAdic (``fugashi`` and ``ipadic``: a morphological analyser and its
dictionary, with the readings of some 30,000 Japanese family and given names),
the reading in katakana turned into Hepburn by ICU and spelt as Japanese names
are in passports: long vowels single (``tarou`` -> ``taro``, ``oono`` ->
``ono``, ``yuuki`` -> ``yuki``).

When is a name Japanese? (:func:`japanese_reading`)

* it is written with kana (hiragana or katakana, which Chinese does not use):
  certainly, and its only reading is the Japanese one;
* it is written in Chinese characters only and IPAdic reads every word of it as
  a person's name: a family name of two or more characters (``山田``,
  ``佐藤``; Chinese family names are one character but for a few compound
  ones) makes it certain; otherwise (``林 太一``) the Japanese reading is one
  more reading beside pinyin and the matcher takes the best, unless a word of
  it reads as one letter (``李`` -> ``i``, which would meet any initial);
* otherwise (a character IPAdic cannot read, as the simplified ``伟``, or a
  word that is not a name) it is not read as Japanese.

:func:`reading_words` says, for an explanation, which word of the original a
Latin token was read from and in which script (``yamada`` <- ``山田``,
Japanese).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from anyascii import anyascii

log = logging.getLogger(__name__)

__all__ = ["JapaneseReading", "has_kana", "is_latin", "japanese_reading", "reading_words"]

_KANA = re.compile(
    r"[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff\uff66-\uff9d]"
)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_JAPANESE = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
# Word separators of Japanese names: spaces, the middle dot (ウラジーミル・プーチン), equals signs.
_WORD_BREAK = re.compile(r"[\s\u30fb\uff65\u00b7=\uff1d]+")
# Hepburn as in passports: a long o or u written once (tarou -> taro, oono -> ono,
# yuuki -> yuki) unless a vowel follows (inoue stays inoue).
_LONG_VOWEL = re.compile(r"o[ou](?![aeiou])|uu(?![aeiou])")
PERSON_NAME = "人名"  # IPAdic's tag of a person's name (proper noun)
FAMILY_NAME = "姓"
MIN_JAPANESE_FAMILY_CHARS = 2  # 山田, 佐藤: Chinese family names are one character
NBEST = (
    4  # MeCab's best analyses looked at for a second reading of a name word (里佳: satoka, rika)
)


@dataclass(frozen=True)
class JapaneseReading:
    """A name read as Japanese: its reading and the words it was read from."""

    text: str  # "yamada taro"
    words: tuple[tuple[str, str], ...]  # ("山田", "yamada"), ("太郎", "taro")
    certain: bool  # kana, or a family name of two characters: not read as Chinese
    alternative: str = ""  # "satoka matsumoto" -> "rika matsumoto": another reading of a name word


def has_kana(text: str) -> bool:
    """Is ``text`` written partly in hiragana or katakana (Japanese, never Chinese)?"""
    return _KANA.search(text) is not None


@cache
def _tagger() -> Any:
    """MeCab with IPAdic (built once per process, about a millisecond); None when missing."""
    try:
        import fugashi
        import ipadic
    except ImportError as exc:  # pragma: no cover - both are dependencies
        log.warning("Japanese readings unavailable (%s): names in kanji are read as Chinese", exc)
        return None
    return fugashi.GenericTagger(ipadic.MECAB_ARGS)


@cache
def _kana_latin() -> Any:
    try:  # pragma: no cover - depends on the installed ICU
        import icu

        return icu.Transliterator.createInstance("Katakana-Latin")
    except Exception:  # noqa: BLE001 - any ICU problem: anyascii spells kana in Hepburn too
        return None


def _romaji(kana: str) -> str:
    """Katakana (or hiragana) in Hepburn as in passports: ``タロウ`` -> ``taro``."""
    kana = unicodedata.normalize("NFKC", kana)
    kana = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in kana)
    icu_kana = _kana_latin()
    latin = icu_kana.transliterate(kana) if icu_kana is not None else kana
    text = "".join(c for c in anyascii(latin).lower() if c.isalpha())
    return _LONG_VOWEL.sub(lambda m: m.group(0)[0], text)


def _is_kana(text: str) -> bool:
    return all(_KANA.match(c) or c in "\u30fc\uff70" for c in text)


@lru_cache(maxsize=50_000)
def japanese_reading(text: str) -> JapaneseReading | None:
    """``text`` read as a Japanese name, or None when it is not one (see the module)."""
    if not _JAPANESE.search(text):
        return None
    kana = has_kana(text)
    if not kana and not _HAN.search(text):
        return None
    tagger = _tagger()
    if tagger is None:
        return None
    words: list[tuple[str, str]] = []
    alternatives: dict[int, str] = {}
    family_chars = 0
    for word in _WORD_BREAK.split(text.strip()):
        if not word:
            continue
        if _is_kana(word):  # ヤマダ, ウラジーミル: spelt, not analysed
            words.append((word, _romaji(word)))
            continue
        for node in tagger(word):
            feature = node.feature
            reading = feature[7] if len(feature) > 7 and feature[7] != "*" else ""
            if not reading and _is_kana(node.surface):
                reading = node.surface
            if not reading:
                return None  # a character IPAdic cannot read: not Japanese
            if not kana and feature[2] != PERSON_NAME:
                return None  # Chinese characters that are not a Japanese name
            if feature[3] == FAMILY_NAME:
                family_chars = max(family_chars, len(node.surface))
            if node.surface == word and feature[2] == PERSON_NAME:
                alternatives[len(words)] = _second_reading(tagger, word, reading)
            words.append((node.surface, _romaji(reading)))
    certain = kana or family_chars >= MIN_JAPANESE_FAMILY_CHARS
    text = " ".join(latin for _, latin in words if latin)
    if not text:
        return None
    other = " ".join(alternatives.get(i) or latin for i, (_, latin) in enumerate(words) if latin)
    return JapaneseReading(text, tuple(words), certain, other if other != text else "")


def _second_reading(tagger: Any, word: str, reading: str) -> str:
    """Another reading MeCab gives a name written as one word (里佳: サトカ, then リカ)."""
    for path in tagger.nbest(word, NBEST).split("EOS")[1:]:
        lines = path.strip().splitlines()
        if len(lines) != 1:
            continue
        surface, _, features = lines[0].partition("\t")
        feature = features.split(",")
        if surface == word and len(feature) > 7 and feature[2] == PERSON_NAME:
            if feature[7] not in ("*", reading):
                return _romaji(feature[7])
    return ""


def _script_of(word: str) -> str:
    """The script a word is written in, as people name it (Cyrillic, Arabic, Chinese...)."""
    for char in word:
        if char.isalpha() and ord(char) >= 0x250:
            name = unicodedata.name(char, "")
            if name.startswith("CJK"):
                return "Chinese"
            if name.startswith("HANGUL"):
                return "Korean"
            return name.split(" ")[0].title()
    return ""


@lru_cache(maxsize=10_000)
def reading_words(original: str) -> dict[str, tuple[str, str]]:
    """Latin token -> (the word of ``original`` it was read from, how it was read).

    For explanations: ``山田太郎`` -> ``{"yamada": ("山田", "Japanese"), ...}``,
    ``Владимир Путин`` -> ``{"putin": ("Путин", "Cyrillic"), ...}``. Chinese
    characters are read one by one (``习`` -> ``xi``). Empty for Latin names.
    """
    from sanctions.matching.normalise import name_forms

    if is_latin(original):
        return {}
    found: dict[str, tuple[str, str]] = {}
    japanese = japanese_reading(original)
    if japanese is not None:
        surfaces = [surface for surface, latin in japanese.words if latin]
        for text in (japanese.text, japanese.alternative):
            tokens = text.split()
            if len(tokens) == len(surfaces):  # one token per word read
                for surface, latin in zip(surfaces, tokens, strict=True):
                    found.setdefault(latin, (surface, "Japanese"))
    for word in _WORD_BREAK.split(original):
        for piece in list(word) if _HAN.search(word) else [word]:
            script = _script_of(piece)
            if not script:
                continue
            own = japanese_reading(piece) if script == "Chinese" else None
            japanese_tokens = set(f"{own.text} {own.alternative}".split()) if own else set()
            for form in name_forms(piece):
                for token in form.split():
                    label = "Japanese" if token in japanese_tokens else script
                    found.setdefault(token, (piece, label))
    return found


def is_latin(text: str) -> bool:
    """Is every letter of ``text`` a Latin one (ASCII or Latin extended, accents allowed)?

    Digits, spaces, punctuation, symbols and marks are not letters and do not count.
    The one test of "written in Latin" of the matcher (transliteration, explanations,
    alignment).
    """
    return text.isascii() or all(char < "\u0250" or not char.isalpha() for char in text)
