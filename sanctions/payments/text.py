"""Listed names hidden in free text: a gazetteer over listed name tokens, then the matcher.

:class:`NameFinder` is built from the records of the screener's index. Every
listed name (primary, alias, previous; weak aliases left out) is folded to ASCII
words (``anyascii``: ``Путин`` -> ``putin``); the gazetteer keeps each word with
the number of listed entities using it. In a text, runs of consecutive words
found in the gazetteer (exactly, or one edit away for words of five letters or
more) are candidate spans; a span needs a *rare* word (used by few listed
entities) so that ordinary words ("International Trading Company", "Bank")
never make one on their own. In prose (mixed case), a span must start and end
with a capitalised word. Each span is then screened by the matcher, and a match
keeps its span, the listed entity, the score and the explanations.
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

__all__ = ["NameFinder", "TextMatch"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_JOIN = re.compile(r"^[\s\-.]*$")  # what may stand between two words of one name
RARE = 100  # a word used by at most this many listed entities identifies
RARE_ALONE = 100  # a single word used by at most this many listed entities is a span
MIN_RARE_LEN = 3
FUZZY_LEN = 5
MAX_SPAN = 5
NAME_PROPS = ("name", "alias", "previousName")
WORDS_FILE = Path(__file__).resolve().parent / "data" / "ordinary_words.yml"


@lru_cache(maxsize=1)
def ordinary_words() -> tuple[frozenset[str], frozenset[str]]:
    """(edge words, ordinary words) of ``data/ordinary_words.yml``, folded."""
    with open(WORDS_FILE, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    edges = frozenset(fold_token(str(w)) for w in data["edges"])
    return edges, edges | frozenset(fold_token(str(w)) for w in data["ordinary"])


def fold_token(word: str) -> str:
    return re.sub(r"[^a-z0-9]", "", anyascii(word).casefold())


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


class NameFinder:
    """Finds listed names in free text (see the module docstring)."""

    def __init__(self, records: list[Record]) -> None:
        users: dict[str, set[int]] = defaultdict(set)
        self.single: set[str] = set()  # listed names of one word
        self.full: set[tuple[str, ...]] = set()  # listed names of 2 to MAX_SPAN words
        for n, record in enumerate(records):
            for prop in NAME_PROPS:
                for name in record.properties.get(prop, ()):
                    tokens = [t for t in map(fold_token, _WORD.findall(name)) if t]
                    for token in tokens:
                        users[token].add(n)
                    if len(tokens) == 1:
                        self.single.add(tokens[0])
                    elif len(tokens) <= MAX_SPAN:
                        self.full.add(tuple(tokens))
        self.edges, self.ordinary = ordinary_words()
        self.df = {token: len(ids) for token, ids in users.items()}
        self.fuzzy: dict[str, set[str]] = defaultdict(set)
        for token, count in self.df.items():
            if count <= RARE and len(token) >= FUZZY_LEN and not token.isdigit():
                for variant in _deletes(token) | {token}:
                    self.fuzzy[variant].add(token)

    def known(self, token: str) -> tuple[bool, bool]:
        """(in the gazetteer, exactly or one edit away; rare)."""
        if token in self.ordinary:
            return token in self.df, False
        if token in self.df:
            return True, self.df[token] <= RARE and len(token) >= MIN_RARE_LEN
        if len(token) >= FUZZY_LEN:
            near = set(self.fuzzy.get(token, ()))
            for variant in _deletes(token):
                near |= self.fuzzy.get(variant, set())
            if near:
                return True, True
        return False, False

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Candidate (start, end) character spans, longest first."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        prose = sum(c.islower() for c in text) > sum(c.isupper() for c in text)
        runs: list[list[tuple[int, int, str, bool]]] = []
        current: list[tuple[int, int, str, bool]] = []
        for start, end, word in words:
            token = fold_token(word)
            found, rare = self.known(token) if token else (False, False)
            joined = current and _JOIN.match(text[current[-1][1] : start])
            if found and (joined or not current):
                current.append((start, end, token, rare))
                continue
            if current:
                runs.append(current)
            current = [(start, end, token, rare)] if found else []
        if current:
            runs.append(current)
        out: set[tuple[int, int]] = set()
        for run in runs:
            for i in range(len(run)):
                for j in range(i + 1, min(len(run), i + MAX_SPAN) + 1):
                    window = run[i:j]
                    named = tuple(w[2] for w in window) in self.full
                    if not (named or any(w[3] for w in window)) or not self._edge_ok(window):
                        continue
                    if len(window) == 1 and not (
                        window[0][2] in self.single and len(window[0][2]) >= 4
                    ):
                        continue
                    first, last = text[window[0][0]], text[window[-1][0]]
                    if prose and not (_capital(first) and _capital(last)):
                        continue
                    out.add((window[0][0], window[-1][1]))
        return sorted(out, key=lambda s: (s[0] - s[1], s[0]))

    def _alone(self, token: str) -> bool:
        """A single word is a span if it is a listed one-word name or a very rare word."""
        if len(token) < 4 or token in self.ordinary or token.isdigit():
            return False
        return token in self.single or (
            len(token) >= 6 and self.df.get(token, RARE + 1) <= RARE_ALONE
        )

    def _edge_ok(self, window: list[tuple[int, int, str, bool]]) -> bool:
        """A span neither starts nor ends with a function word, a title or an initial."""
        return all(len(w[2]) > 1 and w[2] not in self.edges for w in (window[0], window[-1]))

    def find(self, screener: Screener, text: str, threshold: float) -> list[TextMatch]:
        """Listed entities named in the text, scored from ``threshold``, in text order;
        of overlapping spans, the best score (then the longest span) is kept."""
        matches: list[TextMatch] = []
        for start, end in self.spans(text):
            span = " ".join(text[start:end].split())
            query = {"id": "span", "schema": "Thing", "properties": {"name": [span]}}
            try:
                result = screener.screen(query, threshold=threshold, limit=1, cutoff=threshold)
            except QueryError:
                continue
            for match in result.results:
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
