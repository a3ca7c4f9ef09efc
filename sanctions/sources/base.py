"""Helpers shared by the format parsers: safe reading, and nothing dropped silently.

Every parser reads its file through these, so that the protections are the
same everywhere: size limit, transparent gzip/zip with path-traversal and
zip-bomb checks, XML without entity expansion or network access, streaming,
and errors that name the file and the place.

A value a parser cannot place goes through :func:`not_understood`: it is kept
in the entity's notes with its field name and counted in the
:class:`ParseReport` of the enclosing :func:`collect_report` (the load report;
``sanctions load --strict`` refuses a file with any). Countries go through
:func:`add_countries` (codes from :mod:`sanctions.countries`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import logging
import os
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from lxml import etree

from sanctions.countries import COUNTRY_PROPERTIES, is_country_code, to_country_codes
from sanctions.errors import EncodingError, FormatError, UnsafeInputError
from sanctions.model import Entity, clean_text, parse_date

__all__ = [
    "HEAD_SIZE",
    "max_file_size",
    "check_size",
    "sniff",
    "open_stream",
    "iter_xml",
    "localname",
    "iter_csv",
    "decode_head",
    "check_xml_head",
    "ParseReport",
    "collect_report",
    "file_incomplete",
    "not_understood",
    "NOT_UNDERSTOOD",
    "add_countries",
    "DATE_IN_TEXT",
    "date_of_match",
    "add_latest_date",
]

log = logging.getLogger(__name__)

HEAD_SIZE = 64 * 1024
DEFAULT_MAX_FILE_SIZE = 2 * 1024**3  # 2 GiB, uncompressed
ZIP_RATIO_LIMIT = 200  # uncompressed / compressed


def max_file_size() -> int:
    """The largest list file we accept (``SANCTIONS_MAX_FILE_SIZE`` bytes)."""
    value = os.environ.get("SANCTIONS_MAX_FILE_SIZE")
    return int(value) if value else DEFAULT_MAX_FILE_SIZE


def check_size(path: Path, size: int | None = None) -> None:
    """Refuse files over the size limit before reading them."""
    size = path.stat().st_size if size is None else size
    limit = max_file_size()
    if size > limit:
        raise UnsafeInputError(
            f"file is {size:,} bytes, over the limit of {limit:,} bytes "
            "(set SANCTIONS_MAX_FILE_SIZE to raise it)",
            path,
        )


def _zip_member(path: Path, zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The one list file inside a zip, after checking every member is safe."""
    members = [m for m in zf.infolist() if not m.is_dir()]
    if not members:
        raise FormatError("zip archive is empty", path)
    for member in zf.infolist():
        name = PurePosixPath(member.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", member.filename):
            raise UnsafeInputError(f"zip member has an unsafe path: {member.filename!r}", path)
        if member.compress_size and member.file_size / member.compress_size > ZIP_RATIO_LIMIT:
            raise UnsafeInputError(
                f"zip member {member.filename!r} expands {member.file_size:,} bytes from "
                f"{member.compress_size:,} (zip bomb?)",
                path,
            )
        check_size(path, member.file_size)
    return max(members, key=lambda m: m.file_size)


@contextmanager
def open_stream(path: str | Path) -> Iterator[IO[bytes]]:
    """Open a list file for streaming as bytes: plain, gzip or zip (its main member)."""
    path = Path(path)
    if not path.exists():
        raise FormatError("file not found", path)
    check_size(path)
    try:
        with _open_stream(path) as stream:
            yield stream
    except READ_ERRORS as exc:  # damaged compressed content, found while it is read
        raise FormatError(f"cannot read compressed content: {exc}", path) from exc


# What reading a damaged gzip or zip stream raises.
READ_ERRORS = (OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError)


@contextmanager
def _open_stream(path: Path) -> Iterator[IO[bytes]]:
    with open(path, "rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == b"\x1f\x8b":
            with gzip.open(raw) as stream:
                yield stream  # type: ignore[misc]
        elif magic == b"PK\x03\x04":
            try:
                zf = zipfile.ZipFile(raw)
            except zipfile.BadZipFile as exc:
                raise FormatError(f"broken zip archive: {exc}", path) from exc
            with zf:
                member = _zip_member(path, zf)
                with zf.open(member) as stream:
                    yield stream
        else:
            yield raw


def sniff(path: str | Path, size: int = HEAD_SIZE) -> bytes:
    """The first bytes of a file's content (decompressed if gzip or zip)."""
    path = Path(path)
    with open_stream(path) as stream:
        try:
            return stream.read(size)
        except READ_ERRORS as exc:
            raise FormatError(f"cannot read compressed content: {exc}", path) from exc


def decode_head(head: bytes) -> str:
    """Best-effort text of a file head for format detection (BOM and UTF-16 aware)."""
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return head.decode("utf-16", errors="replace")
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    return head.decode("utf-8", errors="replace")


def localname(tag: Any) -> str:
    """Tag name without its namespace."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.I)


def check_xml_head(path: Path, head: bytes) -> None:
    if _DOCTYPE.search(head) and _ENTITY_DECL.search(head):
        raise UnsafeInputError(
            "XML declares entities in a DTD (entity expansion and external entities are refused)",
            path,
            line=head[: _ENTITY_DECL.search(head).start()].count(b"\n") + 1,  # type: ignore[union-attr]
        )


def iter_xml(
    path: str | Path, tags: set[str] | None = None, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, Any]]:
    """Stream (event, element) pairs of an XML file safely.

    Entities are not expanded, no DTD or network access happens; a DTD that
    declares entities is refused outright. ``tags`` filters by local name.
    Callers should ``elem.clear()`` elements they are done with. Syntax errors
    become :class:`FormatError` with the line number.
    """
    path = Path(path)
    with open_stream(path) as stream:
        head = stream.read(HEAD_SIZE)
        check_xml_head(path, head)
        chained = io.BufferedReader(_Prepend(head, stream))  # type: ignore[arg-type]
        parser = etree.iterparse(
            chained,
            events=events,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            recover=False,
        )
        try:
            for event, elem in parser:
                if tags is None or localname(elem.tag) in tags:
                    yield event, elem
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else exc.lineno
            raise FormatError(f"malformed XML: {exc.msg}", path, line=line) from exc
        except READ_ERRORS as exc:
            raise FormatError(f"cannot read content: {exc}", path) from exc


class _Prepend(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def _decoded_lines(
    stream: IO[bytes], path: Path, encoding: str, counter: list[int]
) -> Iterator[str]:
    """Decode a byte stream line by line, so that a decode error names its line."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    for raw in stream:
        counter[0] += 1
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"bytes do not decode as {encoding}: {exc.reason} "
                f"(byte 0x{raw[min(exc.start, len(raw) - 1)]:02x} at column {exc.start + 1})",
                path,
                line=counter[0],
            ) from exc


def iter_csv(
    path: str | Path,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
    skip_lines: int = 0,
) -> Iterator[tuple[int, list[str]]]:
    """Stream (line number, row) pairs of a CSV file; decode errors name the line.

    ``line number`` is the 1-based physical line where the row starts. The
    first ``skip_lines`` physical lines (e.g. a "Report Date" line) are skipped.
    """
    path = Path(path)
    counter = [0]
    with open_stream(path) as stream:
        lines = _decoded_lines(stream, path, encoding, counter)
        for _ in range(skip_lines):
            if next(lines, None) is None:
                return
        # strict: a quoted field left open at the end (a file cut short) or text after a
        # closing quote is an error naming the line, not a value read up to the end.
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        try:
            while True:
                start = counter[0] + 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                yield start, row
        except csv.Error as exc:
            raise FormatError(f"malformed CSV: {exc}", path, line=counter[0]) from exc


def csv_record(path: Path, line: int, header: list[str], row: list[str]) -> dict[str, str | None]:
    """One data row as column -> cleaned value; a row wider or narrower than the header
    is a `FormatError` naming the line (a file cut short, or a stray delimiter, must not
    load a listing made of half a row)."""
    if len(row) != len(header):
        raise FormatError(
            f"row has {len(row)} fields, the header {len(header)} (file cut short or malformed)",
            path,
            line=line,
        )
    return {h: clean_text(v) for h, v in zip(header, row, strict=True)}


# -- values a parser cannot place ---------------------------------------------------

NOT_UNDERSTOOD = "not understood"
EXAMPLES_KEPT = 5

# Plain-words labels of the fields parsers report, for the load report.
FIELD_LABELS = {
    "birthDate": "dates of birth",
    "deathDate": "dates of death",
    "listingDate": "listing dates",
    "modifiedAt": "last-updated dates",
    "nationality": "nationalities",
    "citizenship": "citizenships",
    "country": "countries",
    "addressCountry": "address countries",
    "flag": "vessel flags",
    "passportNumber": "passport texts",
    "idNumber": "identity document texts",
    "name": "names",
    "alias": "aliases",
}


@dataclass
class ParseReport:
    """What one parse could not place: counts and a few examples per field.

    Filled by :func:`not_understood` while a :func:`collect_report` block is open;
    the load report prints :meth:`summary` and ``sanctions load --strict`` fails
    when :attr:`total` is not zero.
    """

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    # Signs that the file itself is incomplete (a last row cut short): the loader
    # holds such a version for an admin instead of making it current.
    incomplete: list[str] = field(default_factory=list)
    _seen: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def add(self, entity_id: str, field_name: str, raw: str) -> None:
        """Count one value (the same value of the same entity and field counts once)."""
        key = (entity_id, field_name, raw)
        if key in self._seen:
            return
        self._seen.add(key)
        self.counts[field_name] += 1
        kept = self.examples.setdefault(field_name, [])
        if len(kept) < EXAMPLES_KEPT:
            kept.append((entity_id, raw))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> list[str]:
        """One line per field: ``"7 dates of birth (birthDate) not understood, kept as text"``."""
        lines = []
        for name, count in sorted(self.counts.items()):
            label = FIELD_LABELS.get(name)
            what = f"{label} ({name})" if label else f"{name} values"
            lines.append(f"{count:,} {what} {NOT_UNDERSTOOD}, kept as text")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "incomplete": list(self.incomplete),
            "total": self.total,
            "counts": dict(sorted(self.counts.items())),
            "examples": {k: [list(e) for e in v] for k, v in sorted(self.examples.items())},
        }


