"""Shared test fixtures: where the real list files are, and fresh stores."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real official list files (../shared/data); skip if absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real list files not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def empty_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store, migrated once per session (tests get copies of it)."""
    from sanctions.store import Store

    path = tmp_path_factory.mktemp("empty-store") / "lists.db"
    Store.open(path).close()
    return path


def copy_sqlite(source: Path, dest: Path) -> Path:
    """A copy of a SQLite store through the backup API (the WAL's content too)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest


@pytest.fixture
def store_path(empty_store_template: Path, tmp_path: Path) -> Path:
    """The file of the test's own empty store (``store``), for tests that reach into it."""
    return copy_sqlite(empty_store_template, tmp_path / "lists.db")


@pytest.fixture
def store(store_path: Path) -> Iterator[Any]:
    """A fresh, empty SQLite store of the test's own: the one root fixture (packages whose
    tests need content in it override it, e.g. tests/test_bad_input.py)."""
    from sanctions.store import Store

    opened = Store.open(store_path)
    yield opened
    opened.close()


# The most recent COMPLETE OFAC SDN set is 2023-12-28: keep it current. 2024-05-03 has
# only sdn.csv (no aliases); 2025-12-partial (no sdn.csv) loads as us_ofac_sdn_partial.
REAL_STORE_SKIP = ("us/ofac-sdn/2024-05-03",)


def real_list_paths(shared: Path) -> list[Path]:
    """Every list under shared/data in load order, leaving SDN 2023-12-28 current."""
    from sanctions.sources import discover_paths

    return [
        p for p in discover_paths(shared) if p.relative_to(shared).as_posix() not in REAL_STORE_SKIP
    ]


@pytest.fixture(scope="session")
def real_store_loads(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every real list loaded once per test session into one SQLite store.

    Returns ``{"path": db path, "results": {relative list path: LoadResult}}``.
    Tests should open the store read-mostly (``Store.open(path)``).
    """
    from sanctions.store import Store

    path = tmp_path_factory.mktemp("real-store") / "lists.db"
    store = Store.open(path)
    results = {
        p.relative_to(shared_data).as_posix(): load_history(store, p)
        for p in real_list_paths(shared_data)
    }
    store.close()
    return {"path": path, "results": results}


def load_history(store: Any, path: Path) -> Any:
    """Load a historical file in path order, as an admin replaying history would.

    Path order is not publication order (the Consolidated XML of 2024-02-23 comes
    after the enhanced file of 2025-01-10), and the SDN primary-only files of 2022
    lack the alias files of the full sets before them: the gates would keep them
    aside. Here each one is let through (``allow_older``) and approved, so that
    every file becomes current in turn, as the history tests expect.
    """
    result = store.load(path, allow_older=True)
    if result.status == "held":
        store.approve_version(result.dataset, result.version_id, actor="test-history")
    return result


@pytest.fixture(scope="session")
def real_store_path(real_store_loads: dict[str, Any]) -> Path:
    """A SQLite store with every real list loaded (once per test session). Open it read-mostly."""
    return Path(real_store_loads["path"])


POSTGRES_URL_VAR = "SANCTIONS_TEST_POSTGRES_URL"


def worker_postgres_url(url: str, worker: str, run: str) -> str:
    """The URL of one xdist worker's own database, for one test run, on the server of
    ``url``: ``<db>_<worker>_<run>`` (``sanctions_test_gw0_1a2b3c4d``)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}_{run}").render_as_string(
        hide_password=False
    )


def _drop_abandoned(conn: Any, base: str, run: str) -> None:
    """Drop the worker databases of earlier runs that nobody is connected to (a run
    holds a connection to its own for the whole session: see postgres_per_worker). Those
    of this run are never dropped: another worker may have created its own and not yet
    connected to it."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    def escaped(value: str) -> str:
        return value.replace("\\", "\\\\").replace("_", "\\_")

    rows = conn.execute(
        text(
            "SELECT datname FROM pg_database WHERE datname LIKE :pattern "
            "AND datname NOT LIKE :this_run AND datname NOT IN "
            "(SELECT datname FROM pg_stat_activity WHERE datname IS NOT NULL)"
        ),
        {"pattern": escaped(base) + "\\_gw%", "this_run": "%\\_" + escaped(run)},
    )
    for (name,) in rows.fetchall():
        try:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))  # not FORCE: if in use, kept
        except DBAPIError:  # another run connected to it meanwhile: it is not abandoned
            pass


@pytest.fixture(scope="session", autouse=True)
def postgres_per_worker() -> Iterator[str | None]:
    """Under pytest-xdist, each worker gets its own PostgreSQL database.

    PostgreSQL tests clean the tables they use and chain the audit log; two workers on
    one database would empty each other's data and deadlock on the audit head. Each
    worker (``gw0``, ``gw1``, ...) creates ``<db>_<worker>_<run id>`` on the server of
    ``SANCTIONS_TEST_POSTGRES_URL``, points the variable at it for the session (tests
    migrate it through ``Store.open``), holds one connection to it as a lease, and drops
    it at the end; databases of interrupted runs (no lease) are dropped at the start.
    Without xdist the variable is left as is. If the server cannot be reached the
    variable still names the worker's database, so the PostgreSQL tests fail on
    connecting, as they would in one process: they never fall back to a shared database.
    """
    base = os.environ.get(POSTGRES_URL_VAR)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        yield base
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from sanctions.config import db_url

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8] or str(os.getppid())
    url = worker_postgres_url(base, worker, run)
    name = make_url(url).database
    admin = create_engine(db_url(base), isolation_level="AUTOCOMMIT")
    own = create_engine(db_url(url))
    os.environ[POSTGRES_URL_VAR] = url
    try:
        try:
            with admin.connect() as conn:
                _drop_abandoned(conn, str(make_url(base).database), run)
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            lease = own.connect()
        except OperationalError:  # no server: the PostgreSQL tests say so themselves
            lease = None
        yield url
        if lease is not None:
            lease.close()
            own.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        own.dispose()
        admin.dispose()
        os.environ[POSTGRES_URL_VAR] = base


@pytest.fixture(scope="session", autouse=True)
def private_data_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Caches and downloads go to temporary folders, never to the user's data or cache dir."""
    root = tmp_path_factory.mktemp("sanctions-data")
    names = ("SANCTIONS_INDEX_CACHE", "SANCTIONS_DATA_DIR", "SANCTIONS_CACHE_DIR")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["SANCTIONS_INDEX_CACHE"] = str(root / "index-cache")
    os.environ["SANCTIONS_DATA_DIR"] = str(root)
    os.environ["SANCTIONS_CACHE_DIR"] = str(root / "cache")
    yield root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


UN_FILE = "un/consolidated_2026-02-27.xml"


@pytest.fixture(scope="session")
def un_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A store holding the real UN consolidated list (loaded once per session)."""
    from sanctions.store import Store

    store = Store.open(tmp_path_factory.mktemp("un") / "un.db")
    store.load(shared_data / UN_FILE)
    return store


@pytest.fixture(scope="session")
def un_screener(un_store: Any) -> Any:
    """A screener over the UN store, its index built."""
    from sanctions.screening import Screener

    screener = Screener(un_store)
    screener.refresh()
    return screener
