"""Session fixtures for matching tests: one real-data store (the UN list), built once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanctions.screening import Screener
from sanctions.store import Store

UN_FILE = "un/consolidated_2026-02-27.xml"


@pytest.fixture(scope="session", autouse=True)
def index_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Index caches go to a temporary folder, never to the user's data dir."""
    path = tmp_path_factory.mktemp("index-cache")
    old = os.environ.get("SANCTIONS_INDEX_CACHE")
    os.environ["SANCTIONS_INDEX_CACHE"] = str(path)
    yield path
    if old is None:
        os.environ.pop("SANCTIONS_INDEX_CACHE", None)
    else:
        os.environ["SANCTIONS_INDEX_CACHE"] = old


@pytest.fixture(scope="session")
def un_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store holding the real UN consolidated list (loaded once per session)."""
    store = Store.open(tmp_path_factory.mktemp("un") / "un.db")
    store.load(shared_data / UN_FILE)
    return store


@pytest.fixture(scope="session")
def un_screener(un_store: Store) -> Screener:
    screener = Screener(un_store)
    screener.refresh()
    return screener
