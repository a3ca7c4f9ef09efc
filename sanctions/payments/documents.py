"""Documents to screen for listed names: plain text, HTML, PDF (text layer).

:func:`document_text` turns the bytes of an article, a contract or an invoice into
text: HTML by lxml's HTML parser (scripts and styles dropped; no network, no
entities fetched), PDF by ``pypdf`` (the optional extra ``sanctions[documents]``),
anything else as UTF-8 text. A file that cannot be read raises
:class:`~sanctions.payments.PaymentError` naming it.
"""

from __future__ import annotations

import io

from lxml import etree, html

from .batch import decode
from .model import PaymentError

__all__ = ["MAX_DOCUMENT_BYTES", "document_text"]

MAX_DOCUMENT_BYTES = 20_000_000
MAX_TEXT_CHARS = 2_000_000


def _html_text(data: bytes, source: str) -> str:
    parser = html.HTMLParser(no_network=True, remove_comments=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise PaymentError(f"HTML cannot be read: {exc}", source) from exc
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return "\n".join(part.strip() for part in root.itertext() if part.strip())


def _pdf_text(data: bytes, source: str) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ModuleNotFoundError as exc:
        raise PaymentError(
            "reading PDF needs pypdf: pip install 'sanctions[documents]'", source
        ) from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError) as exc:
        raise PaymentError(f"PDF cannot be read: {exc}", source) from exc


def document_text(data: bytes, source: str = "<document>") -> str:
    """The text of a document, its kind detected from the content."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise PaymentError(f"{len(data):,} bytes (limit {MAX_DOCUMENT_BYTES:,})", source)
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        text = _pdf_text(data, source)
    elif head.startswith((b"<!doctype html", b"<html")) or b"<body" in head:
        text = _html_text(data, source)
    else:
        text = decode(data, source)
    if len(text) > MAX_TEXT_CHARS:
        raise PaymentError(f"{len(text):,} characters of text (limit {MAX_TEXT_CHARS:,})", source)
    return text
