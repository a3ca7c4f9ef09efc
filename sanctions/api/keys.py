"""API keys: created, listed, revoked and looked up; only their SHA-256 is stored.

A key is ``sk_`` followed by 43 URL-safe random characters (256 bits). It is
shown once, when created; the store keeps its hash and a short prefix to tell
keys apart in listings. Roles:

* ``screen``: /match, /search, /entities, /catalog, /algorithms;
* ``analyst``: the read-only data routes (/search, /entities, /catalog, /algorithms);
* ``admin``: everything, including /updatez.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, or_, select, update

from sanctions import audit
from sanctions.errors import ConfigError

from .tables import api_keys

__all__ = ["ROLES", "ApiKey", "KeyStore", "hash_secret", "new_secret"]

ROLES = ("screen", "analyst", "admin")
KEY_PREFIX = "sk_"
DISPLAY_CHARS = 10


def new_secret() -> str:
    """A fresh random key (256 bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a key: hex SHA-256 of its text."""
    return hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ApiKey:
    """A key as stored (never its secret)."""

    id: int
    name: str
    prefix: str
    role: str
    rate_limit: float | None
    created_at: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "prefix": self.prefix,
            "role": self.role,
            "rate_limit": self.rate_limit,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        role=row.role,
        rate_limit=row.rate_limit,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class KeyStore:
    """The ``api_keys`` table of a store (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, name: str, role: str, rate_limit: float | None = None) -> tuple[ApiKey, str]:
        """A new key: (what is stored, the secret to hand over once)."""
        if role not in ROLES:
            raise ConfigError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        if rate_limit is not None and rate_limit < 0:
            raise ConfigError("a rate limit is a number of requests per second, >= 0")
        secret = new_secret()
        key = ApiKey(
            id=0,
            name=name.strip() or "unnamed",
            prefix=secret[:DISPLAY_CHARS],
            role=role,
            rate_limit=rate_limit,
            created_at=_now(),
        )
        values = {**key.to_dict(), "key_hash": hash_secret(secret)}
        del values["id"], values["revoked_at"]
        with self.engine.begin() as conn:
            inserted = conn.execute(insert(api_keys).values(**values)).inserted_primary_key
            assert inserted is not None
            key = replace(key, id=int(inserted[0]))
            details = {
                "name": key.name,
                "role": key.role,
                "prefix": key.prefix,
                "rate_limit": rate_limit,
            }
            audit.append(conn, audit.current_actor(), "key.created", f"api-key:{key.id}", details)
        return key, secret

    def list(self, include_revoked: bool = True) -> list[ApiKey]:
        query = select(api_keys).order_by(api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            return [_key(r) for r in conn.execute(query)]

    def revoke(self, ref: str) -> ApiKey:
        """Revoke a key given by its id, its display prefix or its secret."""
        text = ref.strip()
        match = [api_keys.c.prefix == text, api_keys.c.key_hash == hash_secret(text)]
        if text.isdigit():
            match.append(api_keys.c.id == int(text))
        with self.engine.begin() as conn:
            rows = conn.execute(select(api_keys).where(or_(*match))).all()
            if len(rows) != 1:
                found = "no key" if not rows else f"{len(rows)} keys"
                raise ConfigError(f"{found} matching {text!r} (see `sanctions keys list`)")
            row = rows[0]
            if row.revoked_at is None:
                conn.execute(
                    update(api_keys).where(api_keys.c.id == row.id).values(revoked_at=_now())
                )
                details = {"name": row.name, "role": row.role, "prefix": row.prefix}
                audit.append(
                    conn, audit.current_actor(), "key.revoked", f"api-key:{row.id}", details
                )
            row = conn.execute(select(api_keys).where(api_keys.c.id == row.id)).one()
        return _key(row)

    def lookup(self, secret: str) -> ApiKey | None:
        """The active key with this secret, or None (unknown or revoked)."""
        digest = hash_secret(secret)
        with self.engine.connect() as conn:
            row = conn.execute(select(api_keys).where(api_keys.c.key_hash == digest)).first()
        if row is None or row.revoked_at is not None:
            return None
        # The look-up was by hash; compare again in constant time all the same.
        if not hmac.compare_digest(row.key_hash, digest):
            return None
        return _key(row)