_REPORT: ContextVar[ParseReport | None] = ContextVar("sanctions_parse_report", default=None)


@contextmanager
def collect_report() -> Iterator[ParseReport]:
    """Collect what parsers could not place while the block runs (iterate the parse inside it).

    with collect_report() as report:
        entities = list(fmt.parse(path))
    report.summary()
    """
    report = ParseReport()
    token = _REPORT.set(report)
    try:
        yield report
    finally:
        _REPORT.reset(token)


def not_understood(entity: Entity, field_name: str, raw: Any) -> None:
    """Keep a value the parser cannot place, and count it: never drop it silently.

    The raw text goes into the entity's ``notes`` as ``"birthDate (not understood):
    Between 1963 to 1968"`` and is counted under ``field_name`` (an FtM property
    name where there is one) in the report of the enclosing :func:`collect_report`.
    """
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return
    entity.add("notes", f"{field_name} ({NOT_UNDERSTOOD}): {text}")
    report = _REPORT.get()
    if report is not None:
        report.add(entity.id, field_name, text)


def file_incomplete(path: Any, reason: str) -> None:
    """Say that a file looks cut short (``reason`` names the line): what it holds is
    parsed, and the load keeps the version aside (held) for an admin to approve,
    never current on its own (:mod:`sanctions.store.gates`)."""
    log.warning("%s: %s", path, reason)
    report = _REPORT.get()
    if report is not None:
        report.incomplete.append(f"{Path(str(path)).name}: {reason}")


