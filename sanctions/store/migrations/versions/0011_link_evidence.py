"""Link evidence (branch ``coordination``): which structural supports held for a name link.

* ``coordination_links.evidence``: JSON of each scored pair (its base rule, how many
  primary names aligned, the aligned tokens), so that an incremental run can judge
  every pair again (mutual best, margins, rare tokens) without re-scoring it. The
  table now keeps every scored candidate pair, not only the links.
* ``coordination_members.evidence``: JSON of what held for the link that attached a
  listing (strong name, mutual best, margin, rare token, regimes, type).

Rows stored before this revision have no evidence: the resolver's configuration
fingerprint changed with it, so the next run is a full one and rewrites them.

Revision ID: 0011
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("coordination_links", "coordination_members")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("evidence", sa.Text, nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("evidence")
