"""one table for every windowed counter (throttle_event replaces sign_in_attempt and rate_event);
consent events no longer allow "modes_changed", which nothing ever wrote

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 14:30:00
"""

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, erasable_append_only_sql

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

EVENT_TYPES = "'given', 'renewed', 'paused', 'resumed', 'withdrawn', 'expired', 'invalidated', 'confirmed', 'refused', 'requested'"


def _consent_event_types(types: str) -> None:
    """SQLite rebuilds the table to change a CHECK constraint, which drops its append-only
    triggers: they are taken off first and put back after. (PostgreSQL alters it in place.)"""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_append_only_sql(dialect, "consent_event"):
            op.execute(statement)
    with op.batch_alter_table('consent_event', schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
        batch_op.drop_constraint(op.f('ck_consent_event_event_type'), type_='check')
        batch_op.create_check_constraint(op.f('ck_consent_event_event_type'), f"event_type IN ({types})")
    if dialect == "sqlite":
        for statement in erasable_append_only_sql(dialect, "consent_event"):
            op.execute(statement)


def upgrade():
    op.create_table('throttle_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_event'))
    )
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_event_kind_key_at', ['kind', 'key', 'at'], unique=False)
        batch_op.create_index('ix_throttle_event_at', ['at'], unique=False)
    # The counts carry over, so an upgrade in the middle of someone's guessing does not reset them.
    op.execute("INSERT INTO throttle_event (kind, key, at) SELECT 'sign_in_account', account, at FROM sign_in_attempt")
    op.execute("INSERT INTO throttle_event (kind, key, at) SELECT 'sign_in_client', client, at FROM sign_in_attempt")
    op.execute("INSERT INTO throttle_event (kind, key, at) SELECT kind, user_id, at FROM rate_event")
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_event_user_kind_at')
    op.drop_table('rate_event')
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_attempt_client_at')
        batch_op.drop_index('ix_sign_in_attempt_account_at')
    op.drop_table('sign_in_attempt')
    _consent_event_types(EVENT_TYPES)


def downgrade():
    _consent_event_types(EVENT_TYPES + ", 'modes_changed'")
    op.create_table('sign_in_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt'))
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_attempt_account_at', ['account', 'at'], unique=False)
        batch_op.create_index('ix_sign_in_attempt_client_at', ['client', 'at'], unique=False)
    op.create_table('rate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_event'))
    )
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.create_index('ix_rate_event_user_kind_at', ['user_id', 'kind', 'at'], unique=False)
    # The old tables paired account and client in one row; the accounts' counts are what matter.
    op.execute("INSERT INTO sign_in_attempt (account, client, at) SELECT substr(key, 1, 40), '', at FROM throttle_event "
               "WHERE kind = 'sign_in_account'")
    op.execute("INSERT INTO rate_event (user_id, kind, at) SELECT substr(key, 1, 32), kind, at FROM throttle_event "
               "WHERE kind NOT IN ('sign_in_account', 'sign_in_client')")
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_event_at')
        batch_op.drop_index('ix_throttle_event_kind_key_at')
    op.drop_table('throttle_event')
