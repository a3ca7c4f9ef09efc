"""Legible versions (branch ``gates``): where a version's date came from, its full path, rollbacks.

* ``published_from``: where ``published`` was read: ``file`` (the list's own
  metadata), ``path`` (a date in the folder or file name), ``option`` (given with
  ``sanctions load --published``); NULL when there is no date (or for versions
  loaded before this revision, whose dates all came from the file).
* ``source_path``: the full path the version was loaded from (``source_file``
  keeps the bare name).
* ``rollback_of``: for a version made by ``sanctions versions rollback``, the id
  of the earlier version whose content it makes current again.

Revision ID: 0007
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

COLUMNS = (
    ("published_from", sa.String(10)),
    ("source_path", sa.Text),
    ("rollback_of", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
