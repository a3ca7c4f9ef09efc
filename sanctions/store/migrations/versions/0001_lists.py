"""Versioned lists: datasets, versions, content-addressed entities, diffs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("current_version_id", sa.Integer, nullable=True),
        sa.Column("updated_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(100), sa.ForeignKey("datasets.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("format", sa.String(50), nullable=False),
        sa.Column("source_file", sa.Text, nullable=True),
        sa.Column("source_url", sa.Text, nullable=True),
        sa.Column("published", sa.String(40), nullable=True),
        sa.Column("loaded_at", sa.String(40), nullable=False),
        sa.Column("entity_count", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
    )
    op.create_index("ix_versions_dataset_seq", "versions", ["dataset", "seq"], unique=True)
    op.create_index("ix_versions_hash", "versions", ["content_hash"])
    op.create_table(
        "blobs",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "version_entities",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("hash", sa.String(64), sa.ForeignKey("blobs.hash"), nullable=False),
        sa.Column("schema", sa.String(50), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
    )
    op.create_index("ix_version_entities_entity", "version_entities", ["entity_id"])
    op.create_table(
        "changes",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id"), primary_key=True),
        sa.Column("entity_id", sa.String(200), primary_key=True),
        sa.Column("change", sa.String(10), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("old_hash", sa.String(64), nullable=True),
        sa.Column("new_hash", sa.String(64), nullable=True),
        sa.Column("properties", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("changes")
    op.drop_table("version_entities")
    op.drop_table("blobs")
    op.drop_index("ix_versions_hash", "versions")
    op.drop_index("ix_versions_dataset_seq", "versions")
    op.drop_table("versions")
    op.drop_table("datasets")
