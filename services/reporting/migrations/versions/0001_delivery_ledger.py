"""The delivery ledger: reports, lookups, steps, calls, obligations, signal facts and content, outbox.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=160), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_published_at'), ['published_at'], unique=False)

    op.create_table('reports',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('reference_number', sa.String(length=32), nullable=False),
    sa.Column('need', sa.String(length=64), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('resolve_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('report_id')
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_signal_id'), ['signal_id'], unique=False)

    op.create_table('signal_facts',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('reference_number', sa.String(length=32), nullable=False),
    sa.Column('victims', sa.JSON(), nullable=False),
    sa.Column('consent_to_share', sa.Boolean(), nullable=False),
    sa.Column('consent_to_contact', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('signal_id')
    )
    op.create_table('lookups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('lookup_index', sa.Integer(), nullable=False),
    sa.Column('victims', sa.JSON(), nullable=False),
    sa.Column('source', sa.JSON(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.report_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'lookup_index')
    )
    op.create_table('obligations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('region', sa.String(length=80), nullable=False),
    sa.Column('obligation_id', sa.String(length=64), nullable=False),
    sa.Column('contact_id', sa.String(length=64), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('victims', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.report_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('report_id', 'region', 'obligation_id')
    )
    op.create_table('signal_content',
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('reporter', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['signal_id'], ['signal_facts.signal_id'], ),
    sa.PrimaryKeyConstraint('signal_id')
    )
    op.create_table('steps',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('lookup_index', sa.Integer(), nullable=False),
    sa.Column('step_index', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.String(length=64), nullable=False),
    sa.Column('contact', sa.JSON(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('wait_s', sa.Integer(), nullable=False),
    sa.Column('business_hours', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('activate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ack_token_hash', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['reports.report_id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ack_token_hash'),
    sa.UniqueConstraint('report_id', 'lookup_index', 'step_index')
    )
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.create_index('ix_steps_due_work', ['state', 'activate_at'], unique=False)

    op.create_table('call_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('step_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('specialist', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['step_id'], ['steps.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_log_step_id'), ['step_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('call_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_log_step_id'))

    op.drop_table('call_log')
    with op.batch_alter_table('steps', schema=None) as batch_op:
        batch_op.drop_index('ix_steps_due_work')

    op.drop_table('steps')
    op.drop_table('signal_content')
    op.drop_table('obligations')
    op.drop_table('lookups')
    op.drop_table('signal_facts')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reports_signal_id'))

    op.drop_table('reports')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))

    op.drop_table('outbox')

