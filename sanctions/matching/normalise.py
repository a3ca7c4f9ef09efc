"""Normalisation of names: every script to Latin, case, accents and punctuation folded.

``Владимир Путин``, ``فلاديمير بوتين`` and ``Vladímir Pútín`` all come down to
plain lowercase ASCII tokens that the scorer can compare. Non-Latin text is
transliterated twice, with ICU's ``Any-Latin`` (PyICU) and with
``anyascii``, because each is better for some scripts (ICU keeps Arabic vowels
and Chinese syllables apart; anyascii reads Cyrillic ``ч`` as ``ch`` and Greek
``β`` as ``v``): both readings are kept as forms of the name. Without ICU,
anyascii alone is used.

Reference data (titles, legal forms, particles, generic organisation words) is
YAML in ``sanctions/matching/data``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from anyascii import anyascii
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein
from rigour.names import NameTypeTag, Symbol, analyze_names, replace_org_types_compare
from rigour.text.normalize import Normalize, normalize

from .scripts import is_latin, japanese_reading
from .symbols import (
    load_person_symbol_table,
    person_name_symbols,
    rigour_number_spellings,
    rigour_verified,
)

log = logging.getLogger(__name__)

__all__ = [
    "fold_text",
    "transliterations",
    "tokenize_name",
    "name_forms",
    "phonetic_key",
    "is_title",
    "is_particle",
    "is_name_suffix",
    "legal_form",
    "is_org_term",
    "is_patronymic",
    "squeeze",
    "name_symbols",
    "remember_symbols",
    "warm_taggers",
    "strip_ignorable",
    "replace_org_types",
    "number_spans",
    "collapse_initialisms",
    "consonant_key",
    "in_abjad_script",
    "has_vowel",
    "korean_readings",
    "given_name_group",
    "given_name_forms",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

try:  # pragma: no cover - depends on the installed ICU
    import icu

    _ICU: Any = icu.Transliterator.createInstance("Any-Latin")
except Exception as exc:  # noqa: BLE001 - any ICU problem means: fall back to anyascii
    log.info("ICU transliteration unavailable (%s); using anyascii only", exc)
    _ICU = None

_SPLIT = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")
# Default-ignorable code points that are not format characters (Cf, found by
# category): combining grapheme joiner, Hangul fillers, Mongolian and other
# variation selectors, and the C0/C1 controls (NUL included).
_IGNORABLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u034f\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
MAX_NAME_CHARS = 500


def strip_ignorable(text: str) -> str:
    """``text`` without default-ignorable and format characters; line breaks and tabs as spaces.

    Zero-width spaces and joiners, soft hyphens, bidi controls, the byte-order
    mark, variation selectors, NUL and other controls are invisible: inserted
    into a name they must change nothing, so they are removed (not read as a
    word break) before the name is tokenised or cut to length.
    """
    if text.isascii() and text.isprintable():
        return text
    text = _SEPARATORS.sub(" ", text)
    text = _IGNORABLE.sub("", text)
    if text.isprintable():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


@lru_cache(maxsize=200_000)
def transliterations(text: str) -> tuple[str, ...]:
    """ASCII readings of ``text`` (one for Latin text, up to two for other scripts)."""
    text = strip_ignorable(text)[:MAX_NAME_CHARS]
    if text.isascii():
        return (text,)
    text = _drop_symbols(text)
    if is_latin(text):
        return (anyascii(text),)
    japanese = japanese_reading(text)  # 山田太郎 -> yamada taro (not shan tian tai lang)
    if japanese is not None and japanese.certain:
        return tuple(r for r in (japanese.text, japanese.alternative) if r)
    readings = [anyascii(_CAMEL.sub(" ", anyascii(text)))]
    if _ICU is not None:
        readings.append(anyascii(_ICU.transliterate(text)))
    if japanese is not None and min(map(len, japanese.text.split())) > 1:
        readings.append(japanese.text)  # 林 太一: Chinese or Japanese, both readings
    if _HANGUL.search(text):  # 김정은 -> kim jong un (not gim jeong eun)
        readings.extend(korean_readings(text))
    if _ABJAD.search(text):  # long vowels written as consonants: bwtyn -> butin
        # a word-initial ayn is read as a vowel in Latin (`ly -> ali, `bd -> abd)
        vowelled = _INITIAL_AYN.sub("a", readings[-1].lower())
        readings.append(_arabic_words(_ABJAD_VOWELS.sub(_restore_vowel, vowelled)))
    return tuple(dict.fromkeys(readings))


_ABJAD = re.compile(
    r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]"
)


@lru_cache(maxsize=100_000)
def in_abjad_script(text: str) -> bool:
    """Is the text written (at least partly) in Arabic or Hebrew script? Its Latin
    reading then writes consonants only (``فضل`` -> ``fdl``)."""
    return bool(_ABJAD.search(text))


_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_HANGUL_OR_OTHER = re.compile(r"[\uac00-\ud7a3]|[^\uac00-\ud7a3]+")
_KOREAN_VOWELS = (("eo", "o"), ("eu", "u"))
KOREAN_SURNAME_SPELLINGS = 2  # readings made per family name (its most usual spellings)


@cache
def _korean_surnames() -> dict[str, list[str]]:
    with open(DATA_DIR / "korean_surnames.yml", encoding="utf-8") as fh:
        return {str(k): [str(v) for v in values] for k, values in yaml.safe_load(fh).items()}


def _korean_syllable(char: str) -> str:
    """One Hangul syllable as usually spelt in Latin (jeong -> jong, eun -> un, lyong -> ryong)."""
    text = anyascii(char).lower()
    if text.startswith("l"):  # an initial rieul is an r (룡 ryong)
        text = "r" + text[1:]
    for old, new in _KOREAN_VOWELS:
        text = text.replace(old, new)
    return text


def korean_readings(text: str) -> list[str]:
    """A Korean name in Hangul as it is usually spelt in Latin, syllable by syllable.

    Revised Romanization (what ICU and anyascii give) spells 김정은 ``gim jeong eun``;
    the name is written ``Kim Jong Un``. A word of 2-4 syllables opening with a
    known family name gets that name's usual spellings (``korean_surnames.yml``),
    one reading each; the other syllables lose the ``eo``/``eu`` spellings.
    """
    surnames = _korean_surnames()
    words = text.split()
    first = words[0] if words else ""
    spellings = [""]
    if (2 <= len(first) <= 4 or (first and len(words) > 1)) and first[0] in surnames:
        spellings = surnames[first[0]][:KOREAN_SURNAME_SPELLINGS]
    readings = []
    for surname in spellings:
        out = []
        for i, word in enumerate(words):
            # Hangul syllable by syllable; other letters stay words ("유진 Ponti": "ponti",
            # not "p o n t i", read as five initials that meet every listed name)
            chars = _HANGUL_OR_OTHER.findall(word[1:] if i == 0 and surname else word)
            syllables = [_korean_syllable(c) if _HANGUL.match(c) else c for c in chars]
            out.append(" ".join(([surname] if i == 0 and surname else []) + syllables))
        readings.append(" ".join(out))
    return readings


_INITIAL_AYN = re.compile(r"(?<![a-z])`")
_ABJAD_VOWELS = re.compile(r"(?<=[b-df-hj-np-tv-z])[wy](?=[b-df-hj-np-tv-z]|\b)")


_ARTICLE = re.compile(r"\bal(?=[a-z]{3})")  # alalfi -> al alfi (not allah: al + lah)
_ALLAH = re.compile(r"allh\b")  # abdallh, najiballh: the name of God, as spelt in Latin


def _arabic_words(text: str) -> str:
    """An Arabic name read with vowels, its particles spelt as in Latin names.

    The article is a word of its own (``alalfi`` -> ``al alfi``), ``allh`` is
    ``allah`` (``abdallh`` -> ``abdallah``) and ``bn`` is ``bin``.
    """
    text = _ALLAH.sub("allah", text)
    text = _ARTICLE.sub("al ", text).replace("al lah", "allah")
    return " ".join("bin" if word == "bn" else word for word in text.split(" "))


def _restore_vowel(match: re.Match[str]) -> str:
    return "u" if match.group(0) == "w" else "i"


def _drop_symbols(text: str) -> str:
    """Emoji and other non-ASCII symbols as spaces (anyascii would spell 🙂 "slight smile")."""
    return "".join(
        " " if not c.isascii() and unicodedata.category(c)[0] == "S" else c for c in text
    )


def fold_text(text: str) -> str:
    """Lowercase ASCII words separated by single spaces (apostrophes dropped)."""
    if not text.isascii():
        text = anyascii(text.replace("\u2019", "").replace("\u2018", ""))
    text = text.replace("'", "").replace("`", "").replace("\u2019", "").replace("\u2018", "")
    return " ".join(_SPLIT.split(text.lower())).strip()


@lru_cache(maxsize=200_000)
def name_forms(text: str) -> tuple[str, ...]:
    """The folded forms of a name: transliterated, lowercase, words only."""
    forms = [fold_text(reading) for reading in transliterations(text)]
    return tuple(f for f in dict.fromkeys(forms) if f)


def tokenize_name(text: str) -> list[str]:
    """Tokens of the first form of a name (``"MADURO MOROS, Nicolás"`` -> 3 tokens)."""
    forms = name_forms(text)
    return forms[0].split() if forms else []


# -- phonetic key -------------------------------------------------------------------

_PHONETIC_RULES = [
    ("tsch", "c"),
    ("sch", "s"),
    ("tch", "c"),
    ("ch", "c"),
    ("sh", "s"),
    ("zh", "s"),
    ("kh", "k"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("ck", "k"),
    ("gy", "d"),
    ("dz", "d"),
    ("ts", "c"),
    ("tz", "c"),
    ("x", "ks"),
]
# Consonant classes: labials, dentals, liquids, velars, sibilants/affricates.
_CLASSES = str.maketrans(
    {
        "b": "P",
        "p": "P",
        "f": "P",
        "v": "P",
        "d": "T",
        "t": "T",
        "l": "L",
        "r": "L",
        "g": "K",
        "k": "K",
        "q": "K",
        "c": "S",
        "s": "S",
        "z": "S",
        "j": "",
        "m": "M",
        "n": "N",
        "h": "",
        "a": "",
        "e": "",
        "i": "",
        "o": "",
        "u": "",
        "y": "",
    }
)


_W_AFTER_CONSONANT = re.compile(r"([b-df-hj-np-tv-z])w")


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """A coarse sound key of a folded token: consonant classes, vowels dropped.

    Built to let transliterations of the same name meet (``vladimir``,
    ``wladimir``, ``fladymyr`` -> ``PLTML``; ``putin``, ``bwtyn`` -> ``PTN``).
    A ``w`` after a consonant is a vowel (Arabic ``و``), elsewhere a ``v``.
    """
    if not token or not token.isalpha():
        return ""
    text = token.lower()
    text = _W_AFTER_CONSONANT.sub(r"\1", text).replace("w", "v")
    for old, new in _PHONETIC_RULES:
        text = text.replace(old, new)
    key = text.translate(_CLASSES)
    collapsed = [c for i, c in enumerate(key) if i == 0 or c != key[i - 1]]
    return "".join(collapsed)


# -- reference data -----------------------------------------------------------------


@cache
def _load(name: str) -> dict[str, list[str]]:
    with open(DATA_DIR / name, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {str(k): [fold_text(str(v)) for v in values] for k, values in data.items()}


@cache
def _word_set(name: str) -> frozenset[str]:
    return frozenset(w for values in _load(name).values() for w in values if " " not in w)


@cache
def _legal_forms() -> dict[str, str]:
    return {
        spelling.replace(" ", ""): canonical
        for canonical, spellings in _load("legal_forms.yml").items()
        for spelling in spellings
    }


@cache
def _given_name_groups() -> dict[str, str]:
    with open(DATA_DIR / "given_names.yml", encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return {fold_text(str(form)): str(group) for group, forms in data.items() for form in forms}


def given_name_group(token: str) -> str | None:
    """The name a given name is a language form of (``giuseppe``, ``yusuf`` -> ``joseph``).

    From ``given_names.yml`` (hand-built, its source in the file): for given
    names only, never for a word whose role is unknown.
    """
    return _given_name_groups().get(token)


@cache
def _given_name_members() -> dict[str, tuple[str, ...]]:
    members: dict[str, list[str]] = {}
    for form, group in _given_name_groups().items():
        members.setdefault(group, []).append(form)
    return {form: tuple(members[group]) for form, group in _given_name_groups().items()}


def given_name_forms(token: str) -> tuple[str, ...]:
    """The other language forms of a given name (``giuseppe`` -> ``joseph``, ``jose``...)."""
    return tuple(f for f in _given_name_members().get(token, ()) if f != token)


def is_title(token: str) -> bool:
    """A title or honorific (Mr, Dr, Sheikh, Haji, General, President...)."""
    return token in _word_set("titles.yml")


def is_name_suffix(token: str) -> bool:
    """A generational or degree suffix (jr, sr, iii, phd): a title after the name too."""
    return token in _load("titles.yml")["suffixes"]


def is_particle(token: str) -> bool:
    """A name particle (al, bin, abu, de, van...)."""
    return token in _word_set("particles.yml")


def is_org_term(token: str) -> bool:
    """A generic organisation word (company, trading, international...).

    Our short list (``org_terms.yml``): rigour's domain and organisation-word
    tags are far broader ("aircraft", "commercial", "exchange") and would leave
    real names ("United Aircraft Corporation") without a distinctive word; they
    are used to pair words across languages instead (``Banque`` ~ ``Bank``).
    """
    return token in _word_set("org_terms.yml")


@lru_cache(maxsize=200_000)
def legal_form(token: str) -> str | None:
    """The canonical legal form of a token (or of joined tokens: ``"ooo"`` -> ``"llc"``).

    rigour's legal-form database first (``gmbh``, ``ooo``, ``srl`` -> ``llc``;
    ``ag``, ``sa``, ``pjsc`` -> ``jsc``), then our short list of the generic
    forms it leaves unclassed (``corp``, ``company``, ``establishment``).
    """
    return _org_class(token) or _legal_forms().get(token) or _misspelt_legal_form(token)


# Long one-word legal forms a customer file misspells ("Comapny", "Limted", "Coporation"):
# one transposition of two letters, or one letter left out, added or changed (the
# latter only for forms of 8 letters or more, where it cannot spell another word).
MISSPELT_LEGAL_FORMS = (
    "company",
    "compagnie",
    "compania",
    "corporation",
    "establishment",
    "incorporated",
    "limitada",
    "limited",
    "partnership",
)
MISSPELT_EDIT_MIN = 8


@lru_cache(maxsize=100_000)
def _misspelt_legal_form(token: str) -> str | None:
    """The legal form a token misspells by one keystroke, or None (see above)."""
    if len(token) < 6 or not token.isalpha():
        return None
    for form in MISSPELT_LEGAL_FORMS:
        if abs(len(form) - len(token)) > 1 or form[0] != token[0]:
            continue
        distance = DamerauLevenshtein.distance(form, token, score_cutoff=1)
        edits = Levenshtein.distance(form, token, score_cutoff=1)
        if distance == 1 and (edits == 2 or len(form) >= MISSPELT_EDIT_MIN):
            return legal_form(form)
    return None


@lru_cache(maxsize=100_000)
def _org_class(token: str) -> str | None:
    if not token.isalpha() or len(token) > 12:
        return None
    for name in analyze_names(
        NameTypeTag.ORG, [token], consolidate=False, phonetics=False, rewrite=False
    ):
        for span in name.spans:
            if span.symbol.category == Symbol.Category.ORG_CLASS and len(span.parts) == 1:
                return str(span.symbol.id).lower()
    return None


@lru_cache(maxsize=200_000)
def replace_org_types(name: str) -> str:
    """An organisation name with its legal form in rigour's short compare form.

    ``Gesellschaft mit beschränkter Haftung Alpha`` -> ``gmbh Alpha``,
    ``Obshchestvo s Ogranichennoy Otvetstvennostyu Romashka`` -> ``ooo Romashka``.
    """
    return replace_org_types_compare(strip_ignorable(name)[:MAX_NAME_CHARS])


_INITIALISM = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\.\s?){2,}(?:[^\W\d_](?![^\W\d_]))?")


def collapse_initialisms(text: str, min_letters: int = 2) -> str:
    """Dotted initials written as one word: ``U.S.A. Trading`` -> ``USA Trading``.

    Runs of fewer than ``min_letters`` letters are kept (``V.V. Putin`` read
    as any party keeps its two initials when ``min_letters`` is 3).
    """
    if "." not in text:
        return text

    def join(match: re.Match[str]) -> str:
        letters = [c for c in match.group(0) if c.isalpha()]
        if len(letters) < min_letters:
            return match.group(0)
        return "".join(letters) + " "

    return _INITIALISM.sub(join, text).strip()


def _last_numeral(words: str, indices: list[int], text: str) -> bool:
    """A roman numeral closing a name of several words ("Bicentenario IX", "Rung Ra V")."""
    count = text.count(" ") + 1
    return set(words) <= set("ivx") and max(indices) == count - 1 and count >= 2


_LETTER_WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")


@cache
def _number_words() -> frozenset[str] | None:
    """Every word of every spelling of a number rigour's tagger knows (``eighty``,
    ``five``, ``no``, ``ochenta``, ``y``, ``lxxxv``...), folded and as rigour normalises
    it; None (no shortcut) when rigour does not give them or is not a checked release."""
    spellings = rigour_number_spellings()
    if spellings is None or not rigour_verified():
        return None
    words: set[str] = set()
    for spelling in spellings:
        words.update(fold_text(spelling).split())
        words.update((normalize(spelling, Normalize.CASEFOLD | Normalize.NAME) or "").split())
    return frozenset(words)


def number_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """Number words of a folded name as (first token, end token, digits), longest first.

    ``twenty one trading`` -> ``((0, 2, "21"),)``; ``second bank`` -> ``((0, 1, "2"),)``.
    Spans do not overlap; a token that is already only digits is left alone.
    A name of lowercase letters none of whose words spells part of a number (rigour's
    ordinal spellings: the only way its tagger finds a number without a digit) has none,
    known without asking rigour (most names: a new name costs no tagger call).
    """
    words = _number_words()
    if words is not None and _LETTER_WORDS.fullmatch(text) and words.isdisjoint(text.split()):
        return ()
    return _tagged_number_spans(text)


@lru_cache(maxsize=200_000)
def _tagged_number_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """:func:`number_spans` from rigour's organisation tagger."""
    if not text:
        return ()
    found = []
    for name in analyze_names(
        NameTypeTag.ORG, [text], consolidate=False, phonetics=False, rewrite=False
    ):
        for span in name.spans:
            if span.symbol.category == Symbol.Category.NUMERIC:
                indices = [part.index for part in span.parts]
                words = "".join(part.form for part in span.parts)
                if (
                    len(words) <= 2
                    and not words.isdigit()
                    and not _last_numeral(words, indices, text)
                ):
                    continue  # "do", "i": a word or an initial, unless a roman numeral at the end
                found.append((min(indices), max(indices) + 1, str(span.symbol.id)))
        break
    taken: set[int] = set()
    spans = []
    for start, end, digits in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
        if taken.isdisjoint(range(start, end)):
            taken.update(range(start, end))
            spans.append((start, end, digits))
    return tuple(sorted(spans))


