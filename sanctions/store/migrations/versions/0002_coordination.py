"""Cross-list resolution (branch ``coordination``): clusters, members, links, state, overrides.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = ("coordination",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordination_clusters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("datasets", sa.Text, nullable=False),
        sa.Column("schema", sa.String(50), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "coordination_members",
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("cluster_id", sa.String(40), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("schema", sa.String(50), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("programmes", sa.Text, nullable=False),
        sa.Column("regimes", sa.Text, nullable=False),
        sa.Column("listed_on", sa.String(10), nullable=True),
        sa.Column("first_seen", sa.String(10), nullable=True),
        sa.Column("birth_dates", sa.Text, nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("via", sa.String(200), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_coordination_members_cluster", "coordination_members", ["cluster_id"])
    op.create_table(
        "coordination_links",
        sa.Column("entity_a", sa.String(200), primary_key=True),
        sa.Column("entity_b", sa.String(200), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_coordination_links_b", "coordination_links", ["entity_b"])
    op.create_table(
        "coordination_state",
        sa.Column("dataset", sa.String(100), primary_key=True),
        sa.Column("version_id", sa.Integer, nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("resolved_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "coordination_overrides",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("entity_a", sa.String(200), nullable=False),
        sa.Column("entity_b", sa.String(200), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coordination_overrides")
    op.drop_table("coordination_state")
    op.drop_index("ix_coordination_links_b", "coordination_links")
    op.drop_table("coordination_links")
    op.drop_index("ix_coordination_members_cluster", "coordination_members")
    op.drop_table("coordination_members")
    op.drop_table("coordination_clusters")
