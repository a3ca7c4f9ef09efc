"""Schema migrations with Alembic, run in code when the store opens."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Every area's table definitions. The migrations create all of these tables in the
# store, so Alembic's environment must see all of them (autogenerate, drift check);
# they live in the areas that own them, above the store, hence imported by name.
TABLE_MODULES = (
    "sanctions.store.schema",
    "sanctions.audit.schema",
    "sanctions.watch.schema",
    "sanctions.coordination.tables",
    "sanctions.api.tables",
    "sanctions.web.tables",
)


def table_metadata() -> list[MetaData]:
    """The table definitions of every area whose tables the migrations create."""
    return [importlib.import_module(name).metadata for name in TABLE_MODULES]


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the database schema to ``revision`` (default: the latest of every branch).

    Each feature area (lists, watch/alerts/audit, API keys, clusters) keeps its own
    migration branch rooted at ``0001``, labelled by area; ``heads`` upgrades them all.
    """
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
