"""Reading customer files (CSV or Parquet) right, or saying why not.

One reader for ``screen --file`` and ``watch import``:

* **encoding**: UTF-8 (with or without a BOM) by default; a file that is not
  valid UTF-8 is read as cp1252 (Windows Western) *with a warning* naming the
  first line that is not UTF-8; ``encoding=`` forces one.
* **delimiter**: sniffed from the header line among ``, ; TAB |`` (the one that
  splits it into most columns), or given.
* **rows**: a row with more or fewer fields than the header is a bad row with
  its line number (the reader marks it; :meth:`ColumnMap.query` reports it), as
  is a value that swallowed a newline (a quote left open).
* **values** (:func:`check_row_values`): dates must be dates, and ``NN/NN/YYYY``
  where both numbers could be a month is refused unless a date format says which
  (``DD/MM/YYYY``, ``MM/DD/YYYY`` or a ``strptime`` pattern); countries must be
  countries. A cell that says "no value" (``n/a``, ``-``, ``unknown``...) is empty. A bad value makes the row a bad row naming the line and column;
  nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, cast

from sanctions.countries import value_country_codes
from sanctions.errors import SanctionsError
from sanctions.matching import COUNTRY_PROPS
from sanctions.model import parse_date

from .query import DATE_PROPS

__all__ = [
    "DELIMITERS",
    "ROW_PROBLEM",
    "ReadOptions",
    "Table",
    "check_arrow_types",
    "check_column_types",
    "check_row_values",
    "date_pattern",
    "normalise_date",
    "open_stream",
    "open_table",
]

DELIMITERS = (",", ";", "\t", "|")
ROW_PROBLEM = "\x00problem"  # key of a row the reader found broken (wrong field count)
FALLBACK_ENCODING = "cp1252"
_BLOCK = 1 << 20
_MAX_HEADER = 65536  # characters of the header line (it is read whole, to sniff the delimiter)
PARQUET_SUFFIXES = (".parquet", ".pq")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})")
_ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# Cells that say "no value": treated as empty in date and country columns, not as errors.
NO_VALUE = frozenset({"-", "--", "?", "n/a", "na", "none", "null", "unknown", "not known"})


@dataclass
class ReadOptions:
    """How to read a customer file; ``None`` means: find out (and say what was found)."""

    delimiter: str | None = None
    encoding: str | None = None
    date_format: str | None = None  # DD/MM/YYYY, MM/DD/YYYY, YYYY-MM-DD or a strptime pattern


@dataclass
class Table:
    """An opened customer file: its header, how it was read, and its rows (streamed)."""

    path: Path
    header: list[str]
    rows: Iterator[tuple[int, dict[str, Any]]]
    delimiter: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    types: dict[str, Any] | None = None  # Parquet: column -> Arrow type

    def describe(self) -> str:
        if self.delimiter is None:
            return f"{self.path.name}: Parquet, {len(self.header)} columns"
        shown = {"\t": "TAB"}.get(self.delimiter, self.delimiter)
        return f"{self.path.name}: {self.encoding}, delimiter {shown!r}, {len(self.header)} columns"


def open_table(path: Path, options: ReadOptions | None = None) -> Table:
    """Open a CSV or Parquet customer file (see the module docstring for the rules)."""
    path = Path(path)
    handle = open(path, "rb")  # noqa: SIM115 - closed by the rows iterator (or below)
    try:
        table = open_stream(handle, path.name, options)
    except BaseException:
        handle.close()
        raise
    table.path = path
    return table


def open_stream(
    stream: IO[bytes] | IO[str], name: str, options: ReadOptions | None = None
) -> Table:
    """Open a customer table from a stream (an upload, an open file), read as
    :func:`open_table` reads a file; ``name`` names it in messages, and its suffix
    (``.parquet``, ``.pq``) says Parquet. A text stream is already decoded: no encoding
    is detected. A binary stream that cannot seek is read into memory first (the
    encoding check reads it all). The rows iterator closes the stream at its end."""
    options = options or ReadOptions()
    if Path(name).suffix.lower() in PARQUET_SUFFIXES:
        if isinstance(stream, io.TextIOBase):
            raise TypeError(f"{name}: Parquet is read from a binary stream, not text")
        header, rows, types = _read_parquet(cast(IO[bytes], stream), name)
        return Table(Path(name), header, rows, types=types)
    warnings: list[str] = []
    if isinstance(stream, io.TextIOBase):
        text: IO[str] = stream
        encoding = options.encoding or getattr(stream, "encoding", None) or "utf-8"
    else:
        raw = cast(IO[bytes], stream)
        binary = raw if raw.seekable() else io.BytesIO(raw.read())
        encoding = options.encoding or _detect_encoding(binary, name, warnings)
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise SanctionsError(f"{name}: unknown encoding {encoding!r}") from exc
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            encoding = "utf-8-sig"  # a BOM is not part of the first column's name
        text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        first = text.readline(_MAX_HEADER).removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise SanctionsError(f"{name}: line 1: not {encoding} text ({exc.reason})") from exc
    if len(first) >= _MAX_HEADER and not first.endswith(("\n", "\r")):
        raise SanctionsError(f"{name}: line 1: a header longer than {_MAX_HEADER:,} characters")
    delimiter = options.delimiter or _sniff_delimiter(first)
    if len(delimiter) != 1:
        raise SanctionsError(f"{name}: the delimiter must be one character, not {delimiter!r}")
    header, rows = _read_csv(text, first, name, encoding, delimiter)
    return Table(Path(name), header, rows, delimiter, encoding, warnings)


def _detect_encoding(binary: IO[bytes], name: str, warnings: list[str]) -> str:
    """UTF-8 if the whole stream decodes as UTF-8; else cp1252, with a warning naming the
    line. The stream is read to its end and put back where it was."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    start = binary.tell()
    try:
        for block in iter(lambda: binary.read(_BLOCK), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line += block[: exc.start].count(b"\n")
                warnings.append(
                    f"{name}: not UTF-8 (line {line} is the first that is not): read as "
                    f"{FALLBACK_ENCODING} (Windows Western); give --encoding if it is another one"
                )
                return FALLBACK_ENCODING
            line += block.count(b"\n")
        return "utf-8"
    finally:
        binary.seek(start)


def _sniff_delimiter(first: str) -> str:
    """The candidate delimiter that splits the header line into most columns (``,`` on a tie)."""
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 1 else ","


def _read_csv(
    handle: IO[str], first: str, name: str, encoding: str, delimiter: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header and rows of CSV text whose first line (``first``) was already read."""
    reader = csv.reader(itertools.chain([first], handle), delimiter=delimiter, strict=True)
    try:
        header = next(reader, [])
    except (UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        raise SanctionsError(f"{name}: cannot read the header: {exc}") from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with handle:
            start = reader.line_num + 1
            try:
                for fields in reader:
                    if fields:  # blank lines are not rows
                        yield start, _row(header, fields, start, reader.line_num)
                    start = reader.line_num + 1
            except csv.Error as exc:  # a quote left open to the end, text after a quote...
                raise SanctionsError(
                    f"{name}: line {start}: bad CSV quoting ({exc}): fix the quotes "
                    "from this line on (a quote left open swallows the rows that follow)"
                ) from exc
            except UnicodeDecodeError as exc:
                raise SanctionsError(
                    f"{name}: near line {start}: not {encoding} text ({exc.reason}): "
                    "give --encoding"
                ) from exc

    return header, rows()


def _row(header: list[str], fields: list[str], start: int, end: int) -> dict[str, Any]:
    row: dict[str, Any] = dict(zip(header, fields, strict=False))
    if len(fields) != len(header):
        lines = f"lines {start}-{end}" if end > start else f"line {start}"
        row[ROW_PROBLEM] = (
            f"{len(fields)} fields on {lines} but the header has {len(header)}: a stray "
            "delimiter or quote? (the row is not screened)"
        )
    return row


def _read_parquet(
    source: IO[bytes], name: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]], dict[str, Any]]:
    """The header, the rows (streamed in record batches: constant memory) and the column
    types of a Parquet file."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise SanctionsError("Parquet needs pyarrow: pip install 'sanctions[parquet]'") from exc
    try:
        parquet = pq.ParquetFile(source)
        schema = parquet.schema_arrow
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types; translate them
        raise SanctionsError(f"{name}: not a readable Parquet file: {exc}") from exc

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 0
        batches = parquet.iter_batches(batch_size=10_000)
        with source:
            while True:
                try:
                    batch = next(batches, None)
                except Exception as exc:  # noqa: BLE001 - a corrupt page: say where, stop
                    raise SanctionsError(
                        f"{name}: row {number + 1} on: not readable Parquet data: {exc}"
                    ) from exc
                if batch is None:
                    return
                for row in batch.to_pylist():
                    number += 1
                    yield number, row

    types = {column: schema.field(column).type for column in schema.names}
    return list(schema.names), rows(), types


def check_column_types(table: Table, columns: Any) -> None:
    """A Parquet file whose mapped columns have types a query cannot come from is refused
    before screening, naming every such column (CSV columns are text: nothing to check).

    Text is accepted everywhere; dates also as Parquet dates or timestamps; identifiers,
    the id and the year of a date also as integers. Floats (which lose the digits of an
    identifier), binary, lists and structs are refused.
    """
    if table.types:
        check_arrow_types(table.path.name, table.types, columns)


def check_arrow_types(name: str, types: Mapping[str, Any], columns: Any) -> None:
    """:func:`check_column_types` on Arrow types (a Parquet file's, a Spark DataFrame's)."""
    import pyarrow.types as pt

    def allowed(prop: str, kind: Any) -> bool:
        if pt.is_dictionary(kind):
            kind = kind.value_type
        if pt.is_string(kind) or pt.is_large_string(kind) or pt.is_null(kind):
            return True
        if prop in DATE_PROPS and (pt.is_date(kind) or pt.is_timestamp(kind)):
            return True
        return pt.is_integer(kind) and prop not in TEXT_ONLY

    wanted = [(prop, column) for prop, column in columns.props.items()]
    wanted += [("(id)", columns.id_column), ("(schema)", columns.schema_column)]
    problems = [
        f"column {column!r} ({prop}) is {types[column]}"
        for prop, column in wanted
        if column and column in types and not allowed(prop, types[column])
    ]
    if problems:
        raise SanctionsError(
            f"{name}: wrong column types: {'; '.join(problems)} (names and "
            "schemata must be strings; dates strings, dates or timestamps; identifiers strings "
            "or integers)"
        )


# Query properties that only text can hold (an integer there is a wrong column).
TEXT_ONLY = frozenset(
    {"(schema)", "name", "alias", "firstName", "middleName", "lastName", "fatherName", "gender"}
    | {"nationality", "country", "citizenship", "address", "birthPlace"}
)


# -- values ---------------------------------------------------------------------------------

_PATTERNS = {"DD": "%d", "MM": "%m", "YYYY": "%Y"}


def date_pattern(date_format: str) -> str:
    """A ``strptime`` pattern from ``DD/MM/YYYY``-style text (or a pattern given as is)."""
    if "%" in date_format:
        return date_format
    pattern = date_format.upper()
    for token, code in _PATTERNS.items():
        pattern = pattern.replace(token, code)
    if not {"%d", "%m", "%Y"} <= set(re.findall(r"%[dmY]", pattern)):
        raise SanctionsError(
            f"--date-format {date_format!r}: expected DD, MM and YYYY (e.g. DD/MM/YYYY) "
            "or a strptime pattern such as %d.%m.%Y"
        )
    return pattern


def normalise_date(value: str, date_format: str | None = None) -> str:
    """A date value as the query parser reads it without guessing; ValueError says why not.

    ``10/07/1952`` is refused without ``date_format`` (10 July or October 7?);
    ``25/07/1952`` and ``07/25/1952`` are read the only way they can be.
    """
    text = value.strip()
    if _ISO_DATE.fullmatch(text[:10]) and (len(text) <= 10 or text[10] in " T"):
        text = text[:10]  # ISO dates, and date-times from spreadsheets or Parquet
    if date_format and not _ISO_DATE.fullmatch(text):
        try:
            return datetime.strptime(text, date_pattern(date_format)).date().isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not a date in the format {date_format}") from None
    m = _NUMERIC_DATE.fullmatch(text)
    if m:
        first, second = int(m[1]), int(m[3])
        if first <= 12 and second <= 12 and first != second:
            raise ValueError(
                f"{value!r} is ambiguous ({first} {_month(second)} or {_month(first)} "
                f"{second}?): give --date-format DD/MM/YYYY or MM/DD/YYYY"
            )
        parsed = parse_date(text, dayfirst=second <= 12)
    else:
        parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"{value!r} is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)")
    return text if not m else parsed.value


def _month(number: int) -> str:
    return datetime(2000, number, 1).strftime("%B")


def check_row_values(
    props: Mapping[str, list[str]], columns: Mapping[str, str], date_format: str | None
) -> dict[str, list[str]]:
    """The row's values with dates made unambiguous; ValueError names the column and value."""
    out: dict[str, list[str]] = {}
    for prop, values in props.items():
        column = columns.get(prop, prop)
        checked = []
        for value in values:
            checks = prop in DATE_PROPS or prop in COUNTRY_PROPS
            if checks and value.strip().lower() in NO_VALUE:
                continue
            try:
                if prop in DATE_PROPS:
                    value = normalise_date(value, date_format)
                elif prop in COUNTRY_PROPS and not _is_country(value):
                    raise ValueError(f"{value!r} is not a country we know (name or ISO code)")
            except ValueError as exc:
                raise ValueError(f"column {column!r} ({prop}): {exc}") from None
            checked.append(value)
        if checked:
            out[prop] = checked
    return out


def _is_country(value: str) -> bool:
    """A country name, demonym or ISO code (alpha-3 codes in any case: ``gbr``)."""
    return bool(value_country_codes(value))
