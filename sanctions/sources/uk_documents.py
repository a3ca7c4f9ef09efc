"""Identity documents written as free text, as the UK lists write them.

OFSI's ``Passport Details`` and ``NI Number`` columns (and their FCDO successors)
hold sentences, not fields::

    NC5140251 (Pakistan). Issued on 23 October 2009. Expires on 22 October 2014.
    United Kingdom of Great Britain and Northern Ireland 801121547 issued on 16 June 2009
    (1) 6487 (Egypt). Issued 30 Jan 1986. (2) (Eqypt). Issued 1993. (3) 388181 (Yemen).
    Yemeni passport number 17979 issued under name Ahmed Ali Abdullah Saleh. ...

:func:`read_documents` splits such a text into documents and reads from each its
number (whole: ``3219222002.2181558``, ``842 781``, ``SE-011697``), issuing
country (as a code), issue and expiry dates (precision kept) and the name it was
issued under. :func:`add_documents` puts the numbers into the entity's property and
the rest, with the text as written, into a note; a document without a number is kept
as text and counted (:func:`~sanctions.sources.base.not_understood`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sanctions.countries import to_country_codes
from sanctions.model import Entity, clean_text

from .base import DATE_IN_TEXT, date_of_match, not_understood

__all__ = ["Document", "read_documents", "add_documents"]

# "(1) A (2) B", "(a) A, (b) B", "A) x (b) y": one document each.
_ITEM = re.compile(r"(?:^|[\s,;.])\(?(?:\d{1,2}|[a-hA-H])\)\s*")
# A new sentence naming a new document: "... Saleh. Yemeni passport number 02117777 ..."
_NEXT_DOC = re.compile(
    r"(?<=\.)\s+(?=(?:[A-Z][a-z]+\s+){0,3}(?:passport|national id)\b[^.]*?\d{5})", re.I
)
# A document number: digits, with letters before or after, kept whole across the
# separators inside it ("SE-011697", "3219222002.2181558", "842 781", "911- 10-77").
_NUMBER = re.compile(
    r"(?<![\w.])(?:[A-Z]{1,4}[-/\s]?){0,3}(?:[a-z](?=\d))?\d[\dA-Z]*"
    r"(?:(?:[-./]\s?|\s)[A-Z]*\d[\dA-Z]*|[-/][A-Z]{2,})*(?![\w])"
)
_KIND_OF_DATE = (
    (
        "expires",
        re.compile(
            r"(expir\w*|valid (?:until|to|till)|exp\.?)\W*(?:date)?\W*(?:of|on|end)?\W*$", re.I
        ),
    ),
    ("issued", re.compile(r"(issued|issue date|date of issue)\b[^.()]*?$", re.I)),
)
_UNDER_NAME = re.compile(
    r"\b(?:issued\s+)?(?:under|in)\s+(?:the\s+)?name\s+(?:of\s+)?([^.,;()]+)", re.I
)
# Dates that are not the document's: "born in 1965", "(2004)", "(1995-1997)", "29.9.11".
_OTHER_DATE = re.compile(
    r"\bborn\b(?:[^.,;()]|\.(?=\s*\d))*|\(\s*\d{4}(?:\s*-\s*\d{4})?\s*\)|\b\d{1,2}[./]\d{1,2}[./]\d{2}\b(?![./]?\d)",
    re.I,
)
_MANGLED = re.compile(r"\b\d\.\d+E\+\d+\b", re.I)  # "2.81083E+11": a spreadsheet ate the digits
_ISSUED_IN = re.compile(
    r"(?i:\bissued\b)[^.;()]*?\bin\s+"
    r"(?!(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)"
    r"([A-Z][^.;()\d]*)"
)
_NO_DOT = re.compile(r"\b(no|nos|number)\.(?=\w)", re.I)  # "no.205939411" -> "no. 205939411"
# Words of a document text that say what it is, not whose or which.
_DOC_WORDS = re.compile(
    r"\b(?:passport|passports|number|numbers|no|nos|details|national|identity|identification|"
    r"id|card|civil|document|diplomatic|service|official|provisional|new|old|fiscal|code|"
    r"tax|ration|military|personal|residence|permit|certificate|"
    r"issued|issue|by|on|in|the|of|expired|expires|expiry|valid)\b\.?",
    re.I,
)
MIN_DIGITS = 3


@dataclass
class Document:
    """One identity document read from free text."""

    text: str
    numbers: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    issued: str | None = None
    expires: str | None = None
    issued_in: str | None = None
    under_name: str | None = None

    def details(self) -> str:
        parts = []
        if self.countries:
            parts.append(f"country {', '.join(self.countries)}")
        if self.issued:
            parts.append(f"issued {self.issued}")
        if self.issued_in:
            parts.append(f"issued in {self.issued_in}")
        if self.expires:
            parts.append(f"expires {self.expires}")
        if self.under_name:
            parts.append(f"issued under name {self.under_name}")
        return "; ".join(parts)


def _items(text: str) -> list[str]:
    pieces = [p for p in _ITEM.split(text) if p and p.strip(" ,;.")]
    items = []
    for piece in pieces or [text]:
        items += [p.strip(" ,;") for p in _NEXT_DOC.split(piece) if p.strip(" ,;.")]
    return items


def _dates(doc: Document, text: str) -> str:
    """Read issue and expiry dates; return the text without them."""
    spans = []
    for match in DATE_IN_TEXT.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        kind = next((k for k, rx in _KIND_OF_DATE if rx.search(before)), None)
        bare_year = match.group("y6") is not None
        if kind is None and bare_year:
            continue  # a four-digit number, not a date
        value = date_of_match(match)
        if value is None:
            continue
        if kind == "expires" and doc.expires is None:
            doc.expires = value
        elif kind == "issued" and doc.issued is None:
            doc.issued = value
        spans.append(match.span())
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


def _countries(doc: Document, text: str, prefix: str) -> None:
    """Issuing country: a bracketed country or demonym, or the words before the number."""
    for candidate in [*re.findall(r"\(([^)]*)\)", text), re.sub(r"\([^)]*\)", " ", prefix)]:
        candidate = " ".join(re.sub(r"[:;,.]", " ", candidate).split())
        words = " ".join(_DOC_WORDS.sub(" ", candidate).split())
        if len(words) <= 3:
            continue  # "NC", "SE": letters of a number, not a country
        codes = to_country_codes(candidate) or to_country_codes(words)
        for code in codes:
            if code not in doc.countries:
                doc.countries.append(code)


def read_document(text: str) -> Document:
    """One document's number(s), country, dates and issued-under name."""
    doc = Document(text=text)
    text = _NO_DOT.sub(r"\1. ", text)
    if match := _UNDER_NAME.search(text):
        doc.under_name = clean_text(match[1])
        text = text[: match.start()] + text[match.end() :]
    if match := _ISSUED_IN.search(text):
        place = clean_text(match[1].strip(" ,"))
        doc.issued_in = place if place and not DATE_IN_TEXT.fullmatch(place) else None
    rest = _dates(doc, _OTHER_DATE.sub(" ", text))
    prefix = rest
    for match in _NUMBER.finditer(rest):
        token = match.group(0).strip(" -./")
        if sum(c.isdigit() for c in token) >= MIN_DIGITS and token not in doc.numbers:
            if not doc.numbers:
                prefix = rest[: match.start()]
            doc.numbers.append(token)
    _countries(doc, rest, prefix)
    return doc