# Remarks around a country: "Italy (Domicile)", "Syria as of September 2015".
_COUNTRY_REMARK = re.compile(
    r"\([^)]*\)|\b(?:as (?:of|at)|at (?:the )?time of|since|until|in \d{4})\b.*$", re.I
)
# Values that say "no country" rather than naming one.
NO_COUNTRY = frozenset(
    {"unknown", "undetermined", "none", "none identified", "n/a", "na", "-", "stateless"}
)


def add_countries(entity: Entity, prop: str, text: Any) -> list[str]:
    """Add the country codes a value names (``"Russian and Ukrainian"`` -> ru, ua).

    A value that names no known country is kept as text in notes and counted
    (:func:`not_understood`); "unknown", "stateless" and the like go to notes as
    they are. A remark beside a country ("Italy (Domicile)") is kept in notes
    beside the code. Returns the codes.
    """
    raw = " ".join(str(text).split()) if text is not None else ""
    if not raw:
        return []
    if raw.lower().strip(" .") in NO_COUNTRY:  # a fact, but no country: kept as said
        entity.add("notes", f"{prop}: {raw}")
        return []
    codes = to_country_codes(raw)
    if not codes:
        bare = _COUNTRY_REMARK.sub(" ", raw).strip(" ,.;")
        codes = to_country_codes(bare) if bare and bare != raw else []
        if codes:  # the remark ("at time of listing") is a fact too: kept beside the code
            entity.add("notes", f"{prop}: {raw}")
        else:
            not_understood(entity, prop, raw)
    for code in codes:
        entity.add(prop, code)
    return codes


