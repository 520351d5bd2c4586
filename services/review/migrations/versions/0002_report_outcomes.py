"""report outcomes on cases; an index for the SLA clock

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_outcomes",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("need", sa.String(length=48), nullable=False),
        sa.Column("victim", sa.Integer(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.String(length=80), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("report_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_outcomes_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_exhausted", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.create_index("ix_cases_unacknowledged", ["ack_due_at"], unique=False,
                              postgresql_where=sa.text("acknowledged_at IS NULL AND ack_due_at IS NOT NULL"),
                              sqlite_where=sa.text("acknowledged_at IS NULL AND ack_due_at IS NOT NULL"))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_unacknowledged")
        batch_op.drop_column("report_exhausted")
    with op.batch_alter_table("report_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_outcomes_case_id"))
    op.drop_table("report_outcomes")
