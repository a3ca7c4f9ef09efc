"""Reading messages: one file, a folder, a file of many MT messages, JSON lines; detected from content.

:func:`read_messages` yields, in order, a :class:`Payment` per message or a
:class:`PaymentError` for a message that cannot be parsed (the batch goes on).
A JSON lines stream holds one object per line, ``{"id": "...", "message": "<MT
or ISO 20022 text>"}`` (``id`` optional: the source becomes ``file:line``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from .iso import is_xml, parse_iso
from .model import Payment, PaymentError
from .mt import is_mt, parse_mt, split_mt

__all__ = ["MAX_FILE_BYTES", "decode", "parse_message", "read_messages", "read_text"]

MAX_FILE_BYTES = 50_000_000


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (BOM dropped); anything else is refused, naming the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PaymentError(
            f"not UTF-8 text (byte {exc.start + 1:,}: {data[exc.start : exc.start + 1]!r}; "
            "mixed or legacy encodings are refused)",
            source,
        ) from exc


def parse_message(text: str, source: str = "<message>") -> Payment:
    """One message (MT or ISO 20022), its kind detected from the content. A
    :class:`PaymentError` carries the fingerprint of the raw text (stable across runs)."""
    try:
        if is_mt(text):
            return parse_mt(text, source)
        if is_xml(text):
            return parse_iso(text, source)
        raise PaymentError("neither a SWIFT MT message ('{1:') nor ISO 20022 XML ('<')", source)
    except PaymentError as exc:
        exc.fingerprint = (
            exc.fingerprint or hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()
        )
        raise


def _json_lines(text: str, source: str) -> Iterator[Payment | PaymentError]:
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield PaymentError(f"not JSON: {exc.msg}", where)
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("message"), str):
            yield PaymentError('expected {"id": ..., "message": "<MT or XML text>"}', where)
            continue
        ident = obj.get("id")
        name = f"{where} ({ident})" if isinstance(ident, str) and ident else where
        try:
            yield parse_message(obj["message"], name)
        except PaymentError as exc:
            yield exc


def read_text(text: str, source: str) -> Iterator[Payment | PaymentError]:
    """Every message in one text: MT (one or many), one XML document, or JSON lines."""
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if head == "{" and not is_mt(text):
        yield from _json_lines(text, source)
        return
    if is_mt(text):
        for chunk, where in split_mt(text, source):
            try:
                yield parse_message(chunk, where)
            except PaymentError as exc:
                yield exc
        return
    try:
        yield parse_message(text, source)
    except PaymentError as exc:
        yield exc


def _read_file(path: Path) -> Iterator[Payment | PaymentError]:
    source = str(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        yield PaymentError(f"{size:,} bytes (limit {MAX_FILE_BYTES:,})", source)
        return
    try:
        text = decode(path.read_bytes(), source)
    except PaymentError as exc:
        yield exc
        return
    yield from read_text(text, source)


def read_messages(path: str | Path) -> Iterator[Payment | PaymentError]:
    """Messages of a file or of every file of a folder (sorted; hidden files skipped)."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(
                p.startswith(".") for p in child.relative_to(path).parts
            ):
                yield from _read_file(child)
        return
    yield from _read_file(path)
