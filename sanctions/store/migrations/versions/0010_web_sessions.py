"""Sign-in sessions of the web pages (branch ``web``).

``web_sessions`` holds one row per signed-in browser: the SHA-256 of the session
token (the cookie's value is never stored), the API key it was opened with (its
role is read from ``api_keys`` on every request, so a revoked key or a changed
role takes effect at once), the CSRF token of its forms and its expiry.

Revision ID: 0010
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = ("web",)
depends_on = ("0004",)  # api_keys


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.Integer, nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_web_sessions_expires", "web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_expires", "web_sessions")
    op.drop_table("web_sessions")
