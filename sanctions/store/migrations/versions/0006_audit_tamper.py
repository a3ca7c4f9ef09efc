"""Tamper evidence of the audit log (branch ``audit_tamper``): HMAC columns.

``audit_log.mac`` holds an HMAC of each entry's hash, and ``audit_head.mac`` an
HMAC of the head (last id and hash), both made with a key kept outside the
database (``SANCTIONS_AUDIT_KEY`` or ``SANCTIONS_AUDIT_KEY_FILE``). NULL where
no key was configured when the entry was written.

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = ("audit_tamper",)
depends_on = ("0003",)  # the audit tables


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("mac")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("mac")
