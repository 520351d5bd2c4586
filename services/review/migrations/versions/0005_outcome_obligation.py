"""the mandatory report an outcome belongs to, so the case page can name it

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_outcomes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("obligation", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_outcomes", schema=None) as batch_op:
        batch_op.drop_column("obligation")
