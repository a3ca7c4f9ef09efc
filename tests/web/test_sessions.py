"""Sign-in sessions on SQLite and PostgreSQL: only the token's hash is stored, the role
is the key's at each request, expiry and sign-out end a session."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from sanctions.api import KeyStore
from sanctions.store import Store
from sanctions.web.sessions import SessionStore
from sanctions.web.tables import web_sessions
from tests.store.test_store import postgres_url


def _check_sessions(store: Store) -> None:
    keys = KeyStore(store.engine)
    key, _secret = keys.create("session-test", "analyst")
    sessions = SessionStore(store.engine, minutes=5)
    token = sessions.open(key.id)
    found = sessions.find(token)
    assert found is not None and (found.role, found.name) == ("analyst", "session-test")
    assert sessions.find(token + "x") is None and sessions.find("") is None
    with store.engine.connect() as conn:
        hashes = [r.token_hash for r in conn.execute(select(web_sessions))]
    assert token not in hashes and all(len(h) == 64 for h in hashes)
    with store.engine.begin() as conn:
        conn.execute(update(web_sessions).values(expires_at="2000-01-01T00:00:00+00:00"))
    assert sessions.find(token) is None  # expired
    second = sessions.open(key.id)  # opening a session clears the expired ones
    with store.engine.connect() as conn:
        assert len(conn.execute(select(web_sessions)).all()) == 1
    assert sessions.find(second) is not None
    keys.revoke(str(key.id))
    assert sessions.find(second) is None  # a revoked key's sessions end at once
    sessions.close(second)
    with store.engine.connect() as conn:
        assert conn.execute(select(web_sessions)).all() == []


def test_sessions_on_sqlite(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    _check_sessions(store)
    store.close()


@pytest.mark.postgres
def test_sessions_on_postgresql() -> None:
    store = Store.open(postgres_url())
    assert store.engine.dialect.name == "postgresql"
    with store.engine.begin() as conn:
        conn.execute(web_sessions.delete())
    _check_sessions(store)
    store.close()
