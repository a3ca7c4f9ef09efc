"""The alignment of two names' tokens, and its score.

Alignment pairs the tokens of a query name with those of a listed name in any
order (``MADURO MOROS, Nicolas`` = ``Nicolas Maduro Moros``), greedily by
similarity (:mod:`similarity`), and scores::

    sum(similarity * query weight over aligned pairs)
    -------------------------------------------------------------------
    sum(query weights) + LAMBDA * sum(weights of unaligned listed tokens)

so that every query word must be found, while listed words the query does not
give (a patronymic, a second given name) cost little. A query without any
distinctive word ("CORP", "President") never scores above ``WEAK_CAP``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import not_
from typing import Any

from . import frequency
from .forms import GIVEN, STRONG, W_INITIAL, W_LEGAL, W_MIDDLE, NameForm, Span
from .frequency import TokenFrequency, agreement_commonness
from .normalise import fold_text, given_name_group, has_vowel, in_abjad_script, name_symbols
from .scripts import is_latin, reading_words
from .similarity import (
    ABJAD_SIMILARITY,
    EQUIVALENT_SIMILARITY,
    GIVEN_NAME_SIMILARITY,
    NICKNAME_SIMILARITY,
    TOKEN_THRESHOLD,
    RowFn,
    equivalent_names,
    initial_similarity,
    joined_similarity,
    naive_rows,
    plain_similarity,
    thresholded_similarity,
)

__all__ = [
    "DIFFERENT_WORD",
    "FAMILY_MISMATCH",
    "FAMILY_MISMATCH_CAP",
    "LAMBDA",
    "LEGAL_FORM_MISMATCH",
    "MIDDLE_NAME_MISMATCH",
    "NUMBER_MISMATCH",
    "ONE_NAME_CAP",
    "ONE_WORD_FUZZY",
    "WEAK_CAP",
    "Alignment",
    "IndexedRows",
    "align_names",
    "align_over",
    "align_score",
    "alignment_of",
    "family_differs",
]

GIVEN_LINK_SUPPORT = 0.9  # ...counted only when the rest of both names agrees this closely
LAMBDA = {"person": 0.15, "org": 0.35, "any": 0.25}
WEAK_CAP = 0.3
LEGAL_FORM_MISMATCH = 0.25  # two different legal forms on the same core name: two legal persons
ONE_WORD_FUZZY = 0.15  # one distinctive query word met only approximately ("BARZIN" ~ "ARZIN")
ONE_NAME_CAP = 0.6  # one common name alone ("Mohammed") is nobody in particular
NUMBER_MISMATCH = 0.2  # two different numbers ("Five Star" is not "Six Star")
MIDDLE_NAME_MISMATCH = 0.15  # two different patronymics: sons of different fathers
DIFFERENT_WORD = 0.1  # one distinctive word changed in an otherwise equal name: another party
FAMILY_MIN = TOKEN_THRESHOLD  # a family name not aligned at all is another family name
FAMILY_MISMATCH_CAP = 0.6  # one given name agrees, the family names differ: not a match
FAMILY_MISMATCH = 0.1  # several given names agree, the family names differ (a new name?)


def lambda_of(kind: str) -> float:
    """The weight of a listed word not given, for a record of ``kind`` (:data:`LAMBDA`)."""
    return LAMBDA.get(kind, LAMBDA["any"])


def _abjad_reading(query: NameForm, qtext: str, cand: NameForm, ctext: str) -> bool:
    """May these tokens meet by :func:`abjad_similarity`? Only when the token without
    vowels was read from Arabic or Hebrew script: a Latin acronym (``NGT``, ``TPC``)
    is no reading of ``UNIJET`` or ``TOBACCO``. Tokens that both have vowels (or
    both lack them) are no abjad pair and keep their similarity."""
    bare_query = not has_vowel(qtext)
    if bare_query == (not has_vowel(ctext)):
        return True
    return in_abjad_script((query if bare_query else cand).original)


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

    __slots__ = ("table", "_inverted", "scores")

    def __init__(self, table: Mapping[tuple[str, bool], Mapping[str, float]]) -> None:
        self.table = table
        self._inverted: dict[int, tuple[NameForm, Any, Any]] = {}
        # (query name, listed name, kind, table) -> align_score's result, for this query:
        # ranking and the explanation of the hits align the same names (see align_score).
        self.scores: dict[tuple[int, int, str, int], tuple[Any, ...]] = {}

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


def _given_name_pairs(
    query: NameForm, cand: NameForm, qgroups: list[tuple[int, str]]
) -> list[tuple[int, Span, int, Span, float]]:
    """Given names that are one name in two languages (``giuseppe`` ~ ``joseph``, both given);
    ``qgroups``: the query's given names and their groups (:class:`_QueryFacts`)."""
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
    query: NameForm, cand: NameForm, rows: RowFn, given_groups: list[tuple[int, str]]
) -> list[tuple[Any, ...]]:
    """Span pairs that may align, in the order they are found (sort them: best first), with
    ``given_groups`` (the query's given names and their groups) given names in two
    languages: a person's names only.

    Each pair is ``(-similarity, -size, q start, c start, q index, c index, qs, cs)``:
    the span indices make the order total (query spans, then listed spans, as
    they come), so that it does not depend on the order pairs are found in.
    """
    pairs: list[tuple[Any, ...]] = []
    if isinstance(rows, IndexedRows):
        meets, letters = rows.inverted(query)
        for ci, cs in enumerate(cand.spans):
            ctext = cs[2]
            if len(ctext) == 1:  # an initial: the similarity of a letter, no row needed
                for qi, qs in enumerate(query.spans):
                    value = initial_similarity(qs[2], ctext)
                    if value:
                        _add_pair(pairs, query, cand, qi, qs, ci, cs, value)
                continue
            hits = meets.get(ctext)
            if hits is not None:
                for qi, qs, value in hits:
                    if value != GIVEN_NAME_SIMILARITY or not _only_given_link(qs[2], ctext):
                        _add_pair(pairs, query, cand, qi, qs, ci, cs, value)
            for qi, qs in letters:
                value = initial_similarity(qs[2], ctext)
                if value:
                    _add_pair(pairs, query, cand, qi, qs, ci, cs, value)
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
                if value:
                    _add_pair(pairs, query, cand, qi, qs, ci, cs, value)
    if given_groups:
        for found in _given_name_pairs(query, cand, given_groups):
            _add_pair(pairs, query, cand, *found)
    return pairs


