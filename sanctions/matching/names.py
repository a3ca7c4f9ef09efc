"""Names as comparable token sequences, and the alignment of two names' parts.

A name is folded (see :mod:`normalise`) and cut into tokens; each token gets a
weight that says how much it identifies someone: a distinctive word weighs 1,
a patronymic or middle name 0.5, a generic organisation word 0.5, an initial or
particle 0.3, a legal form 0.15, a title 0.1. Adjacent tokens are also offered
joined (``abdul hai`` ~ ``abdulhai``, ``jin ping`` ~ ``jinping``).

Alignment pairs the tokens of a query name with those of a listed name in any
order (``MADURO MOROS, Nicolas`` = ``Nicolas Maduro Moros``), greedily by
similarity, and scores::

    sum(similarity * query weight over aligned pairs)
    -------------------------------------------------------------------
    sum(query weights) + LAMBDA * sum(weights of unaligned listed tokens)

so that every query word must be found, while listed words the query does not
give (a patronymic, a second given name) cost little. A query without any
distinctive word ("CORP", "President") never scores above ``WEAK_CAP``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from rigour.text import is_stopword

from . import frequency
from .frequency import TokenFrequency, agreement_commonness
from .normalise import (
    collapse_initialisms,
    consonant_key,
    fold_text,
    given_name_group,
    has_vowel,
    in_abjad_script,
    is_name_suffix,
    is_org_term,
    is_particle,
    is_patronymic,
    is_title,
    legal_form,
    multiword_legal_forms,
    name_forms,
    name_symbols,
    number_spans,
    phonetic_key,
    replace_org_types,
    squeeze,
)
from .scripts import reading_words

__all__ = [
    "TOKEN_THRESHOLD",
    "NameForm",
    "Span",
    "Alignment",
    "make_name_forms",
    "token_similarity",
    "align_names",
    "align_score",
    "alignment_of",
    "naive_rows",
    "IndexedRows",
    "thresholded_similarity",
    "cutoff_similarity",
    "equivalent_names",
    "schema_kind",
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
GIVEN_LINK_SUPPORT = 0.9  # ...counted only when the rest of both names agrees this closely
DIFFERENT_NAME_PENALTY = 0.2  # two known names without an identity in common: andrea/andres
SHORT_TOKEN = 4  # tokens this short must begin alike to align (wang/fang, sara/para)
JOINED_MIN = 0.85  # two tokens read as one must be this alike to align
LAMBDA = {"person": 0.15, "org": 0.35, "any": 0.25}
WEAK_CAP = 0.3
LEGAL_FORM_MISMATCH = 0.25  # two different legal forms on the same core name: two legal persons
ONE_WORD_FUZZY = 0.15  # one distinctive query word met only approximately ("BARZIN" ~ "ARZIN")
ONE_NAME_CAP = 0.6  # one common name alone ("Mohammed") is nobody in particular
NUMBER_MISMATCH = 0.2  # two different numbers ("Five Star" is not "Six Star")
MIDDLE_NAME_MISMATCH = 0.15  # two different patronymics: sons of different fathers
DIFFERENT_WORD = 0.1  # one distinctive word changed in an otherwise equal name: another party
MAX_TOKENS = 12
# Name parts (firstName, lastName ...) say which token is the family name.
GIVEN, MIDDLE, FAMILY = "given", "middle", "family"
PART_ROLES = {
    "firstName": GIVEN,
    "middleName": MIDDLE,
    "secondName": MIDDLE,
    "fatherName": MIDDLE,
    "lastName": FAMILY,
}
W_FAMILY = 1.3  # a family name says more of who someone is than a given name
FAMILY_MIN = TOKEN_THRESHOLD  # a family name not aligned at all is another family name
FAMILY_MISMATCH_CAP = 0.6  # one given name agrees, the family names differ: not a match
FAMILY_MISMATCH = 0.1  # several given names agree, the family names differ (a new name?)

W_TITLE, W_LEGAL, W_INITIAL, W_PARTICLE, W_MIDDLE, W_TERM = 0.1, 0.15, 0.3, 0.3, 0.5, 0.45
STRONG = 0.5  # a token weighing at least this is distinctive

PERSON_SCHEMATA = frozenset({"Person"})
ORG_SCHEMATA = frozenset({"Organization", "Company", "PublicBody", "Vessel", "Airplane"})


def schema_kind(schema: str) -> str:
    """``person``, ``org`` (organisations, vessels, aircraft) or ``any``."""
    if schema in PERSON_SCHEMATA:
        return "person"
    if schema in ORG_SCHEMATA:
        return "org"
    return "any"


# A span is one token or two adjacent tokens joined: (start, end exclusive, text).
# Plain tuples: there are hundreds of thousands of them in an index.
Span = tuple[int, int, str]


@dataclass(frozen=True)
class NameForm:
    """One folded form of one name, ready for alignment."""

    original: str
    tokens: tuple[str, ...]
    weights: tuple[float, ...]
    spans: tuple[Span, ...]
    kind: str = "primary"
    origins: tuple[str, ...] = ()  # per token: the words it replaced (legal form, number)
    roles: tuple[str, ...] = ()  # per token, from the name's parts: "given", "middle", "family"

    def origin(self, index: int) -> str:
        """The words token ``index`` stands for (its own text when nothing was replaced)."""
        return (self.origins[index] if self.origins else "") or self.tokens[index]

    @property
    def total_weight(self) -> float:
        return sum(self.weights)

    @property
    def strong_weight(self) -> float:
        return sum(w for w in self.weights if w >= STRONG)

    def family(self) -> list[int]:
        """Positions of the tokens the name's parts give as its family name."""
        return [i for i, role in enumerate(self.roles) if role == FAMILY]


