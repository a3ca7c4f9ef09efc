"""``sanctions keys create|list|revoke`` and ``sanctions serve`` options."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from sanctions.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_keys_create_prints_the_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    from sanctions.api import KeyStore
    from sanctions.api.keys import hash_secret
    from sanctions.api.tables import api_keys
    from sanctions.store import Store

    db = str(tmp_path / "k.db")
    code, out = run("--db", db, "keys", "create", "--name", "payments", "--role", "screen")
    assert code == 0
    secret = out.strip().splitlines()[0]
    assert secret.startswith("sk_") and len(secret) > 40
    store = Store.open(db)
    with store.engine.connect() as conn:
        stored = [tuple(r) for r in conn.execute(api_keys.select())]
    assert secret not in repr(stored) and hash_secret(secret) in repr(stored)
    assert KeyStore(store.engine).lookup(secret).role == "screen"  # type: ignore[union-attr]
    store.close()
    code, listing = run("keys", "list", "--db", db, "--json")
    assert code == 0 and secret not in listing
    assert json.loads(listing)[0]["name"] == "payments"


def test_keys_revoke_by_id_prefix_or_key(tmp_path: Path) -> None:
    from sanctions.api import KeyStore
    from sanctions.store import Store

    db = str(tmp_path / "k.db")
    secrets = [run("--db", db, "keys", "create", "--name", f"k{i}")[1].split()[0] for i in range(3)]
    assert run("--db", db, "keys", "revoke", "1")[0] == 0
    assert run("--db", db, "keys", "revoke", secrets[1][:10])[0] == 0
    assert run("--db", db, "keys", "revoke", secrets[2])[0] == 0
    code, out = run("--db", db, "keys", "revoke", "nope")
    assert code == 2 and "no key matching" in out
    store = Store.open(db)
    ks = KeyStore(store.engine)
    assert all(ks.lookup(s) is None for s in secrets)
    assert ks.list(include_revoked=False) == []
    store.close()


def test_keys_create_refuses_unknown_roles(tmp_path: Path) -> None:
    code, out = run(
        "--db", str(tmp_path / "k.db"), "keys", "create", "--name", "x", "--role", "root"
    )
    assert code == 2 and "root" in out


def test_serve_refuses_open_localhost_on_a_public_address(tmp_path: Path) -> None:
    code, out = run(
        "--db", str(tmp_path / "k.db"), "serve", "--host", "0.0.0.0", "--open-localhost"
    )
    assert code == 2 and "loopback" in out


def test_serve_is_documented() -> None:
    code, out = run("serve", "--help")
    assert code == 0
    for option in ("--host", "--port", "--workers", "--open-localhost", "--keep-alive"):
        assert option in out


def test_key_creation_and_revocation_are_in_the_audit_trail(tmp_path: Path) -> None:
    from sanctions import audit
    from sanctions.store import Store

    db = str(tmp_path / "k.db")
    code, out = run("--db", db, "keys", "create", "--name", "ops", "--role", "admin")
    assert code == 0
    secret = out.strip().splitlines()[0]
    assert run("--db", db, "keys", "revoke", "1")[0] == 0
    store = Store.open(db)
    entries = list(audit.iter_entries(store.engine))
    assert [(e.action, e.subject) for e in entries] == [
        ("key.created", "api-key:1"),
        ("key.revoked", "api-key:1"),
    ]
    assert json.loads(entries[0].details)["role"] == "admin"
    assert all(secret not in e.details for e in entries)  # never the secret itself
    assert audit.verify(store.engine).ok
    store.close()


def test_serve_gives_workers_time_to_build_rigours_taggers(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """uvicorn's default (5 s) killed workers that hold the GIL while rigour builds its
    taggers, again and again; serve passes a deadline that covers the build."""
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports its settings
    code, _ = run("--db", str(tmp_path / "s.db"), "serve", "--port", "0", "--workers", "2")
    assert code == 0 and seen["workers"] == 2
    assert seen["timeout_worker_healthcheck"] >= 60
