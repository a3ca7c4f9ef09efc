"""List-version gates (branch ``gates``): a status per version, the counts the gates compare.

* ``status``: ``accepted`` (became current when loaded), ``held`` (pending an
  admin's approval), ``approved``, ``rejected``, ``older`` (stored as history,
  never made current). NULL for versions loaded before this revision: they were
  accepted.
* ``name_count``, ``alias_count``: names and aliases of the version (NULL before
  this revision: computed from the stored entities when first needed).
* ``members``: JSON list of the files of a file set (OFAC's CSV sets).
* ``gate_reasons``: JSON list of why the version was held or kept as history.
* ``decided_by``, ``decided_at``: who approved or rejected a held version, when.

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = ("gates",)
depends_on = None

COLUMNS = (
    ("status", sa.String(20)),
    ("name_count", sa.Integer),
    ("alias_count", sa.Integer),
    ("members", sa.Text),
    ("gate_reasons", sa.Text),
    ("decided_by", sa.Text),
    ("decided_at", sa.String(40)),
)


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
