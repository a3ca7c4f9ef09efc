"""Names as comparable token sequences: folding, legal forms, numbers and token weights.

A name is folded (see :mod:`normalise`) and cut into tokens; each token gets a
weight that says how much it identifies someone: a distinctive word weighs 1,
a patronymic or middle name 0.5, a generic organisation word 0.5, an initial or
particle 0.3, a legal form 0.15, a title 0.1. Adjacent tokens are also offered
joined (``abdul hai`` ~ ``abdulhai``, ``jin ping`` ~ ``jinping``). Legal forms
become their class (``gmbh`` -> ``llc``) and number words digits, each token
keeping the words it stood for. :mod:`alignment` pairs two such forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from rigour.text import is_stopword

from .normalise import (
    collapse_initialisms,
    fold_text,
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
    replace_org_types,
)
from .scripts import is_latin

__all__ = [
    "FAMILY",
    "GIVEN",
    "MIDDLE",
    "PART_ROLES",
    "STRONG",
    "W_FAMILY",
    "W_INITIAL",
    "W_LEGAL",
    "W_MIDDLE",
    "W_PARTICLE",
    "W_TERM",
    "W_TITLE",
    "NameForm",
    "Span",
    "make_name_forms",
    "schema_kind",
]

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
    numbers = {
        start: (end, digits)
        for start, end, digits in number_spans(" ".join(tokens))
        if roman or not all(set(t) <= _ROMAN for t in tokens[start:end])
    }
    if not numbers and all(map(_plain_word, tokens)):  # most names: nothing to replace
        return tokens, [""] * len(tokens), [False] * len(tokens)
    out: list[str] = []
    origins: list[str] = []
    legal: list[bool] = []
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


@lru_cache(maxsize=200_000)
def _plain_word(token: str) -> bool:
    """A word :func:`_replace_org_words` leaves as it is wherever it stands (outside a
    number): neither a legal form nor the first word of one written in several words."""
    return legal_form(token) is None and token not in _multiword_forms_by_first()


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


@lru_cache(maxsize=200_000)
def _title_anywhere(token: str) -> bool:
    """Does the token weigh as a title (if it is one) wherever it stands? A title word
    that is also a name ("Bishop", "Shah") is a title only before the name."""
    return not is_title(token) or is_name_suffix(token) or not name_symbols(token)


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
        tokens, origins, legal = _replace_org_words(tokens, kind, is_latin(original), dotted_form)
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
            i in leading or _title_anywhere(t),
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
