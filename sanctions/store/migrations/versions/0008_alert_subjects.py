"""Watch alerts by subject (branch ``watch``): one alert per (record, subject).

* ``subject_id``: the subject the alert is about: the cluster of its listing
  (``sanctions resolve``), or the listing itself when it is in no current
  cluster. NULL for alerts raised before this revision (their listing alone).
* ``listings``: JSON list of every listing of the subject the record matches,
  the alert's own listing first, each with its list, jurisdiction, content hash,
  score and explanation, and the run that added it. NULL before this revision.

Plain ``ADD COLUMN`` (no table copy): the partial unique index on active alerts
stays as it is.

Revision ID: 0008
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    ("subject_id", sa.String(200)),
    ("listings", sa.Text),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("watch_alerts", sa.Column(name, type_, nullable=True))
    op.create_index("ix_watch_alerts_subject", "watch_alerts", ["record_id", "subject_id"])


def downgrade() -> None:
    op.drop_index("ix_watch_alerts_subject", table_name="watch_alerts")
    for name, _type in reversed(COLUMNS):
        op.drop_column("watch_alerts", name)