def multiword_legal_forms() -> list[tuple[list[str], str]]:
    """Legal forms written in several words, longest first, as token lists."""
    forms = [
        (spelling.split(), canonical)
        for canonical, spellings in _load("legal_forms.yml").items()
        for spelling in spellings
        if " " in spelling
    ]
    return sorted(forms, key=lambda f: -len(f[0]))


_PATRONYMIC = re.compile(
    r"(ovich|evich|ovici|ovitch|ovitj|owitsch|owitsj|owicz|ovics|ovych|ovna|evna|ichna|avich|ogly|kyzy)$"
)


def is_patronymic(token: str) -> bool:
    """A Slavic or Turkic patronymic by its ending (``vladimirovich``, ``aliyevna``)."""
    return len(token) > 6 and _PATRONYMIC.search(token) is not None


_DIGRAPHS = (("kh", "k"), ("gh", "g"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("dh", "d"))
_CONSONANT_CLASSES = str.maketrans(
    {"q": "k", "c": "k", "g": "j", "z": "d", "p": "b", "v": "f", "x": "ks"}
    | {v: "" for v in "aeiouyw"}
)
_VOWELS = frozenset("aeiou")


def has_vowel(token: str) -> bool:
    """Does a folded token write a vowel? (Arabic and Hebrew read as Latin mostly do not.)"""
    return not _VOWELS.isdisjoint(token)


@lru_cache(maxsize=200_000)
def consonant_key(token: str) -> str:
    """The consonants of a folded token as an abjad writes them: the key of its spellings.

    Arabic and Hebrew write consonants and long vowels only, so a Latin
    rendering and a reading of the script meet on their consonants:
    ``abdullah`` and ``bdllh`` (عبدالله) -> ``bdl``, ``fazal`` and ``fdl``
    (فضل) -> ``fdl``, ``putin`` and ``bwtyn`` (بوتين) -> ``btn``. Vowels and
    the half-vowels ``w``/``y`` are dropped, letters one Arabic letter is
    written with in Latin share a class (``q``/``k``, ``g``/``j``, ``z``/``d``,
    ``p``/``b``, ``v``/``f``), doubled letters are one, and a final ``h``
    (ta marbuta, ``juma`` / ``jmh``) is dropped.
    """
    if not token.isalpha():
        return ""
    text = token
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    key = squeeze(text.translate(_CONSONANT_CLASSES))
    return key[:-1] if len(key) > 2 and key.endswith("h") else key


_DOUBLE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def squeeze(token: str) -> str:
    """The token with repeated letters collapsed (``abdallah`` -> ``abdalah``)."""
    return _DOUBLE.sub(r"\1", token)


_ORG_WORD_CATEGORIES = frozenset(
    {Symbol.Category.DOMAIN, Symbol.Category.SYMBOL, Symbol.Category.LOCATION}
)


# name_symbols of tokens computed by another process (the index's vocabulary, cached with
# it): a process whose tokens are all known here never looks them up.
_KNOWN_SYMBOLS: dict[str, frozenset[str]] = {}


def remember_symbols(table: dict[str, frozenset[str]]) -> None:
    """Take :func:`name_symbols` of these tokens as given (computed with this code and rigour)."""
    _KNOWN_SYMBOLS.update(table)


def warm_taggers() -> None:
    """Load the person-name symbol table, build rigour's organisation tagger and read its
    number words now.

    ~0.1 s with the table cached (see :mod:`sanctions.matching.symbols`), not at a first
    query; rigour's person tagger (seconds) is not built.
    """
    load_person_symbol_table()
    analyze_names(NameTypeTag.ORG, ["warm"], consolidate=False, phonetics=False, rewrite=False)
    _number_words()


@lru_cache(maxsize=200_000)
def name_symbols(token: str) -> frozenset[str]:
    """What rigour's name corpus and organisation tagger know a folded token to mean.

    Person names: ``william`` and ``bill`` share ``[NICK:BILL]``; ``mohammed``
    and ``muhammad`` share a Wikidata name id; ``andrea`` and ``andres`` are
    both known names with no id in common (two names, not a typo).
    Organisation words: ``bank``, ``banque`` and ``banka`` share
    ``[DOMAIN:BANK]``; ``trading`` and ``trade`` share ``[SYMBOL:TRADE]``.
    Tokens of fewer than two letters and digits have none. Person names come from
    :func:`~sanctions.matching.symbols.person_name_symbols` (rigour's person tagger's
    answer without building it), organisation words from rigour's organisation tagger.
    """
    if len(token) < 2 or not token.isalpha():
        return frozenset()
    known = _KNOWN_SYMBOLS.get(token)
    if known is not None:
        return known
    found = set(person_name_symbols(token))
    for name in analyze_names(
        NameTypeTag.ORG, [token], consolidate=False, phonetics=False, rewrite=False
    ):
        for span in name.spans:
            symbol = span.symbol
            if len(span.parts) == 1 and symbol.category in _ORG_WORD_CATEGORIES:
                found.add(str(symbol))
    return frozenset(found)