@cache
def _multiword_forms_by_first() -> dict[str, list[tuple[list[str], str]]]:
    """:func:`multiword_legal_forms` by first word (each list keeps their order)."""
    by_first: dict[str, list[tuple[list[str], str]]] = {}
    for words, canonical in multiword_legal_forms():
        by_first.setdefault(words[0], []).append((words, canonical))
    return by_first


_ROMAN = frozenset("ivxlcdm")


def _replace_org_words(
    tokens: list[str], kind: str, roman: bool = True, dotted_form: bool = False
) -> tuple[list[str], list[str], list[bool]]:
    """Number words as digits and legal forms as their class, with what each token stood for.

    ``twenty one trading gmbh`` -> ``21 trading llc``; returns the tokens, the
    original words of each replaced token (``""`` when unchanged) and which
    tokens are legal forms. A person's name read as "any" party keeps a short
    last word that a legal form could spell (``Thomas Sá`` is not a company).
    Without ``roman`` (a name read from another script) Latin letters are never
    roman numerals: Korean ``이`` reads ``i``, a family name, not 1. With
    ``dotted_form`` the last word was written as a dotted legal form (``S.A.``):
    an abbreviation, never a person's short family name.
    """
    out: list[str] = []
    origins: list[str] = []
    legal: list[bool] = []
    numbers = {
        start: (end, digits)
        for start, end, digits in number_spans(" ".join(tokens))
        if roman or not all(set(t) <= _ROMAN for t in tokens[start:end])
    }
    by_first = _multiword_forms_by_first()
    i = 0
    while i < len(tokens):
        if i in numbers and numbers[i][0] <= len(tokens):
            end, digits = numbers[i]
            spoken = " ".join(tokens[i:end])
            out.append(digits)
            origins.append("" if spoken == digits else spoken)
            legal.append(False)
            i = end
            continue
        for words, canonical in by_first.get(tokens[i], ()):
            if tokens[i : i + len(words)] == words:
                out.append(canonical)
                origins.append(" ".join(words))
                legal.append(True)
                i += len(words)
                break
        else:
            token = tokens[i]
            form = legal_form(token)
            if form is not None and not dotted_form and _person_not_org(tokens, i, kind):
                form = None
            out.append(form or token)
            origins.append(token if form and form != token else "")
            legal.append(form is not None)
            i += 1
    return out, origins, legal


def _stray_legal_forms(tokens: list[str]) -> list[bool]:
    """A legal form before or after a person's name ("Viktor Bout Ltd", "IP Ivanov").

    Customer files add them to sole traders; they weigh as little as in an
    organisation's name. Short words that are also names (``Co``, ``Sa``) stay names.
    """
    legal = [False] * len(tokens)
    for i in (0, len(tokens) - 1):
        token = tokens[i]
        if legal_form(token) is not None and (len(token) > 2 or not name_symbols(token)):
            legal[i] = True
    return legal


