"""The migrations create exactly the tables the code defines, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sanctions.store import Store
from sanctions.store.migrate import TABLE_MODULES, table_metadata
from tests.store.test_store import postgres_url


def _drift(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, table_metadata()))


def test_every_area_defines_its_tables_once() -> None:
    tables = [t for m in table_metadata() for t in m.tables]
    assert len(tables) == len(set(tables))
    assert len(TABLE_MODULES) == 6 and {
        "versions",
        "watch_alerts",
        "api_keys",
        "web_sessions",
    } <= set(tables)


def test_a_migrated_sqlite_store_has_no_drift(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "store.db")
    assert _drift(store) == []
    with store.engine.begin() as conn:  # a table no area defines is drift
        conn.exec_driver_sql("CREATE TABLE stray (id INTEGER PRIMARY KEY)")
    assert [d[0] for d in _drift(store)] == ["remove_table"]
    store.close()


@pytest.mark.postgres
def test_a_migrated_postgresql_store_has_no_drift() -> None:
    store = Store.open(postgres_url())
    assert _drift(store) == []
    store.close()
