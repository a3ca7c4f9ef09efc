"""Listed names hidden in free text: a gazetteer over listed name tokens, then the matcher.

:class:`NameFinder` is built from the records of the screener's index. Every
listed name (primary, alias, previous; weak aliases left out) is folded to ASCII
words (``anyascii``: ``Путин`` -> ``putin``); the gazetteer keeps each word with
the number of listed entities using it. In a text, runs of consecutive words
found in the gazetteer (exactly, or one edit away for words of five letters or
more) are candidate spans; a span needs a *rare* word (used by few listed
entities) so that ordinary words ("International Trading Company", "Bank")
never make one on their own. Numbers (invoice, unit and reference numbers fill
remittance text) are never rare, and a span holding one must be a whole listed name:
"OFFICE UNIT 586" does not name a listed "KPA Unit 586", "KPA UNIT 586" does. In prose (mixed case), a span must start and
end with a capitalised word. Each span is then screened by the matcher, and a match
keeps its span, the listed entity, the score and the explanations.

Payment text repeats its words ("INVOICE", "PAYMENT FOR ORDER"), so what the finder
learns of a word (its folded form, its gazetteer forms, whether it is rare) and of
a window of words (whether one listed entity holds them all) is memoised per
finder, that is per list version, in bounded tables.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from anyascii import anyascii

from sanctions.matching import Record
from sanctions.screening import QueryError, Screener

from .names import NameCache, screen_name

__all__ = ["NameFinder", "TextMatch"]

# a word; an apostrophe or an ampersand between letters keeps it one ("O'NEILL", "I&S")
_WORD = re.compile(r"[^\W_]+(?:['’&][^\W_]+)*", re.UNICODE)
# between two words of one name: "·" in Chinese names, brackets round an acronym ("(BAL)")
_JOIN = re.compile(r"^[\s\-.·・&()\[\]]*$")
RARE = 100  # a word used by at most this many listed entities identifies
MIN_RARE_LEN = 3
FUZZY_LEN = 5
MAX_SPAN = 5
NAME_PROPS = ("name", "alias", "previousName")
MEMO_SIZE = 200_000  # words and windows remembered per finder (emptied when full)
WORDS_FILE = Path(__file__).resolve().parent / "data" / "ordinary_words.yml"


@lru_cache(maxsize=1)
def ordinary_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(edge words, ordinary words, particles) of ``data/ordinary_words.yml``, folded."""
    with open(WORDS_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    edges = frozenset(fold_token(str(w)) for w in data["edges"])
    particles = frozenset(fold_token(str(w)) for w in data["particles"])
    return edges, edges | frozenset(fold_token(str(w)) for w in data["ordinary"]), particles


def fold_token(word: str) -> str:
    """A word as the gazetteer keeps it: ASCII, case-folded, letters, digits and ``&``
    (``I&S`` stays ``i&s``: as ``is`` it would read as the function word)."""
    return re.sub(r"[^a-z0-9&]", "", anyascii(word).casefold()).strip("&")


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """The words of a text with their places; dotted initials are one word
    (``N.A.B.`` -> ``NAB``, as a listed ``N.A.B. EXPORT CO.`` is read the same way)."""
    out: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        start, end, word = match.start(), match.end(), match.group()
        if out and len(word) == 1 and text[out[-1][1] : start] == ".":
            last = out[-1]
            if (
                len(last[2]) <= 3
                and text[last[0] : last[1]].replace(".", "").isalpha()
                and (len(text[last[0] : last[1]]) == 1 or "." in text[last[0] : last[1]])
            ):
                out[-1] = (last[0], end, last[2] + word)
                continue
        out.append((start, end, word))
    return out


def _deletes(token: str) -> set[str]:
    return {token[:i] + token[i + 1 :] for i in range(len(token))}


@dataclass
class TextMatch:
    """A listed entity named in a text: the span, the entity and the score."""

    start: int
    end: int
    text: str
    record: Record
    score: float
    explanations: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "entity": {
                "id": self.record.id,
                "caption": self.record.caption,
                "schema": self.record.schema,
                "datasets": list(self.record.datasets),
            },
            "score": round(self.score, 4),
            "explanations": self.explanations,
        }


Word = tuple[int, int, frozenset[str], bool, str]  # start, end, gazetteer forms, rare, folded


