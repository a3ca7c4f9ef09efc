"""Schema migrations with Alembic, run in code when the store opens."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
