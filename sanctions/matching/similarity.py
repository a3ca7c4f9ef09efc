"""The similarity of two folded tokens: names, edit distance, inflection, sound, abjad.

:func:`token_similarity` is the one measure the index blocks for and the
alignment uses; :func:`thresholded_similarity` drops what is too far to align
(:data:`TOKEN_THRESHOLD`). Two tokens rigour's name corpus knows as one name
(``bill`` ~ ``william``) align however they are spelt; two known names with no
identity in common count less than their spelling says (``andrea`` / ``andres``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .normalise import consonant_key, has_vowel, legal_form, name_symbols, phonetic_key, squeeze

__all__ = [
    "ABD_FORMS",
    "ABD_SIMILARITY",
    "ABJAD_KEY_MIN",
    "ABJAD_SIMILARITY",
    "EQUIVALENT_SIMILARITY",
    "GIVEN_NAME_SIMILARITY",
    "INITIAL_SIMILARITY",
    "JOINED_MIN",
    "NICKNAME_SIMILARITY",
    "PHONETIC_MIN",
    "TOKEN_THRESHOLD",
    "RowFn",
    "SimilarityFn",
    "SimilarityRow",
    "abjad_similarity",
    "cutoff_similarities",
    "cutoff_similarity",
    "equivalent_names",
    "initial_similarity",
    "joined_similarity",
    "naive_rows",
    "plain_similarity",
    "thresholded_similarity",
    "token_similarity",
]

TOKEN_THRESHOLD = 0.7  # tokens less similar than this are not aligned at all
INITIAL_SIMILARITY = 0.9
SQUEEZE_SIMILARITY = 0.95
PREFIX_SIMILARITY = 0.82  # putin ~ putinas, vladimir ~ vladimiras (inflection)
PHONETIC_MIN = 0.4  # sound keys only lift long tokens that are already this alike
PHONETIC_MIN_SHORT = 0.5  # ... and tokens of fewer than PHONETIC_LONG letters this alike
PHONETIC_LONG = 11
EQUIVALENT_SIMILARITY = 0.95  # one name in rigour's corpus: bill ~ william, usama ~ osama
NICKNAME_SIMILARITY = 0.85  # a nickname of the name: bill ~ william, bob ~ robert
GIVEN_NAME_SIMILARITY = 0.8  # one given name in two languages: giuseppe ~ joseph
DIFFERENT_NAME_PENALTY = 0.2  # two known names without an identity in common: andrea/andres
SHORT_TOKEN = 4  # tokens this short must begin alike to align (wang/fang, sara/para)
JOINED_MIN = 0.85  # two tokens read as one must be this alike to align

# "Abd" (servant of) alone, with the article joined (Abdul, Abdel, Abdur ...) or read
# without vowels from Arabic script (``bd``): one word however it is spelt.
ABD_FORMS = frozenset(
    {"abd", "abdu", "abdul", "abdel", "abdal", "abdil", "abdol", "abdoul", "abdool", "abdur"}
    | {"abdus", "bd", "bdl", "ebd"}
)
ABD_SIMILARITY = 0.9
ABJAD_SIMILARITY = 0.85  # a Latin spelling and an Arabic/Hebrew reading with one consonant key
ABJAD_KEY_MIN = 3  # consonants a key needs: two say too little (``bl``: Bill, Abel, Bilal ...)


def abjad_similarity(a: str, b: str) -> float:
    """:data:`ABJAD_SIMILARITY` when a token without vowels (Arabic or Hebrew read as
    Latin: ``bdllh``, ``fytwry``) and a Latin spelling have one :func:`consonant_key`
    (``abdullah``, ``fitouri``), the article ``al`` joined on either side; else 0.

    The Latin spelling adds vowels, so it is longer than the reading, but not
    more than twice as long (``williamirwin`` is no spelling of ``lmrny``); a
    legal form without vowels (``llc``, ``jsc``) is no reading of a name.
    """
    if has_vowel(a) == has_vowel(b):
        return 0.0
    bare, latin = (b, a) if has_vowel(a) else (a, b)
    if not len(bare) <= len(latin) <= 2 * len(bare) + 1 or legal_form(bare) is not None:
        return 0.0
    key_a, key_b = consonant_key(a), consonant_key(b)
    if min(len(key_a), len(key_b)) < ABJAD_KEY_MIN:
        return 0.0
    if key_a == key_b or key_a == "l" + key_b or key_b == "l" + key_a:
        return ABJAD_SIMILARITY
    return 0.0


def plain_similarity(a: str, b: str) -> float:
    """:func:`thresholded_similarity` without the abjad rule."""
    sim = _token_similarity(a, b)
    return sim if sim >= TOKEN_THRESHOLD else 0.0


def token_similarity(a: str, b: str) -> float:
    """Similarity of two folded tokens in [0, 1] (names, edit distance, inflection, sound,
    abjad consonants: :func:`abjad_similarity`).
    """
    sim = _token_similarity(a, b)
    if sim < ABJAD_SIMILARITY and len(a) > 1 and len(b) > 1:
        return max(sim, abjad_similarity(a, b))
    return sim


def _token_similarity(a: str, b: str) -> float:
    """Similarity of two folded tokens in [0, 1] (names, edit distance, inflection, sound).

    Two tokens that rigour's name corpus knows as the same name align at
    :data:`EQUIVALENT_SIMILARITY` however they are spelt (``bill`` ~ ``william``);
    two known names with no identity in common are different names, and their
    spelling likeness counts :data:`DIFFERENT_NAME_PENALTY` less
    (``andrea`` / ``andres``, ``martina`` / ``martin``).
    """
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return initial_similarity(a, b)
    if a in ABD_FORMS and b in ABD_FORMS:
        return ABD_SIMILARITY
    if a.isdigit() or b.isdigit():
        return 0.0
    symbols_a = name_symbols(a)
    symbols_b = name_symbols(b) if symbols_a else symbols_a
    if not (symbols_a and symbols_b):
        return _spelling_similarity(a, b)
    equivalent = _equivalence(a, b, symbols_a, symbols_b)
    if equivalent:
        return max(equivalent, _spelling_similarity(a, b))
    if not symbols_a.isdisjoint(symbols_b):  # a shared id too loose to count (CJK syllables)
        return _spelling_similarity(a, b)
    if not (_person_name(symbols_a) and _person_name(symbols_b)):
        return _spelling_similarity(a, b)  # an organisation word: no claim of two names
    if _sound_variant(a, b) or _stem_variant(a, b):  # vladimir / volodymyr, alexandros / alexander
        return _spelling_similarity(a, b)
    return max(0.0, _spelling_similarity(a, b, sound=False) - DIFFERENT_NAME_PENALTY)


_VOWEL_TABLE = str.maketrans("", "", "aeiouy")


def _same_consonants(a: str, b: str) -> bool:
    """Short spellings that differ in vowels only (``mousa`` / ``musa``, ``maher`` / ``mahir``)."""
    if max(len(a), len(b)) > 6:  # francesca / francisco, margaret / margarita: two names
        return False
    skeleton = a.translate(_VOWEL_TABLE)
    return len(skeleton) >= 2 and skeleton == b.translate(_VOWEL_TABLE)


def _person_name(symbols: frozenset[str]) -> bool:
    return any(s.startswith(("[NAME:", "[NICK:")) for s in symbols)


def _sound_variant(a: str, b: str) -> bool:
    """Two spellings of one sound, not a feminine and a masculine form of a name.

    ``vladimir`` and ``volodymyr`` sound alike, ``mousa`` and ``musa`` differ in
    vowels only; ``antonia`` and ``antonio``,
    ``martina`` and ``martin`` sound alike but differ by the ending that marks
    gender, which makes them two names.
    """
    key = phonetic_key(a)
    if (len(key) < 3 or key != phonetic_key(b)) and not _same_consonants(a, b):
        return False
    if a.endswith("a") == b.endswith("a"):
        return True
    stem_a = a[:-1] if a[-1] in "aeiouy" else a  # francesc(a) / francisc(o): gender
    stem_b = b[:-1] if b[-1] in "aeiouy" else b
    return Levenshtein.distance(stem_a, stem_b) > 1


STEM_MIN = 6  # letters two language forms of one name share at the start
STEM_SHARE = 0.75  # ... and this share of the shorter one
CASE_ENDINGS = ("os", "as", "is", "us")  # Greek, Lithuanian, Latin nominatives


def _stem_variant(a: str, b: str) -> bool:
    """One name in two languages: a long shared stem, different endings.

    Greek, Lithuanian and Latin forms add a case ending (``-os``, ``-as``,
    ``-is``, ``-us``) to the stem
    (``alexandros`` / ``alexander``, ``dimitrios`` / ``dimitri``,
    ``nikolaos`` / ``nikolai``). A stem shared this far is one name unless the
    endings mark gender (``alexandra`` / ``alexander``); two names that only
    begin alike (``christian`` / ``christopher``) share too little.
    """
    if a.endswith("a") != b.endswith("a"):
        return False
    if not (a.endswith(CASE_ENDINGS) or b.endswith(CASE_ENDINGS)):
        return False  # martin / martinez, daniel / danielle: a family name or another name
    shorter = min(len(a), len(b))
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= STEM_MIN and common >= STEM_SHARE * shorter


def _equivalence(a: str, b: str, symbols_a: frozenset[str], symbols_b: frozenset[str]) -> float:
    """How alike two tokens are as one name of rigour's corpus (0 when they are not).

    A shared name id counts when the spellings also meet (same first letter, or
    half alike): the corpus gives one id to many romanised Chinese and Korean
    syllables (``wang``, ``hong``), which says nothing of a person. A shared
    nickname (``bill`` ~ ``william``) counts :data:`NICKNAME_SIMILARITY`.
    """
    shared = symbols_a & symbols_b
    if not shared or min(len(a), len(b)) < 3:
        return 0.0
    if any(s.startswith(("[DOMAIN:", "[SYMBOL:", "[LOC:")) for s in shared):
        return EQUIVALENT_SIMILARITY  # bank ~ banque, trading ~ trade
    spelling = Levenshtein.normalized_similarity(a, b)
    if spelling >= 0.6 or (a[0] == b[0] and min(len(a), len(b)) >= 4):
        if any(s.startswith("[NAME:") for s in shared):
            return EQUIVALENT_SIMILARITY
    if any(s.startswith("[NICK:") for s in shared):
        return NICKNAME_SIMILARITY
    return 0.0


CUTOFF_MARGIN = 1e-6  # below RapidFuzz's own rounding; far below 1/length of any name


def cutoff_similarity(a: str, b: str, cutoff: float) -> float:
    """Normalised Levenshtein similarity of two strings, or 0 when it is below ``cutoff``.

    Inclusive: a similarity exactly at the cutoff is kept. RapidFuzz turns a
    normalised cutoff into an edit count through floating point and rejects
    some values equal to it (``0.85`` for 3 edits in 20 letters), so it is
    asked with a cutoff lowered by :data:`CUTOFF_MARGIN` and the exact test is
    made here.
    """
    value = Levenshtein.normalized_similarity(a, b, score_cutoff=max(0.0, cutoff - CUTOFF_MARGIN))
    return value if value >= cutoff - 1e-12 else 0.0


def cutoff_similarities(a: str, others: Sequence[str], cutoff: float) -> np.ndarray:
    """:func:`cutoff_similarity` of ``a`` with each of ``others`` (one call into RapidFuzz,
    the same scorer and cutoff: the same values)."""
    if not others:
        return np.zeros(0, dtype=np.float64)
    values: np.ndarray = process.cdist(
        [a],
        others,
        scorer=Levenshtein.normalized_similarity,
        score_cutoff=max(0.0, cutoff - CUTOFF_MARGIN),
        dtype=np.float64,
    )[0]
    values[values < cutoff - 1e-12] = 0.0
    return values


def joined_similarity(a: str, b: str) -> float:
    """Similarity of two adjacent words read as one with a token: edit distance
    (at least :data:`JOINED_MIN`). Never by abjad consonants: two words joined
    have too many spellings for a key of consonants to mean anything
    (``elias muro`` and ``smyrh``)."""
    return cutoff_similarity(a, b, JOINED_MIN)


def equivalent_names(a: str, b: str) -> bool:
    """Are two different tokens one name in rigour's corpus (``bob`` and ``robert``)?"""
    symbols_a = name_symbols(a)
    if not symbols_a:
        return False
    return _equivalence(a, b, symbols_a, name_symbols(b)) > 0.0