def read_documents(text: str | None) -> list[Document]:
    """Every document a free-text document field describes."""
    text = clean_text(text)
    if not text:
        return []
    items = [item for item in _items(text) if _DOC_WORDS.sub("", item).strip(" :;,.()")]
    docs = [read_document(item) for item in items]
    # "Jordanian passport numbers (1) K048787 (2) 486298": the first item is a heading
    if len(docs) > 1 and not docs[0].numbers and docs[0].countries and _is_heading(docs[0]):
        heading = docs.pop(0)
        for doc in docs:
            doc.countries = doc.countries or list(heading.countries)
    return docs


def _is_heading(doc: Document) -> bool:
    words = _DOC_WORDS.sub(" ", re.sub(r"[:;,.()]", " ", doc.text)).split()
    return bool(words) and bool(to_country_codes(" ".join(words)))


def add_documents(entity: Entity, prop: str, text: str | None) -> None:
    """Numbers into ``prop`` (``passportNumber``/``idNumber``); details and the text in notes.

    A bare number is just the number. A document without a number ("Uganda
    Passport.") is kept as text and counted as not understood.
    """
    for doc in read_documents(text):
        if not doc.numbers or _MANGLED.search(doc.text):
            not_understood(entity, prop, doc.text)
            continue
        for number in doc.numbers:
            entity.add(prop, number)
        if doc.text not in doc.numbers:
            details = doc.details()
            head = f"{prop} {', '.join(doc.numbers)}"
            entity.add(
                "notes", f"{head} ({details}): {doc.text}" if details else f"{head}: {doc.text}"
            )
