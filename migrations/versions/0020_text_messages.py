"""Reaching a resident by text message: their contact settings, and every message sent.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, erasable_append_only_sql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

KINDS = ('referral_waiting', 'referral_news', 'sharing_ending', 'setup_code', 'check_in_reminder', 'confirm_number', 'reset_code')
ACCOUNT_EVENT_KINDS = ('created_by_tutor', 'setup_code_issued', 'password_set', 'password_set_with_code', 'first_password_set',
                       'password_changed', 'reset_requested')
NEW_ACCOUNT_EVENT_KINDS = (*ACCOUNT_EVENT_KINDS, 'password_reset_by_text')
STATES = ('waiting', 'sending', 'delivered', 'permanent-failure', 'temporary-failure', 'technical-failure', 'not-sent')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table('contact_settings',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('mobile', sa.String(length=16), nullable=True),
    sa.Column('mobile_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('texts_safe', sa.Boolean(), nullable=False),
    sa.Column('fuller_texts', sa.Boolean(), nullable=False),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('quiet_from', sa.Integer(), nullable=True),
    sa.Column('quiet_until', sa.Integer(), nullable=True),
    sa.Column('reminder_weeks', sa.Integer(), nullable=True),
    sa.Column('pending_mobile', sa.String(length=16), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('code_tries', sa.Integer(), nullable=False),
    sa.Column('reset_code_hash', sa.String(length=64), nullable=True),
    sa.Column('reset_code_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reset_code_tries', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quiet_from IS NULL OR (quiet_from BETWEEN 0 AND 23)', name=op.f('ck_contact_settings_quiet_from')),
    sa.CheckConstraint('quiet_until IS NULL OR (quiet_until BETWEEN 0 AND 23)', name=op.f('ck_contact_settings_quiet_until')),
    sa.CheckConstraint('reminder_weeks IS NULL OR reminder_weeks IN (2, 4, 8)', name=op.f('ck_contact_settings_reminder_weeks')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_contact_settings_resident_id_user_account')),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_contact_settings'))
    )
    op.create_table('text_message',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('to', sa.String(length=16), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('notify_id', sa.String(length=40), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('send_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(_in('kind', KINDS), name=op.f('ck_text_message_kind')),
    sa.CheckConstraint(_in('state', STATES), name=op.f('ck_text_message_state')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_text_message_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_message'))
    )
    op.create_index('ix_text_message_resident_id', 'text_message', ['resident_id'])
    op.create_index('ix_text_message_state_due', 'text_message', ['state', 'send_after'])
    _account_event_kinds(NEW_ACCOUNT_EVENT_KINDS)


def _account_event_kinds(kinds) -> None:
    """A password chosen with a texted code is a kind of account event of its own."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_append_only_sql(dialect, "account_event"):
            op.execute(statement)
    with op.batch_alter_table('account_event', schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
        batch_op.drop_constraint(op.f('ck_account_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_event_kind'), _in('kind', kinds))
    if dialect == "sqlite":
        for statement in erasable_append_only_sql(dialect, "account_event"):
            op.execute(statement)


def downgrade() -> None:
    # History written since 0020 cannot be described by the old kinds: refuse rather than lose it.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM account_event WHERE kind = 'password_reset_by_text'")).scalar():
        raise RuntimeError("account_event has passwords reset by text; downgrading would lose them")
    _account_event_kinds(ACCOUNT_EVENT_KINDS)
    op.drop_table('text_message')
    op.drop_table('contact_settings')
