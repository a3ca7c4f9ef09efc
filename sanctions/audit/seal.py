"""HMACs of the audit log with a key kept outside the database, and exported heads.

The hash chain alone shows edits made by someone who cannot recompute every
later hash. Someone with write access to the database can do exactly that, or
cut entries off the end and rewrite the head row. Two anchors outside the
database close that gap:

* **a key** (``SANCTIONS_AUDIT_KEY``, or a file named by
  ``SANCTIONS_AUDIT_KEY_FILE``): every entry then carries
  ``HMAC-SHA256(key, "entry" + hash)`` and the head row
  ``HMAC-SHA256(key, "head" + last id + last hash)``. Without the key nobody
  can make a valid MAC, so recomputed hashes and a rewritten head are detected.
  Because each hash covers the previous one, a valid MAC on an entry vouches
  for every entry before it too (entries written before the key was set).
* **an exported head** (``sanctions audit head``: ``ID:HASH``) kept elsewhere
  (a ticket, an e-mail, a WORM bucket): ``audit verify --expect ID:HASH``
  checks that the log still holds that entry with that hash.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sanctions.errors import ConfigError

__all__ = ["MIN_KEY_BYTES", "Head", "audit_key", "entry_mac", "head_mac", "parse_head"]

MIN_KEY_BYTES = 16
KEY_ENV = "SANCTIONS_AUDIT_KEY"
KEY_FILE_ENV = "SANCTIONS_AUDIT_KEY_FILE"


def audit_key() -> bytes | None:
    """The audit key from the environment (or its key file), or None when none is set."""
    value = os.environ.get(KEY_ENV, "").strip()
    source = KEY_ENV
    key = value.encode("utf-8") if value else None
    file_name = os.environ.get(KEY_FILE_ENV, "").strip()
    if key is None and file_name:
        source = f"{KEY_FILE_ENV} ({file_name})"
        try:
            key = Path(file_name).expanduser().read_bytes().strip()
        except OSError as exc:
            raise ConfigError(f"{source}: cannot read the audit key file: {exc}") from exc
    if key is None:
        return None
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(f"{source}: the audit key must have at least {MIN_KEY_BYTES} bytes")
    return key


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def entry_mac(key: bytes, entry_hash: str) -> str:
    """The MAC of one entry (over its hash, which covers every earlier entry)."""
    return _mac(key, f"entry\n{entry_hash}")


def head_mac(key: bytes, last_id: int, last_hash: str) -> str:
    """The MAC of the head row (distinct from any entry's MAC, so one cannot stand for the other)."""
    return _mac(key, f"head\n{last_id}\n{last_hash}")


def macs_equal(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a, b)


@dataclass(frozen=True)
class Head:
    """The last entry of the log, as exported and kept outside the database."""

    last_id: int
    last_hash: str

    def __str__(self) -> str:
        return f"{self.last_id}:{self.last_hash}"


HEAD_RE = re.compile(r"^(?:(\d+):)?([0-9a-f]{64})$")


def parse_head(text: str) -> tuple[int | None, str]:
    """``ID:HASH`` or ``HASH`` (an exported head) -> (id or None, hash)."""
    match = HEAD_RE.match(text.strip().lower())
    if match is None:
        raise ConfigError(
            f"--expect {text!r}: expected ID:HASH as printed by `sanctions audit head` "
            "(or the 64-hex-digit hash alone)"
        )
    return (int(match.group(1)) if match.group(1) else None), match.group(2)
