"""Secrets never leave in messages, logs, reports, ``state.json`` or the audit log.

A mirror URL may carry credentials (``https://user:password@mirror/lists``, or a
token in the query: ``?token=...``, ``&X-Amz-Signature=...``); a store URL carries
the PostgreSQL password (``postgresql://app:secret@db/sanctions``).
:func:`redact_url` gives the form to show and record; :func:`redact_text`
removes the secrets of given URLs from any text (an exception message, say).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

__all__ = ["MASK", "RedactingFilter", "redact_url", "redact_text", "redact_urls", "url_secrets"]

MASK = "***"

# Query parameter names that carry credentials (matched anywhere in the name).
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>]+")
_SECRET_PARAM = re.compile(
    r"token|key|secret|passw|pwd|auth|sig|credential|session|access|code", re.IGNORECASE
)


def url_secrets(url: str) -> list[str]:
    """The secret parts of a URL (password, user-as-token, secret query values)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if parts.password:
        found.append(parts.password)
    elif parts.username:  # a bare user part is often a token (https://TOKEN@host/)
        found.append(parts.username)
    found += [v for k, v in parse_qsl(parts.query, keep_blank_values=True) if _secret(k, v)]
    return [s for s in found if s]


def _secret(name: str, value: str) -> bool:
    return bool(value) and bool(_SECRET_PARAM.search(name))


def redact_url(url: str) -> str:
    """``url`` with its password (or bare user token) and secret query values as ``***``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return MASK if "@" in url else url
    if not parts.scheme or host is None and "@" not in parts.netloc:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, _password = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{hostport}" if sep else f"{MASK}@{hostport}"
    query = parts.query
    if query:
        pairs = query.split("&")
        query = "&".join(_redact_pair(pair) for pair in pairs)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    if sep and _secret(unquote(name), unquote(value)):
        return f"{name}={MASK}"
    return pair


def redact_text(text: str, *urls: str) -> str:
    """``text`` with each URL shown redacted and every secret of these URLs masked."""
    for url in urls:
        if not url:
            continue
        redacted = redact_url(url)
        if redacted != url:
            text = text.replace(url, redacted)
        for secret in sorted(url_secrets(url), key=len, reverse=True):
            for form in {secret, quote(secret, safe="")}:
                if len(form) >= 3:  # never mask tiny strings all over a message
                    text = text.replace(form, MASK)
    return text


def redact_urls(text: str) -> str:
    """``text`` with every URL in it redacted (for text we did not write, e.g. a library's)."""
    return _URL.sub(lambda m: redact_url(m.group()), text)


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the URLs in a record's message (e.g. httpx's request log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_urls(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