def _spelling_similarity(a: str, b: str, sound: bool = True) -> float:
    """Edit, inflection and sound likeness of two different tokens of 2+ letters.

    A single swap of adjacent letters counts as one edit (``jamli`` ~ ``jamil``).
    Two tokens whose sound keys agree score higher, if they are not too short,
    not too different in length and already half alike (``bwtn`` ~ ``putin``).
    Short tokens must begin with the same letter (``wang`` is not ``fang``).
    """
    if squeeze(a) == squeeze(b):  # doubled letters: abdallah ~ abdalah, yyu ~ yu
        return SQUEEZE_SIMILARITY
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(long_) <= SHORT_TOKEN and a[0] != b[0]:
        return 0.0
    sim = Levenshtein.normalized_similarity(a, b)
    if len(a) == len(b) and abs(sim - (1.0 - 2.0 / len(a))) < 1e-9 and _one_transposition(a, b):
        sim = max(sim, 1.0 - 1.0 / len(a))
    if len(short) >= 4 and len(long_) - len(short) <= 2 and long_.startswith(short):
        sim = max(sim, PREFIX_SIMILARITY)
    if (
        sound
        and sim >= (PHONETIC_MIN if len(long_) >= PHONETIC_LONG else PHONETIC_MIN_SHORT)
        and len(short) >= 5
        and len(long_) - len(short) <= max(2, 0.4 * len(long_))
    ):
        key = phonetic_key(a)
        if len(key) >= 3 and key == phonetic_key(b):
            sim = max(sim, 0.62 + 0.35 * sim)
    return sim