def _add_pair(
    pairs: list[tuple[Any, ...]],
    query: NameForm,
    cand: NameForm,
    qi: int,
    qs: Span,
    ci: int,
    cs: Span,
    value: float,
) -> None:
    """Add the pair of two spans to ``pairs`` when they may align (two joined spans never;
    a joined span by plain edit distance; an abjad key only for a reading of one).

    The one rule of both ways of finding pairs (an index's rows, or similarities
    computed); a ``value`` of 0 is never a pair, and callers skip it themselves."""
    qstart, qend, qtext = qs
    cstart, cend, ctext = cs
    qjoined = qend - qstart == 2
    cjoined = cend - cstart == 2
    if qjoined or cjoined:  # read as one word: plain edit distance
        if qjoined and cjoined:
            return
        if value > 0.0:
            value = joined_similarity(qtext, ctext)
    elif value == ABJAD_SIMILARITY and not _abjad_reading(query, qtext, cand, ctext):
        value = plain_similarity(qtext, ctext)
    if value > 0.0:
        pairs.append((-value, cstart - cend + qstart - qend, qstart, cstart, qi, ci, qs, cs))


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

    With the rows of an index (one query's) and a table, a pair aligned once for the
    query is not aligned again (the hits' explanations align what ranking did).
    """
    found = align_over(query, cand, rows, kind, freq, -math.inf)
    assert found is not None  # no floor: always aligned
    score, chosen, used_q, used_c = found
    return score, list(chosen), list(used_q), list(used_c)


def align_over(
    query: NameForm,
    cand: NameForm,
    rows: RowFn,
    kind: str,
    freq: TokenFrequency | None,
    floor: float,
) -> tuple[float, list[tuple[Span, Span, float]], list[bool], list[bool]] | None:
    """:func:`align_score`, or ``None`` when the score is surely under ``floor``: a bound
    of it (:func:`_ceiling`, from the pairs that may align) is, so the greedy alignment
    and its penalties are not worked out. The lists are the memo's own: read them only.
    """
    if freq is None or not isinstance(rows, IndexedRows):
        return _align_score(query, cand, rows, kind, freq, floor)
    key = (id(query), id(cand), kind, id(freq))
    found = rows.scores.get(key)
    if found is None or not (found[0] is query and found[1] is cand and found[2] is freq):
        result = _align_score(query, cand, rows, kind, freq, floor)
        if result is None:
            return None
        rows.scores[key] = (query, cand, freq, result)
        return result
    kept: tuple[float, list[tuple[Span, Span, float]], list[bool], list[bool]] = found[3]
    return kept


class _QueryFacts:
    """What every alignment of one query name asks of it, worked out once for the name
    (its weights summed, which words are distinctive, legal forms, numbers ...)."""

    __slots__ = (
        "form",
        "total",
        "strong",
        "single_strong",
        "itself",
        "span_weight",
        "span_top",
        "distinctive",
        "legal",
        "numbers",
        "middles",
        "one_name",
        "latin",
        "whole",
        "given_groups",
    )

    def __init__(self, form: NameForm) -> None:
        weights = form.weights
        top = max(weights, default=0.0)
        self.form = form
        self.total = form.total_weight
        self.strong = form.strong_weight
        self.single_strong = self.strong == top
        self.itself = top > W_LEGAL and (len(form.tokens) > 1 or len(form.tokens[0]) > 1)
        self.span_weight = [sum(weights[qs[0] : qs[1]]) for qs in form.spans]
        self.span_top = [max(weights[qs[0] : qs[1]]) for qs in form.spans]
        self.distinctive = [i for i, w in enumerate(weights) if w >= STRONG]
        self.legal = _positions(form, _is_legal)
        self.numbers = _positions(form, _is_number)
        self.middles = _positions(form, _is_middle)
        self.one_name = _one_known_name(form)
        self.latin = is_latin(form.original)
        self.whole = "".join(form.tokens)
        self.given_groups = [
            (i, g) for i in _given_positions(form) if (g := given_name_group(form.tokens[i]))
        ]


_FACTS: dict[int, _QueryFacts] = {}
FACTS_CACHE_SIZE = 4096  # query names; one query has a few, so a handful are ever in use


def _facts_of(form: NameForm) -> _QueryFacts:
    """The :class:`_QueryFacts` of a query name (kept for the last few thousand names:
    one query aligns each of its names with every listed name it is given)."""
    found = _FACTS.get(id(form))
    if found is None or found.form is not form:
        if len(_FACTS) >= FACTS_CACHE_SIZE:
            _FACTS.clear()
        found = _FACTS[id(form)] = _QueryFacts(form)
    return found


def _align_score(
    query: NameForm,
    cand: NameForm,
    rows: RowFn,
    kind: str,
    freq: TokenFrequency | None,
    floor: float = -math.inf,
) -> tuple[float, list[tuple[Span, Span, float]], list[bool], list[bool]] | None:
    """:func:`align_over` (without the memo of one query's alignments)."""
    used_q = [False] * len(query.tokens)
    used_c = [False] * len(cand.tokens)
    facts = _facts_of(query)
    pairs = _candidate_pairs(query, cand, rows, facts.given_groups if kind == "person" else [])
    if not pairs and query.tokens != cand.tokens:  # nothing aligns: no penalty can lift 0
        return 0.0, [], used_q, used_c
    if floor > 0.0 and _ceiling(query, cand, pairs, facts) < floor:
        return None
    pairs.sort()
    num, strong_found, chosen = _greedy(pairs, facts, used_q, used_c)
    if query.tokens == cand.tokens and facts.itself:
        # A name is itself, whatever it is made of: initials ("I B M") or only
        # generic words ("Technology and Development Group Limited"); a legal
        # form or title alone ("LLC", "President") is no name (nor a lone letter).
        return 1.0, chosen, used_q, used_c
    score = _ratio(facts, cand, kind, freq, num, chosen, used_q, used_c)
    if not strong_found or facts.strong == 0.0:
        score = min(score, WEAK_CAP)
    elif facts.one_name and kind != "org":
        score = min(score, ONE_NAME_CAP)
    if facts.single_strong and _distinctive_approximate(query, chosen, facts):
        score -= ONE_WORD_FUZZY  # nothing else in the query corroborates an approximate word
    if _unmet_both(facts.legal, used_q, cand, used_c, _is_legal):
        score -= LEGAL_FORM_MISMATCH
    if _unmet_both(facts.numbers, used_q, cand, used_c, _is_number):
        score -= NUMBER_MISMATCH
    if kind != "org" and _unmet_both(facts.middles, used_q, cand, used_c, _is_middle):
        score -= MIDDLE_NAME_MISMATCH
    if _given_link_leaves_words(query, cand, chosen, used_q, used_c):
        score = min(score, FAMILY_MISMATCH_CAP)
    if family_differs(query, cand, chosen):
        qweights = query.weights
        given = sum(1 for qs, _cs, _sim in chosen if qweights[qs[0]] >= STRONG)
        score = score - FAMILY_MISMATCH if given > 1 else min(score, FAMILY_MISMATCH_CAP)
    elif kind == "org" and _different_word(query, cand, used_q, used_c):
        score -= DIFFERENT_WORD
    return max(0.0, min(1.0, score)), chosen, used_q, used_c


def _pair_weight(span_weight: list[float], qi: int, qs: Span, cs: Span) -> float:
    """The weight a pair of spans counts with: the query span's weight, capped at
    :data:`W_INITIAL` when either text is one letter (an initial stands for little).
    The one rule of :func:`_greedy` and of its bound :func:`_ceiling`."""
    if len(qs[2]) == 1 or len(cs[2]) == 1:
        return min(span_weight[qi], W_INITIAL)
    return span_weight[qi]


def _greedy(
    pairs: list[tuple[Any, ...]], facts: _QueryFacts, used_q: list[bool], used_c: list[bool]
) -> tuple[float, bool, list[tuple[Span, Span, float]]]:
    """Take the pairs best first, each whose words are all still free (marked used): the
    aligned weight, whether a distinctive query word aligned, and the pairs taken."""
    span_weight, span_top = facts.span_weight, facts.span_top
    chosen: list[tuple[Span, Span, float]] = []
    num = 0.0
    strong_found = False
    for neg_value, _size, _qs, _cs, qi, _ci, qs, cs in pairs:
        qstart, qend, _ = qs
        cstart, cend, _ = cs
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
        num -= neg_value * _pair_weight(span_weight, qi, qs, cs)
        strong_found = strong_found or span_top[qi] >= STRONG
        chosen.append((qs, cs, -neg_value))
    return num, strong_found, chosen


CEILING_MARGIN = 1e-9  # far above the rounding of a sum of a few products, far below a score


def _ceiling(
    query: NameForm, cand: NameForm, pairs: list[tuple[Any, ...]], facts: _QueryFacts
) -> float:
    """A bound of :func:`_align_score` from the pairs that may align, before aligning them.

    The aligned weight ``num`` adds one pair per query position at most (the chosen
    pairs never share a query word), each counted as in the alignment (similarity
    times the span's weight, an initial's capped), and its denominator is at least
    the query's weight; caps and penalties only take away. So the best pair starting
    at each query position, added up over the query's weight, is never under the
    score (:data:`CEILING_MARGIN` for the order of the additions). A name equal to
    the query may score 1 whatever its pairs.
    """
    if query.tokens == cand.tokens or facts.total <= 0.0:
        return 1.0
    span_weight = facts.span_weight
    tops = [0.0] * len(query.tokens)
    for neg_value, _size, qstart, _cs, qi, _ci, qs, cs in pairs:
        value = -neg_value * _pair_weight(span_weight, qi, qs, cs)
        if value > tops[qstart]:
            tops[qstart] = value
    return min(1.0, sum(tops) / facts.total) + CEILING_MARGIN


def _ratio(
    facts: _QueryFacts,
    cand: NameForm,
    kind: str,
    freq: TokenFrequency | None,
    num: float,
    chosen: list[tuple[Span, Span, float]],
    used_q: list[bool],
    used_c: list[bool],
) -> float:
    """The aligned weight over the query's weight plus what the listed words not given
    cost (:data:`LAMBDA`, more when the words that agree are common), before caps."""
    unmatched_c = sum(compress(cand.weights, map(not_, used_c)))
    lam = lambda_of(kind)
    boost = frequency.COMMON_LAMBDA.get(kind, 0.0)
    if unmatched_c > 0.0 and boost and all(used_q[i] for i in facts.distinctive):
        table = frequency.active() if freq is None else freq
        lam *= 1.0 + boost * agreement_commonness(table, chosen, facts.form.weights, STRONG)
    den = facts.total + lam * unmatched_c
    return num / den if den > 0 else 0.0


def _distinctive_approximate(
    query: NameForm, chosen: list[tuple[Span, Span, float]], facts: _QueryFacts
) -> bool:
    """Did the query's distinctive word align only approximately (not equal, not a name
    equivalent: under :data:`EQUIVALENT_SIMILARITY`)? A listed word that is the whole
    query written as one ("Al Shabaab" ~ "Alshabaab") is no approximation, nor a word
    read from another script (``דוד`` ~ "David", ``สมชาย`` ~ "Somchai")."""
    if not facts.latin:
        return False
    weights = query.weights
    sims = [sim for qs, _cs, sim in chosen if weights[qs[0]] >= STRONG]
    if not sims or max(sims) >= EQUIVALENT_SIMILARITY:
        return False
    whole = facts.whole
    return all(cs[2] != whole for _qs, cs, _sim in chosen)


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


def _is_legal(token: str, weight: float) -> bool:
    return weight == W_LEGAL


def _is_middle(token: str, weight: float) -> bool:
    return weight == W_MIDDLE


def _is_number(token: str, weight: float) -> bool:
    return token.isdigit()


def _positions(form: NameForm, is_kind: Callable[[str, float], bool]) -> list[int]:
    """Where a name gives words of a kind (:func:`_is_legal`, :func:`_is_number`,
    :func:`_is_middle`), on the query side and the listed side of :func:`_unmet_both`."""
    words = zip(form.tokens, form.weights, strict=True)
    return [i for i, (token, weight) in enumerate(words) if is_kind(token, weight)]


def _unmet_both(
    positions: list[int],
    used_q: list[bool],
    cand: NameForm,
    used_c: list[bool],
    is_kind: Callable[[str, float], bool],
) -> bool:
    """Both names give a legal form (a number, a patronymic) and none of them met.

    "AG" vs "GmbH", "Five" vs "Six", "Ivanovich" vs "Petrovich": the names
    then say the two are different, which costs more than a word left out.
    ``positions``: where the query gives words of the kind (:class:`_QueryFacts`).
    """
    if not positions or any(used_q[i] for i in positions):
        return False
    c_kind = [used_c[i] for i in _positions(cand, is_kind)]
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
