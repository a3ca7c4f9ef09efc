"""Fixtures of the web page tests: a store with the shipped samples (OFAC in two
versions, the second loaded today), a hand-written hostile list (names holding
markup), clusters resolved across lists, watched customers with alerts, keys of
every role, an in-process client and a real ``sanctions serve`` subprocess."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import make_client, make_sample_store, start_server, stop_server, wait_ready

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "web"
CUSTOMERS = {
    "c-putin": ("Vladimir Putin", "Person"),
    "c-petrovsky": ("Ivan Petrovsky", "Person"),
    "c-nobody": ("Maria Quietly-Ordinary", "Person"),
}


@pytest.fixture(scope="session")
def web_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sanctions.coordination import Resolver
    from sanctions.store import Store
    from sanctions.watch import Watch

    path = make_sample_store(tmp_path_factory.mktemp("web-template") / "lists.db")
    store = Store.open(path)
    store.load(FIXTURES / "hostile.jsonl", dataset="web_fixture")
    Resolver(store).run()
    watch = Watch(store, actor="test-setup")
    for record_id, (name, schema) in CUSTOMERS.items():
        watch.add(record_id, {"name": [name]}, schema)
    watch.rescreen(full=True)
    store.close()
    return path


@pytest.fixture(scope="session")
def web_keys(web_db_template: Path) -> dict[str, str]:
    from sanctions.api import ROLES, KeyStore
    from sanctions.store import Store

    store = Store.open(web_db_template)
    ks = KeyStore(store.engine)
    keys = {role: ks.create(f"web-{role}", role, rate_limit=0)[1] for role in ROLES}
    store.close()
    return keys


@pytest.fixture
def web_db(web_db_template: Path, web_keys: dict[str, str], tmp_path: Path) -> Path:
    """A private copy of the web store (tests decide alerts and add sessions)."""
    dest = tmp_path / "lists.db"
    shutil.copy(web_db_template, dest)
    return dest


@pytest.fixture
def web_client(web_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("SANCTIONS_WEB_JOBS_DIR", str(tmp_path / "jobs"))
    with make_client(web_db) as client:
        wait_ready(client.get)
        yield client


def login_token(html: str) -> str:
    found = re.search(r'name="login_csrf" value="([^"]+)"', html)
    assert found, "the sign-in form has no CSRF token"
    return found.group(1)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: Any, key: str, target: str = "/ui/lists") -> Any:
    """Sign in through the form; returns the response of the redirect."""
    form = client.get(f"/ui/login?next={target}")
    data = {"login_csrf": login_token(form.text), "api_key": key, "next": target}
    return client.post("/ui/login", data=data, follow_redirects=False)


@pytest.fixture(scope="module")
def web_server(
    web_db_template: Path, web_keys: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real ``sanctions serve`` over a copy of the web store; yields its base URL."""
    root = tmp_path_factory.mktemp("web-server")
    db = root / "lists.db"
    shutil.copy(web_db_template, db)
    env = {
        "SANCTIONS_INDEX_CACHE": str(root / "cache"),
        "SANCTIONS_WEB_JOBS_DIR": str(root / "jobs"),
    }
    proc, base = start_server(db, env=env)
    yield base
    stop_server(proc)