class NameFinder:
    """Finds listed names in free text (see the module docstring)."""

    def __init__(self, records: list[Record]) -> None:
        users: dict[str, set[int]] = defaultdict(set)
        self.single: set[str] = set()  # listed names of one word
        self.full: set[tuple[str, ...]] = set()  # listed names of 2 to MAX_SPAN words, sorted
        self.record_tokens: list[frozenset[str]] = []
        self.edges, self.ordinary, particles = ordinary_words()
        for n, record in enumerate(records):
            mine: set[str] = set()
            for prop in NAME_PROPS:
                for name in record.properties.get(prop, ()):
                    tokens = [t for t in (fold_token(w) for _, _, w in word_spans(name)) if t]
                    mine.update(tokens)
                    # one word beside articles is a one-word name: "Al Moulathamoun" may be
                    # written "MOULATHAMOUN" (or "MOULATHAMOUN AL", which cannot end on "al")
                    core = [t for t in tokens if t not in particles]
                    if len(core) == 1 and record.schema not in ("Vessel", "Airplane"):
                        self.single.add(core[0])  # a ship named "ADVANCE" needs "MV", an IMO
                    for words in (tokens, core):  # "AL-'ABD AHMAD" may not start on "al"
                        if 1 < len(words) <= MAX_SPAN:
                            self.full.add(tuple(sorted(words)))
            for token in mine:
                users[token].add(n)
            self.record_tokens.append(frozenset(mine))
        self.df = {token: len(ids) for token, ids in users.items()}
        # postings of the rare words only: the common ones are never looked up
        self.postings = {
            t: tuple(ids) for t, ids in users.items() if len(ids) <= RARE and t not in self.ordinary
        }
        self.fuzzy: dict[str, set[str]] = defaultdict(set)
        for token in self.df:
            if len(token) >= FUZZY_LEN and not token.isdigit():
                for variant in _deletes(token) | {token}:
                    self.fuzzy[variant].add(token)
        self._word_memo: dict[str, tuple[frozenset[str], bool, str]] = {}
        self._window_memo: dict[tuple[tuple[frozenset[str], bool], ...], bool] = {}

    def forms(self, token: str) -> frozenset[str]:
        """The gazetteer words a text word may be: itself, or those one edit away
        (a deletion, an insertion, a substitution or a swap of two letters)."""
        if token in self.df:
            return frozenset([token])
        return self._near(token)

    def _near(self, token: str) -> frozenset[str]:
        """The gazetteer words one edit from a word of five letters or more."""
        if len(token) < FUZZY_LEN or token.isdigit():
            return frozenset()
        near = set(self.fuzzy.get(token, ()))
        for variant in _deletes(token):
            near |= self.fuzzy.get(variant, set())
        return frozenset(near)

    def _rare(self, forms: frozenset[str]) -> bool:
        """Whether a word identifies: a form used by few listed entities, not a number."""
        return any(f in self.postings and len(f) >= MIN_RARE_LEN and not f.isdigit() for f in forms)

    def _word(self, word: str) -> tuple[frozenset[str], bool, str]:
        """(gazetteer forms, rare, folded token) of a word of the text, memoised."""
        known = self._word_memo.get(word)
        if known is None:
            token = fold_token(word)
            forms = self.forms(token) if token else frozenset()
            rare = self._rare(forms)
            if token in self.df:  # a typo may make another listed word: "ENTREPRISE"
                forms |= self._near(token)  # is also "enterprise", when with others
            known = (forms, rare, token)
            if len(self._word_memo) >= MEMO_SIZE:
                self._word_memo.clear()
            self._word_memo[word] = known
        return known

    def _words(self, text: str) -> list[list[Word]]:
        """Runs of consecutive gazetteer words (joined by spaces, hyphens or dots)."""
        runs: list[list[Word]] = []
        current: list[Word] = []
        for start, end, word in word_spans(text):
            forms, rare, token = self._word(word)
            joined = current and _JOIN.match(text[current[-1][1] : start])
            if current and not (forms and joined):
                runs.append(current)
                current = []
            if forms:
                current.append((start, end, forms, rare, token))
        if current:
            runs.append(current)
        return runs

    def _together(self, window: list[Word]) -> bool:
        """Whether one listed entity's names hold every word of the window (in some form);
        memoised by the window's forms."""
        key = tuple((w[2], w[3]) for w in window)
        known = self._window_memo.get(key)
        if known is None:
            known = self._held_together(window)
            if len(self._window_memo) >= MEMO_SIZE:
                self._window_memo.clear()
            self._window_memo[key] = known
        return known

    def _held_together(self, window: list[Word]) -> bool:
        rare = [w for w in window if w[3]]
        if not rare:
            return False
        # enumerate the entities of a word all of whose forms are rare, if any: a common
        # form (a typo's "enterprise") has no postings to enumerate
        whole = [w for w in rare if all(f in self.postings for f in w[2])] or rare
        pivot = min(whole, key=lambda w: sum(len(self.postings.get(f, ())) for f in w[2]))
        others = [w[2] for w in window if w is not pivot]
        for form in pivot[2]:
            for n in self.postings.get(form, ()):
                tokens = self.record_tokens[n]
                if all(not forms.isdisjoint(tokens) for forms in others):
                    return True
        return False

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Candidate (start, end) character spans, longest first."""
        prose = sum(c.islower() for c in text) > sum(c.isupper() for c in text)
        out: set[tuple[int, int]] = set()
        for run in self._words(text):
            for i in range(len(run)):
                for j in range(i + 1, min(len(run), i + MAX_SPAN) + 1):
                    window = run[i:j]
                    if not self._edge_ok(text, window):
                        continue
                    if prose and not (
                        _capital(text[window[0][0]]) and _capital(text[window[-1][0]])
                    ):
                        continue
                    if len(window) == 1:
                        word = window[0]
                        ok = self._alone(frozenset([word[4]]) if word[4] in self.df else word[2])
                    elif any(all(f.isdigit() for f in w[2]) for w in window):
                        ok = self._named(window)  # a number only within a whole listed name
                    else:
                        ok = self._named(window) or self._together(window)
                    if ok:
                        out.add((window[0][0], window[-1][1]))
        return sorted(out, key=lambda s: (s[0] - s[1], s[0]))

    def _named(self, window: list[Word]) -> bool:
        """Exactly the words of a listed name, in any order (a name of ordinary words, such
        as "Bank of East Land" or "Golden Star Trading LLC" written "Star Trading LLC
        Golden": without a rare word, only the whole name makes a span). One word may be
        misspelt, and is tried as each listed word it may be ("ALI ISMA'LI": "ismail",
        "ismaili"...), so a name of common words is found with a typo too."""
        exact = [w[4] for w in window if w[4] in self.df]
        typos = [w for w in window if w[4] not in self.df]
        if not typos:
            return tuple(sorted(exact)) in self.full
        if len(typos) > 1:
            return False
        return any(tuple(sorted([*exact, form])) in self.full for form in typos[0][2])

    def _alone(self, forms: frozenset[str]) -> bool:
        """A single word is a span if it is (one edit from) a listed one-word name."""
        return any(
            len(t) >= 5 and t not in self.ordinary and t in self.single and not t.isdigit()
            for t in forms
        )

    def _edge_ok(self, text: str, window: list[Word]) -> bool:
        """A span neither starts nor ends with a function word, a title or an initial."""
        for n, (start, _end, _forms, _rare, token) in enumerate((window[0], window[-1])):
            abbreviation = n == 1 and len(window) > 1 and text[start - 1 : start] == "."
            if (len(token) < 2 and not abbreviation) or token in self.edges:
                return False  # "S.A.S." may end a name; "U" or "the" may not
        return True

    def find(
        self, screener: Screener, text: str, threshold: float, cache: NameCache | None = None
    ) -> list[TextMatch]:
        """Listed entities named in the text, scored from ``threshold``, in text order;
        of overlapping spans, the best score (then the longest span) is kept. ``cache``
        keeps the screening of each span (as of party names)."""
        matches: list[TextMatch] = []
        for start, end in self.spans(text):
            span = " ".join(text[start:end].split())
            try:
                found = screen_name(screener, span, "Thing", (threshold, threshold, 1), cache)
            except QueryError:
                continue
            for match in found:
                explanations = list(match.score.explanations)
                item = TextMatch(start, end, span, match.record, match.score.score, explanations)
                matches.append(item)
        best: list[TextMatch] = []
        for item in sorted(matches, key=lambda m: (-m.score, m.start - m.end)):
            if not any(m.start < item.end and item.start < m.end for m in best):
                best.append(item)
        return sorted(best, key=lambda m: m.start)


def _capital(char: str) -> bool:
    return char.isupper() or char.lower() == char.upper()