def _person_not_org(tokens: list[str], i: int, kind: str) -> bool:
    """``Thomas Sá`` read as any party: a short family name after a given name, not "SA"."""
    return (
        kind == "any"
        and len(tokens) == 2
        and i == 1
        and len(tokens[1]) <= 2
        and bool(name_symbols(tokens[0]))
        and bool(name_symbols(tokens[1]))
    )


@lru_cache(maxsize=200_000)
def _token_weight(
    token: str, kind: str, middle: bool, title_place: bool = True, legal: bool = False
) -> float:
    weight = 1.0
    if len(token) == 1:
        weight = W_INITIAL
    if kind in ("person", "any"):
        if title_place and is_title(token):
            weight = min(weight, W_TITLE)
        elif is_particle(token):
            weight = min(weight, W_PARTICLE)
        elif middle or is_patronymic(token):
            weight = min(weight, W_MIDDLE)
    if legal:
        weight = min(weight, W_LEGAL)
    if kind in ("org", "any") and not legal and is_org_term(token):
        weight = min(weight, W_TERM)
    if kind == "org" and is_stopword(token):  # de, of, the, y, und (rigour's list)
        weight = min(weight, W_TITLE)
    return weight


def _leading_titles(tokens: list[str], segments: tuple[int, ...]) -> set[int]:
    """Positions of title words before a name part: at the start, or after a comma
    ("IQBAL, Haji", "TURKI, Sheikh Hassan"); ``segments`` are the token counts of
    the comma-separated parts of the name."""
    starts = [0]
    for count in segments[:-1]:
        starts.append(starts[-1] + count)
    leading: set[int] = set()
    for i in starts:
        while i < len(tokens) and is_title(tokens[i]):
            leading.add(i)
            i += 1
    return leading


def _build_form(
    text: str,
    original: str,
    kind: str,
    name_kind: str,
    part_roles: Mapping[str, str],
    segments: tuple[int, ...] = (),
    dotted_form: bool = False,
) -> NameForm | None:
    tokens = text.split()[:MAX_TOKENS]
    origins: list[str] = []
    legal = [False] * len(tokens)
    if kind in ("org", "any"):
        tokens, origins, legal = _replace_org_words(tokens, kind, _latin(original), dotted_form)
    elif len(tokens) >= 3:
        legal = _stray_legal_forms(tokens)
    if not tokens:
        return None
    # A title word that is also a name ("Bishop", "King", "Shah") is a title
    # only before the name; others ("elnok", "Jr") wherever they stand.
    leading = _leading_titles(tokens, segments)
    roles = tuple(part_roles.get(t, "") for t in tokens) if part_roles else ()
    weights = tuple(
        _token_weight(
            t,
            kind,
            part_roles.get(t) == MIDDLE,
            i in leading or not is_title(t) or is_name_suffix(t) or not name_symbols(t),
            legal[i],
        )
        for i, t in enumerate(tokens)
    )
    if FAMILY in roles:  # the family name weighs more (not its particles: al, bin, de)
        weights = tuple(
            W_FAMILY if w == 1.0 and role == FAMILY else w
            for w, role in zip(weights, roles, strict=True)
        )
    spans: list[Span] = [(i, i + 1, t) for i, t in enumerate(tokens)]
    for i in range(len(tokens) - 1):
        if weights[i] > W_TITLE and weights[i + 1] > W_TITLE:
            spans.append((i, i + 2, tokens[i] + tokens[i + 1]))
    notes = tuple(origins) if any(origins) else ()
    if not any(roles):
        roles = ()
    return NameForm(original, tuple(tokens), weights, tuple(spans), name_kind, notes, roles)


def make_name_forms(
    name: str,
    schema: str = "LegalEntity",
    name_kind: str = "primary",
    parts: Sequence[tuple[str, str]] = (),
) -> list[NameForm]:
    """All comparable forms of a name (one per transliteration)."""
    kind = schema_kind(schema)
    part_roles = _part_roles(parts) if kind != "org" else {}
    forms = []
    source = name
    dotted = kind == "any" and _dotted_legal_form(name)
    if dotted:  # "JOSAFAT S.A.": the dots say S.A. is an abbreviation, not a name
        source = name.replace(".", "")
    if kind != "person":
        source = replace_org_types(collapse_initialisms(source, 2 if kind == "org" else 3))
    segments: tuple[int, ...] = ()
    if "," in name and name.isascii():
        segments = tuple(len(fold_text(part).split()) for part in name.split(","))
    for text in name_forms(source):
        form = _build_form(text, name, kind, name_kind, part_roles, segments, dotted)
        if form is not None:
            forms.append(form)
    return forms