# -- dates inside free text ------------------------------------------------------

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# One date inside free text ("12. Sep 1974", "1965, 29 March", "8.11.2005", "03/1965",
# "Aug. 1961", "1970"); the named groups say which parts it has.
DATE_IN_TEXT = re.compile(
    rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[.\s-]*(?P<m1>{_MONTH})[\s,-]*(?P<y1>\d{{4}})\b"
    rf"|(?P<y2>\d{{4}}),\s*(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH})"
    rf"|(?P<m3>{_MONTH})\s*(?P<d3>\d{{1,2}}),\s*(?P<y3>\d{{4}})\b"
    r"|\b(?P<d4>\d{1,2})(?P<sep>[/.])(?P<m4>\d{1,2})(?P=sep)\s?(?P<y4>\d{4})\b"
    r"|\b(?P<m7>\d{1,2})/(?P<y7>\d{4})\b"
    rf"|(?P<m5>{_MONTH})\s*(?P<y5>\d{{4}})\b"
    r"|(?<![\d/])(?P<y6>\d{4})(?![\d/])",
    re.I,
)


def date_of_match(match: re.Match[str], min_year: int = 1000) -> str | None:
    """ISO value (precision kept) of a :data:`DATE_IN_TEXT` match; None if not a real date."""
    g = match.groupdict()
    for n in "1234567":
        year = g.get(f"y{n}")
        if year is None:
            continue
        month, day = g.get(f"m{n}"), g.get(f"d{n}")
        if month is None:
            text = year
        elif month.isdigit():
            text = f"{day}/{month}/{year}" if day else f"{month}/{year}"
        else:
            text = " ".join(p for p in (day, month.rstrip(".")[:3], year) if p)
        date = parse_date(text)
        if date is None or int(year) < min_year:
            return None
        return date.value
    return None


def add_latest_date(entity: Entity, prop: str, text: Any) -> None:
    """Keep the latest of the dates the rows of one listing give (``modifiedAt``).

    A date that cannot be read is kept as text and counted.
    """
    text = clean_text(text)
    if text is None:
        return
    date = parse_date(text, prop=prop)
    if date is None:
        not_understood(entity, prop, text)
        return
    latest = [d for d in entity.dates if d.prop == prop]
    if latest and latest[0].value >= date.value:
        return
    entity.dates = [d for d in entity.dates if d.prop != prop]
    entity.properties.pop(prop, None)
    entity.add_date(date)


def keep_country_codes(entity: Entity) -> Entity:
    """Move a country property's value that is not a code to notes, counted.

    Parsers code countries through :mod:`sanctions.countries`; a value none of them
    could code (kept as the file gave it by some parsers) must not sit in a country
    property, where matching and coverage compare codes: it is kept as text in the
    notes and counted like any value not understood.
    """
    for prop in COUNTRY_PROPERTIES & entity.properties.keys():
        values = entity.properties[prop]
        bad = [v for v in values if not is_country_code(v)]
        if not bad:
            continue
        entity.properties[prop] = [v for v in values if is_country_code(v)]
        if not entity.properties[prop]:
            del entity.properties[prop]
        for value in bad:
            not_understood(entity, prop, value)
    return entity
