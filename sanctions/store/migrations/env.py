"""Alembic environment: runs on the connection the store hands over.

The target is every area's table definitions (:func:`table_metadata`), so that
``alembic revision --autogenerate`` and the drift test compare the whole store. An
upgrade run by the store needs no target: it is given none, which keeps opening a
store free of importing the API and web packages.
"""

from __future__ import annotations

from alembic import context

from sanctions.store.migrate import table_metadata

connection = context.config.attributes.get("connection")
target = None
if connection is None:  # pragma: no cover - only when alembic is run by hand
    from sqlalchemy import create_engine

    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "sqlite://")
    connection = engine.connect()
    target = table_metadata()

context.configure(connection=connection, target_metadata=target, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