_DOTTED_TAIL = re.compile(r"(?<=\s)((?:[A-Za-z]\.){1,3}[A-Za-z]\.?)\s*$")


def _dotted_legal_form(name: str) -> bool:
    """Does an untyped name end with a legal form written with dots ("JOSAFAT S.A.",
    "ALFA ONE C.A.")? Not after a comma ("JOHANSSON, A.B." gives initials) nor a
    sole trader's form (``I.P.``: a person's business), nor dots inside the name."""
    match = _DOTTED_TAIL.search(name)
    if match is None or "," in name or "." in name[: match.start()]:
        return False
    form = legal_form(match.group(1).replace(".", "").lower())
    return form is not None and form != "sp"


def _part_roles(parts: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Folded token -> its role in the name (given, middle, family) from the name's parts.

    A token given as two parts keeps the first role found in the order
    family, middle, given (``lastName`` "Ali", ``firstName`` "Ali": family).
    """
    roles: dict[str, str] = {}
    for role in (FAMILY, MIDDLE, GIVEN):
        for part, value in parts:
            if PART_ROLES.get(part) != role:
                continue
            for form in name_forms(value):
                for token in form.split():
                    roles.setdefault(token, role)
    return roles


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


def _abjad_reading(query: NameForm, qtext: str, cand: NameForm, ctext: str) -> bool:
    """May these tokens meet by :func:`abjad_similarity`? Only when the token without
    vowels was read from Arabic or Hebrew script: a Latin acronym (``NGT``, ``TPC``)
    is no reading of ``UNIJET`` or ``TOBACCO``. Tokens that both have vowels (or
    both lack them) are no abjad pair and keep their similarity."""
    bare_query = not has_vowel(qtext)
    if bare_query == (not has_vowel(ctext)):
        return True
    return in_abjad_script((query if bare_query else cand).original)


def _plain_similarity(a: str, b: str) -> float:
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
        return INITIAL_SIMILARITY if a[0] == b[0] else 0.0
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


def naive_rows(token: str, joined: bool = False) -> SimilarityRow:
    """The reference row provider: computes every similarity (no index)."""
    return SimilarityRow(token)


@dataclass
class Alignment:
    """The result of aligning a query name with a listed name."""

    score: float
    query: NameForm
    candidate: NameForm
    pairs: list[tuple[Span, Span, float]] = field(default_factory=list)
    unmatched_query: list[str] = field(default_factory=list)
    unmatched_candidate: list[str] = field(default_factory=list)

    def describe(self) -> str:
        pairs = ", ".join(self._pair_text(q, c, s) for q, c, s in self.pairs)
        text = f"{pairs or 'nothing aligned'}"
        if self.unmatched_query:
            text += f"; query words not found: {' '.join(self.unmatched_query)}"
        if self.unmatched_candidate:
            text += f"; listed words not given: {' '.join(self.unmatched_candidate)}"
        if family_differs(self.query, self.candidate, self.pairs):
            text += "; the family names differ (the name's parts say which word is the family name)"
        return text

    def _pair_text(self, qs: Span, cs: Span, sim: float) -> str:
        """One aligned pair, with the evidence that made it (number, legal form, name)."""
        qtext, ctext = qs[2], cs[2]
        qword = self.query.origin(qs[0]) if qs[1] - qs[0] == 1 else qtext
        cword = self.candidate.origin(cs[0]) if cs[1] - cs[0] == 1 else ctext
        if qword != qtext or cword != ctext:
            what = "number" if qtext.isdigit() else "legal form"
            sign = "=" if qtext == ctext else f"~ {sim:.2f}"
            return f"'{qword}' {sign} '{cword}' ({what})"
        qread, cread = _read_from(self.query, qs), _read_from(self.candidate, cs)
        if qread or cread:  # '山田' read 'yamada' (Japanese) = yamada
            sign = "=" if qtext == ctext else f"~ {sim:.2f}"
            return f"{qread or qtext} {sign} {cread or ctext}"
        if qtext == ctext:
            return qtext
        if equivalent_names(qtext, ctext):
            what = "nickname" if sim <= NICKNAME_SIMILARITY else "name equivalent"
            return f"'{qtext}' ~ '{ctext}' {sim:.2f} ({what})"
        if given_name_group(qtext) is not None and given_name_group(qtext) == given_name_group(
            ctext
        ):
            return f"'{qtext}' ~ '{ctext}' {sim:.2f} (one given name in two languages)"
        return f"{qtext}={ctext} {sim:.2f}"


def _read_from(form: NameForm, span: Span) -> str:
    """How a token of a name in another script was read (``'山田' read 'yamada' (Japanese)``)."""
    if span[1] - span[0] != 1 or form.original.isascii():
        return ""
    found = reading_words(form.original).get(span[2])
    return f"'{found[0]}' read '{span[2]}' ({found[1]})" if found else ""


class IndexedRows:
    """Rows looked up beforehand: ``(token, joined) -> {listed token: similarity}``.

    Every listed token similar enough to a query token is in its row, so the
    rows of one query name can be inverted once (listed token -> the query
    spans it meets) and each alignment visits its listed spans only.
    """

    __slots__ = ("table", "_inverted")

    def __init__(self, table: Mapping[tuple[str, bool], Mapping[str, float]]) -> None:
        self.table = table
        self._inverted: dict[int, tuple[NameForm, Any, Any]] = {}

    def __call__(self, token: str, joined: bool = False) -> Mapping[str, float]:
        return self.table.get((token, joined), _NO_ROW)

    def inverted(
        self, query: NameForm
    ) -> tuple[dict[str, list[tuple[int, Span, float]]], list[tuple[int, Span]]]:
        """Listed token -> (query span index, span, similarity); and the one-letter spans."""
        cached = self._inverted.get(id(query))
        if cached is not None and cached[0] is query:
            return cached[1], cached[2]
        meets: dict[str, list[tuple[int, Span, float]]] = {}
        letters: list[tuple[int, Span]] = []
        for qi, qs in enumerate(query.spans):
            if len(qs[2]) > 1:
                for text, value in self(qs[2], qs[1] - qs[0] == 2).items():
                    meets.setdefault(text, []).append((qi, qs, value))
            else:
                letters.append((qi, qs))
        self._inverted[id(query)] = (query, meets, letters)
        return meets, letters


_NO_ROW: Mapping[str, float] = {}


def _given_positions(form: NameForm) -> list[int]:
    """Which tokens of a person's name are given names, when that can be told.

    From the name's parts when it has them; otherwise the first word of a name
    of two or more words written in given-family order (no comma), or the first
    word after the comma of ``FAMILY, Given``.
    """
    if form.roles:
        return [i for i, role in enumerate(form.roles) if role == GIVEN]
    if len(form.tokens) < 2:
        return []
    if "," not in form.original:
        return [0]
    head = _words_before_comma(form.original)
    return [head] if 0 < head < len(form.tokens) else []


@lru_cache(maxsize=100_000)
def _words_before_comma(name: str) -> int:
    return len(fold_text(name.split(",", 1)[0]).split())


def _given_name_pairs(query: NameForm, cand: NameForm) -> list[tuple[int, Span, int, Span, float]]:
    """Given names that are one name in two languages (``giuseppe`` ~ ``joseph``, both given)."""
    qgroups = [(i, g) for i in _given_positions(query) if (g := given_name_group(query.tokens[i]))]
    if not qgroups:
        return []
    return [
        (qi, query.spans[qi], ci, cand.spans[ci], GIVEN_NAME_SIMILARITY)
        for ci in _given_positions(cand)
        for qi, group in qgroups
        if given_name_group(cand.tokens[ci]) == group and query.tokens[qi] != cand.tokens[ci]
    ]


def _only_given_link(a: str, b: str) -> bool:
    """Do two tokens meet only as one given name in two languages (the index's rows say so)?"""
    group = given_name_group(a)
    return group is not None and group == given_name_group(b) and not thresholded_similarity(a, b)


def _given_link_leaves_words(
    query: NameForm,
    cand: NameForm,
    chosen: list[tuple[Span, Span, float]],
    used_q: list[bool],
    used_c: list[bool],
) -> bool:
    """A given name in another language counts only to complete a name: every other word of
    both names aligned, and closely ("John Reyes" is not "MEJIA GONZALEZ, Juan Reyes",
    "Nicholas Charles" is not "CHOLES, Nikolai")."""
    links = [
        sim == GIVEN_NAME_SIMILARITY and _only_given_link(qs[2], cs[2]) for qs, cs, sim in chosen
    ]
    if not any(links):
        return False
    if any(
        sim < GIVEN_LINK_SUPPORT
        for (_, _, sim), link in zip(chosen, links, strict=True)
        if not link
    ):
        return True
    return not all(u or w < STRONG for u, w in zip(used_q, query.weights, strict=True)) or not all(
        u or w < STRONG for u, w in zip(used_c, cand.weights, strict=True)
    )


def _candidate_pairs(
    query: NameForm, cand: NameForm, rows: RowFn, person: bool = False
) -> list[tuple[Any, ...]]:
    """Span pairs that may align, best first.

    Each pair is ``(-similarity, -size, q start, c start, q index, c index, qs, cs)``:
    the span indices make the order total (query spans, then listed spans, as
    they come), so that it does not depend on the order pairs are found in.
    """
    found: list[tuple[int, Span, int, Span, float]] = []
    if isinstance(rows, IndexedRows):
        meets, letters = rows.inverted(query)
        for ci, cs in enumerate(cand.spans):
            ctext = cs[2]
            if len(ctext) == 1:
                found.extend(
                    (qi, qs, ci, cs, thresholded_similarity(qs[2], ctext))
                    for qi, qs in enumerate(query.spans)
                )
                continue
            hits = meets.get(ctext)
            if hits is not None:
                found.extend(
                    (qi, qs, ci, cs, value)
                    for qi, qs, value in hits
                    if value != GIVEN_NAME_SIMILARITY or not _only_given_link(qs[2], ctext)
                )
            if letters:
                found.extend(
                    (qi, qs, ci, cs, thresholded_similarity(qs[2], ctext)) for qi, qs in letters
                )
    else:
        for qi, qs in enumerate(query.spans):
            qtext = qs[2]
            row = rows(qtext, qs[1] - qs[0] == 2) if len(qtext) > 1 else None
            for ci, cs in enumerate(cand.spans):
                ctext = cs[2]
                if row is None or len(ctext) == 1:
                    value = thresholded_similarity(qtext, ctext)
                else:
                    value = row.get(ctext, 0.0)
                found.append((qi, qs, ci, cs, value))
    if person:
        found.extend(_given_name_pairs(query, cand))
    pairs = []
    for qi, qs, ci, cs, value in found:
        qstart, qend, qtext = qs
        cstart, cend, ctext = cs
        qjoined = qend - qstart == 2
        cjoined = cend - cstart == 2
        if qjoined and cjoined:
            continue
        if value > 0.0 and (qjoined or cjoined):  # read as one word: plain edit distance
            value = joined_similarity(qtext, ctext)
        elif value == ABJAD_SIMILARITY and not _abjad_reading(query, qtext, cand, ctext):
            value = _plain_similarity(qtext, ctext)
        if value > 0.0:
            pairs.append((-value, cstart - cend + qstart - qend, qstart, cstart, qi, ci, qs, cs))
    pairs.sort()
    return pairs


def align_names(
    query: NameForm,
    cand: NameForm,
    rows: RowFn = naive_rows,
    kind: str = "any",
    freq: TokenFrequency | None = None,
) -> Alignment:
    """Align the tokens of two names greedily by similarity, in any order, and score them."""
    return alignment_of(query, cand, *align_score(query, cand, rows, kind, freq))


def align_score(
    query: NameForm,
    cand: NameForm,
    rows: RowFn = naive_rows,
    kind: str = "any",
    freq: TokenFrequency | None = None,
) -> tuple[float, list[tuple[Span, Span, float]], list[bool], list[bool]]:
    """The score of :func:`align_names`, the aligned pairs, and which tokens were used.

    Cheaper than :func:`align_names` when most alignments are only compared:
    :func:`alignment_of` makes the :class:`Alignment` of the one that is kept.
    ``freq`` is the table of listed words' frequencies (:func:`frequency.active`
    when not given): listed words not given cost more when the words that
    agree are common ones (:data:`frequency.COMMON_LAMBDA`).
    """
    used_q = [False] * len(query.tokens)
    used_c = [False] * len(cand.tokens)
    chosen: list[tuple[Span, Span, float]] = []
    num = 0.0
    strong_found = False
    qweights = query.weights
    for neg_value, _size, _qs, _cs, _qi, _ci, qs, cs in _candidate_pairs(
        query, cand, rows, kind == "person"
    ):
        qstart, qend, qtext = qs
        cstart, cend, ctext = cs
        if qend - qstart == 1:
            if used_q[qstart]:
                continue
        elif used_q[qstart] or used_q[qstart + 1]:
            continue
        if cend - cstart == 1:
            if used_c[cstart]:
                continue
        elif used_c[cstart] or used_c[cstart + 1]:
            continue
        for i in range(qstart, qend):
            used_q[i] = True
        for i in range(cstart, cend):
            used_c[i] = True
        weights = qweights[qstart:qend]
        weight = sum(weights)
        if len(ctext) == 1 or len(qtext) == 1:  # an initial stands for little
            weight = min(weight, W_INITIAL)
        num -= neg_value * weight
        strong_found = strong_found or max(weights) >= STRONG
        chosen.append((qs, cs, -neg_value))
    unmatched_c = sum(w for w, used in zip(cand.weights, used_c, strict=True) if not used)
    lam = LAMBDA.get(kind, LAMBDA["any"])
    boost = frequency.COMMON_LAMBDA.get(kind, 0.0)
    if unmatched_c > 0.0 and boost and _all_distinctive_found(qweights, used_q):
        table = frequency.active() if freq is None else freq
        lam *= 1.0 + boost * agreement_commonness(table, chosen, qweights, STRONG)
    den = query.total_weight + lam * unmatched_c
    score = num / den if den > 0 else 0.0
    if (
        query.tokens == cand.tokens
        and max(query.weights) > W_LEGAL
        and (len(query.tokens) > 1 or len(query.tokens[0]) > 1)  # a lone letter is no name
    ):
        # A name is itself, whatever it is made of: initials ("I B M") or only
        # generic words ("Technology and Development Group Limited"); a legal
        # form or title alone ("LLC", "President") is no name.
        return 1.0, chosen, used_q, used_c
    if not strong_found or query.strong_weight == 0.0:
        score = min(score, WEAK_CAP)
    elif _one_known_name(query) and kind != "org":
        score = min(score, ONE_NAME_CAP)
    if query.strong_weight == max(query.weights) and _distinctive_approximate(query, chosen):
        score -= ONE_WORD_FUZZY  # nothing else in the query corroborates an approximate word
    if _unmet_on_both(query, cand, used_q, used_c, "legal"):
        score -= LEGAL_FORM_MISMATCH
    if _unmet_on_both(query, cand, used_q, used_c, "number"):
        score -= NUMBER_MISMATCH
    if kind != "org" and _unmet_on_both(query, cand, used_q, used_c, "middle"):
        score -= MIDDLE_NAME_MISMATCH
    if _given_link_leaves_words(query, cand, chosen, used_q, used_c):
        score = min(score, FAMILY_MISMATCH_CAP)
    if family_differs(query, cand, chosen):
        given = sum(1 for qs, _cs, _sim in chosen if qweights[qs[0]] >= STRONG)
        score = score - FAMILY_MISMATCH if given > 1 else min(score, FAMILY_MISMATCH_CAP)
    elif kind == "org" and _different_word(query, cand, used_q, used_c):
        score -= DIFFERENT_WORD
    return max(0.0, min(1.0, score)), chosen, used_q, used_c


def _distinctive_approximate(query: NameForm, chosen: list[tuple[Span, Span, float]]) -> bool:
    """Did the query's distinctive word align only approximately (not equal, not a name
    equivalent: under :data:`EQUIVALENT_SIMILARITY`)? A listed word that is the whole
    query written as one ("Al Shabaab" ~ "Alshabaab") is no approximation, nor a word
    read from another script (``דוד`` ~ "David", ``สมชาย`` ~ "Somchai")."""
    if not _latin(query.original):
        return False
    sims = [sim for qs, _cs, sim in chosen if query.weights[qs[0]] >= STRONG]
    if not sims or max(sims) >= EQUIVALENT_SIMILARITY:
        return False
    whole = "".join(query.tokens)
    return all(cs[2] != whole for _qs, cs, _sim in chosen)


def _latin(text: str) -> bool:
    """Is every letter of the text a Latin one (accents allowed)?"""
    return all(char < "\u0250" for char in text if char.isalpha())


def _all_distinctive_found(weights: tuple[float, ...], used: list[bool]) -> bool:
    """Did every distinctive query word align? (Then only the listed words not given
    speak against the match, and common agreeing words make them speak louder.)"""
    return all(u or w < STRONG for u, w in zip(used, weights, strict=True))


def family_differs(query: NameForm, cand: NameForm, chosen: list[tuple[Span, Span, float]]) -> bool:
    """Do the two names give different family names (parts ``lastName`` Ryabkov / Ryzhkov)?

    Only when the parts of both names say which words are the family name:
    then a family name of either that aligned with nothing of the other is
    another family. A name without parts only tells its words, not their roles
    (an alias often drops or changes the family name, "Hajji Shibl").
    """
    if not (query.roles and cand.roles):
        return False
    c_family = [i for i in cand.family() if cand.weights[i] >= STRONG]
    q_family = [i for i in query.family() if query.weights[i] >= STRONG]
    if not (c_family and q_family):
        return False
    met_q: set[int] = set()
    met_c: set[int] = set()
    for qs, cs, sim in chosen:
        if sim >= FAMILY_MIN:
            met_q.update(range(qs[0], qs[1]))
            met_c.update(range(cs[0], cs[1]))
    return met_c.isdisjoint(c_family) and met_q.isdisjoint(q_family)


def _different_word(
    query: NameForm, cand: NameForm, used_q: list[bool], used_c: list[bool]
) -> bool:
    """An otherwise equal name with one distinctive word changed: at least two full words
    agree and each name keeps a full word (weight 1 or more, no number) that met nothing
    ("Bortala ... Public Security Bureau" / "Bayingolin ...", "Kamal Mustafa ..." /
    "Jamal Mustafa ..."). Two words that differ say more than a word left out."""
    met = sum(1 for used, w in zip(used_q, query.weights, strict=True) if used and w >= 1.0)
    return met >= 2 and _unmet_full_word(query, used_q) and _unmet_full_word(cand, used_c)


def _unmet_full_word(form: NameForm, used: list[bool]) -> bool:
    return any(
        not u and w >= 1.0 and not t.isdigit()
        for u, w, t in zip(used, form.weights, form.tokens, strict=True)
    )


def _one_known_name(query: NameForm) -> bool:
    """Is the query one known person name alone ("Mohammed", "Maria")?"""
    if len(query.tokens) != 1:  # "President Putin", "V. Putin" say more than one name
        return False
    strong = [t for t, w in zip(query.tokens, query.weights, strict=True) if w >= STRONG]
    return len(strong) == 1 and any(
        s.startswith(("[NAME:", "[NICK:")) for s in name_symbols(strong[0])
    )


def _is_kind(token: str, weight: float, what: str) -> bool:
    if what == "legal":
        return weight == W_LEGAL
    if what == "middle":
        return weight == W_MIDDLE
    return token.isdigit()


def _unmet_on_both(
    query: NameForm, cand: NameForm, used_q: list[bool], used_c: list[bool], what: str
) -> bool:
    """Both names give a legal form (a number, a patronymic) and none of them met.

    "AG" vs "GmbH", "Five" vs "Six", "Ivanovich" vs "Petrovich": the names
    then say the two are different, which costs more than a word left out.
    """
    if what == "legal" and (W_LEGAL not in query.weights or W_LEGAL not in cand.weights):
        return False
    if what == "middle" and (W_MIDDLE not in query.weights or W_MIDDLE not in cand.weights):
        return False
    q_kind = [
        u
        for u, t, w in zip(used_q, query.tokens, query.weights, strict=True)
        if _is_kind(t, w, what)
    ]
    if not q_kind or any(q_kind):
        return False
    c_kind = [
        u for u, t, w in zip(used_c, cand.tokens, cand.weights, strict=True) if _is_kind(t, w, what)
    ]
    return bool(c_kind) and not any(c_kind)


def alignment_of(
    query: NameForm,
    cand: NameForm,
    score: float,
    chosen: list[tuple[Span, Span, float]],
    used_q: list[bool],
    used_c: list[bool],
) -> Alignment:
    """The :class:`Alignment` of what :func:`align_score` returned."""
    return Alignment(
        score=score,
        query=query,
        candidate=cand,
        pairs=chosen,
        unmatched_query=[t for t, u in zip(query.tokens, used_q, strict=True) if not u],
        unmatched_candidate=[t for t, u in zip(cand.tokens, used_c, strict=True) if not u],
    )
