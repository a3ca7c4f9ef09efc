"""Fixtures of the HTTP API tests: a sample store, keys of every role, an in-process
client, and a real ``sanctions serve`` subprocess on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():  # starlette announces a future move to httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
SANCTIONS = str(Path(sys.executable).parent / "sanctions")  # the installed console script


@pytest.fixture(scope="session")
def index_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index-cache")


@pytest.fixture(scope="module", autouse=True)
def index_cache(index_cache_dir: Path) -> Iterator[Path]:
    """A private on-disk index cache while this package's tests run (never the user's);
    restored after each module so that other packages' tests are not affected."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SANCTIONS_INDEX_CACHE", str(index_cache_dir))
        yield index_cache_dir


def make_sample_store(path: Path) -> Path:
    """A store with every shipped sample list loaded (OFAC in two versions)."""
    from sanctions.demo import load_samples
    from sanctions.store import Store

    store = Store.open(path)
    for _ in load_samples(store):
        pass
    store.close()
    return path


@pytest.fixture(scope="session")
def sample_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_sample_store(tmp_path_factory.mktemp("samples") / "lists.db")


@pytest.fixture(scope="session")
def sample_db(sample_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The read-mostly sample store shared by the session (tests only add keys)."""
    dest = tmp_path_factory.mktemp("api-store") / "lists.db"
    shutil.copy(sample_db_template, dest)
    return dest


@pytest.fixture
def fresh_db(sample_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store, for tests that load new versions."""
    dest = tmp_path / "lists.db"
    shutil.copy(sample_db_template, dest)
    return dest


@pytest.fixture(scope="session")
def keys(sample_db: Path) -> dict[str, str]:
    """A key of each role, plus a revoked one and a slow one (1 request/s)."""
    from sanctions.api import KeyStore
    from sanctions.store import Store

    store = Store.open(sample_db)
    ks = KeyStore(store.engine)
    out = {role: ks.create(f"test-{role}", role, rate_limit=0)[1] for role in ks_roles()}
    revoked_key, out["revoked"] = ks.create("test-revoked", "admin")
    ks.revoke(str(revoked_key.id))
    out["slow"] = ks.create("test-slow", "screen", rate_limit=1)[1]
    store.close()
    return out


def ks_roles() -> tuple[str, ...]:
    from sanctions.api import ROLES

    return ROLES


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


def wait_ready(get: Any, timeout: float = 600.0) -> None:
    # A deadline, not a sleep: each worker loads the index and warms the name tables at
    # start-up (a few seconds of CPU, more when the symbol table is first built), which a
    # loaded 2-core machine can stretch many times.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError("the API did not become ready")


def make_client(db: Path, **settings: Any) -> TestClient:
    from sanctions.api import ApiSettings, create_app

    # many tests send bad keys on purpose: the failed-authentication limit has its own tests
    options = {"db": str(db), "key_cache_seconds": 0.0, "poll_seconds": 0.2}
    options.update(auth_failures_per_minute=0.0)
    options.update(settings)
    return TestClient(create_app(ApiSettings(**options)))


@pytest.fixture(scope="module")
def client(sample_db: Path, keys: dict[str, str]) -> Iterator[TestClient]:
    """An in-process client (lifespan run: the watcher builds the index)."""
    with make_client(sample_db) as test_client:
        wait_ready(test_client.get)
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Any, str]:
    """``sanctions serve`` as a subprocess on a free loopback port; (process, base URL)."""
    port = free_port()
    full_env = {
        **os.environ,
        "SANCTIONS_API_KEY_CACHE_SECONDS": "0",
        "SANCTIONS_API_POLL_SECONDS": "0.5",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [SANCTIONS, "--db", str(db), "serve", "--port", str(port), *args],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(lambda path: httpx.get(base + path, timeout=2.0))
    except AssertionError:
        proc.kill()
        try:
            output = proc.communicate(timeout=10)[1].decode()[-2000:]
        except subprocess.TimeoutExpired:  # its workers may still hold the pipe
            output = "(no output: the server's workers still hold its stderr)"
        raise AssertionError(f"the API did not become ready: {output}") from None
    return proc, base


def stop_server(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
    if proc.stderr is not None:
        proc.stderr.close()


@pytest.fixture(scope="session")
def server(sample_db: Path, keys: dict[str, str], index_cache_dir: Path) -> Iterator[str]:
    """A real ``sanctions serve`` over the sample store; yields its base URL."""
    proc, base = start_server(sample_db, env={"SANCTIONS_INDEX_CACHE": str(index_cache_dir)})
    yield base
    stop_server(proc)
