"""Server-side sign-in sessions, opened with an API key.

An analyst signs in by pasting an API key (made with ``sanctions keys create``).
The key is checked like the API checks it; the browser then gets a random
session token in a cookie (``HttpOnly``, ``SameSite=Lax``, ``Secure`` over TLS).
The store keeps only the token's SHA-256, the key's id, the CSRF token of the
session's forms and an absolute expiry; the role is read from the key on every
request, so revoking a key signs its sessions out at once. Signing out deletes
the row.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, column, delete, insert, select, table

from sanctions.errors import ConfigError

from .tables import web_sessions

__all__ = ["COOKIE", "Session", "SessionStore", "session_minutes"]

COOKIE = "sanctions_session"
DEFAULT_MINUTES = 480  # one working day
# The API's keys (sanctions.api.tables), named here: the API mounts these pages.
api_keys = table("api_keys", column("id"), column("name"), column("role"), column("revoked_at"))


def session_minutes() -> int:
    """``SANCTIONS_WEB_SESSION_MINUTES`` (default 480): how long a sign-in lasts."""
    raw = os.environ.get("SANCTIONS_WEB_SESSION_MINUTES", "").strip()
    if not raw:
        return DEFAULT_MINUTES
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"SANCTIONS_WEB_SESSION_MINUTES={raw!r}: expected minutes >= 1")
    return int(raw)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Session:
    """A live session: who (the key, with its current role) and its CSRF token."""

    key_id: int
    name: str
    role: str
    csrf: str
    expires_at: str


class SessionStore:
    """Opens, finds and closes sessions in the store's ``web_sessions`` table."""

    def __init__(self, engine: Engine, minutes: int | None = None) -> None:
        self.engine = engine
        self.minutes = minutes or session_minutes()

    def open(self, key_id: int) -> str:
        """A new session for a checked key; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = _now()
        row = {
            "token_hash": _hash(token),
            "key_id": key_id,
            "csrf": secrets.token_urlsafe(32),
            "created_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + timedelta(minutes=self.minutes)).isoformat(timespec="seconds"),
        }
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.expires_at < row["created_at"]))
            conn.execute(insert(web_sessions).values(**row))
        return token

    def find(self, token: str | None) -> Session | None:
        """The live session of a cookie's token (None: unknown, expired or key revoked)."""
        if not token or len(token) > 200:
            return None
        query = (
            select(
                web_sessions.c.key_id,
                web_sessions.c.csrf,
                web_sessions.c.expires_at,
                api_keys.c.name,
                api_keys.c.role,
                api_keys.c.revoked_at,
            )
            .join(api_keys, api_keys.c.id == web_sessions.c.key_id)
            .where(web_sessions.c.token_hash == _hash(token))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at <= _now().isoformat(timespec="seconds"):
            return None
        return Session(row.key_id, row.name, row.role, row.csrf, row.expires_at)

    def close(self, token: str | None) -> None:
        """Sign out: the session's row is deleted."""
        if token:
            with self.engine.begin() as conn:
                conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _hash(token)))
