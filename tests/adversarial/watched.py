"""A small store with lists, watched records, a run, alerts and decisions (SQLite or PostgreSQL).

Shared by the adversarial tests (imported, not a conftest, so that each test
module says what it uses). Only hand-written fixtures of ``tests/watch/fixtures``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.watch.test_postgres import empty_lists_and_watch

WATCH_FIXTURES = Path(__file__).resolve().parents[1] / "watch" / "fixtures"


def open_backend(backend: str, tmp_path: Path) -> Any:
    """A fresh store: a SQLite file, or the test PostgreSQL database emptied."""
    from sanctions.store import Store

    if backend == "sqlite":
        return Store.open(tmp_path / "store.db")
    from tests.store.test_store import postgres_url

    store = Store.open(postgres_url())
    with store.engine.begin() as conn:
        empty_lists_and_watch(conn)
    return store


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def customer_map() -> Any:
    from sanctions.watch import ColumnMap

    return ColumnMap(schema_column="kind")


def fill(store: Any, actor: str = "tester") -> Any:
    """Load v1 and v2 of the fictional list, import customers, screen, decide two alerts."""
    from sanctions.watch import Watch

    watch = Watch(store, actor=actor)
    store.load(WATCH_FIXTURES / "v1.jsonl", dataset="fixture")
    watch.import_file(WATCH_FIXTURES / "customers.csv", customer_map())
    watch.rescreen()
    first, second = watch.alerts("open")[:2]
    watch.decide(first.id, "true_match", "same person, same birth date", analyst="ana")
    watch.decide(second.id, "false_positive", "different birth date", analyst="bob")
    store.load(WATCH_FIXTURES / "v2.jsonl", dataset="fixture")
    watch.rescreen()
    return watch


@pytest.fixture
def index_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "index-cache"
    monkeypatch.setenv("SANCTIONS_INDEX_CACHE", str(path))
    yield path


def sql(store: Any, statement: str, **params: Any) -> None:
    """Tamper with the database directly, as someone with write access would."""
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)