def _one_transposition(a: str, b: str) -> bool:
    """Do two equally long tokens differ by exactly one swap of adjacent letters?"""
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


SimilarityFn = Callable[[str, str], float]


class SimilarityRow:
    """Similarities of one query token to any listed token, computed on demand."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def get(self, other: str, default: float = 0.0) -> float:
        return thresholded_similarity(self.token, other) or default


RowFn = Callable[[str, bool], Mapping[str, float] | SimilarityRow]


def thresholded_similarity(a: str, b: str) -> float:
    """:func:`token_similarity`, or 0 below :data:`TOKEN_THRESHOLD`."""
    sim = token_similarity(a, b)
    return sim if sim >= TOKEN_THRESHOLD else 0.0


def initial_similarity(a: str, b: str) -> float:
    """:func:`thresholded_similarity` of two tokens one of which is a single letter (an
    initial): 1 for the same letter, :data:`INITIAL_SIMILARITY` for a word it begins,
    else 0. Without the calls of the general measure: an alignment asks it of every
    listed word when the query gives an initial."""
    if a == b:
        return 1.0
    return INITIAL_SIMILARITY if a[0] == b[0] else 0.0


def naive_rows(token: str, joined: bool = False) -> SimilarityRow:
    """The reference row provider: computes every similarity (no index)."""
    return SimilarityRow(token)
