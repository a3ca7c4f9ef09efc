"""API replicas (branch ``replicas``): shared rate limits and announced list versions.

* ``rate_limits``: one token bucket per row (``req:<key id>``, ``work:<key id>``),
  updated in one atomic statement by every ``sanctions serve`` over the store, so a
  key gets its rate across all replicas, not once per replica.
* On PostgreSQL only, a trigger on ``datasets`` sends ``NOTIFY sanctions_versions``
  (payload: ``{"dataset": ..., "version": ...}``) when a dataset's current version
  changes, whoever changed it (``sanctions load``, ``update``, an approval, a
  rollback, another server's /updatez). The notification is delivered at commit,
  when the new version is visible; servers LISTEN and swap their index at once
  (they also poll, as the fallback and on SQLite).

Revision ID: 0009
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0001"
branch_labels = ("replicas",)
depends_on = None

CHANNEL = "sanctions_versions"  # also in sanctions.store.announce

ANNOUNCE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sanctions_announce_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.current_version_id IS DISTINCT FROM OLD.current_version_id THEN
        PERFORM pg_notify('{CHANNEL}', json_build_object(
            'dataset', NEW.id, 'version', NEW.current_version_id)::text);
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""

ANNOUNCE_TRIGGER = """
CREATE TRIGGER sanctions_announce_version
AFTER INSERT OR UPDATE OF current_version_id ON datasets
FOR EACH ROW EXECUTE FUNCTION sanctions_announce_version()
"""


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("bucket", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ANNOUNCE_FUNCTION)
        op.execute(ANNOUNCE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sanctions_announce_version ON datasets")
        op.execute("DROP FUNCTION IF EXISTS sanctions_announce_version()")
    op.drop_table("rate_limits")
