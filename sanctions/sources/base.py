"""Safe reading helpers shared by the format parsers.

Every parser reads its file through these, so that the protections are the
same everywhere: size limit, transparent gzip/zip with path-traversal and
zip-bomb checks, XML without entity expansion or network access, streaming,
and errors that name the file and the place.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from lxml import etree

from sanctions.errors import EncodingError, FormatError, UnsafeInputError

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
]

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
        reader = csv.reader(lines, delimiter=delimiter)
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
