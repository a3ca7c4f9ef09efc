"""Fixtures of the watch tests: fictional lists and customers, fresh stores, a shared cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def index_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("watch-index-cache")


@pytest.fixture(autouse=True)
def _index_cache(index_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(index_cache))


@pytest.fixture
def watch_files() -> Path:
    return HERE


@pytest.fixture
def watch(store: Any) -> Any:
    from sanctions.watch import Watch

    return Watch(store, actor="tester")


def customer_map() -> Any:
    from sanctions.watch import ColumnMap

    return ColumnMap(schema_column="kind")


def active_state(watch: Any) -> set[tuple[Any, ...]]:
    """The alerts that are not closed, by content (ids differ between runs)."""
    return {
        (a.record_id, a.record_hash, a.entity_id, a.entity_hash, a.status, a.score)
        for a in watch.alerts("active")
    }


def assert_delta_equals_full(watch: Any) -> Any:
    """Run a delta, then a full run: the full run must find nothing to change."""
    delta = watch.rescreen()
    after_delta = active_state(watch)
    full = watch.rescreen(full=True)
    assert (full.raised, full.closed, full.suppressed) == (0, 0, 0), full.summary()
    assert active_state(watch) == after_delta
    return delta
