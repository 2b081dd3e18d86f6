"""Reaching a resident by text message: their contact settings, and every message sent.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 07:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

KINDS = ('referral_waiting', 'referral_news', 'sharing_ending', 'setup_code', 'check_in_reminder', 'confirm_number')
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


def downgrade() -> None:
    op.drop_table('text_message')
    op.drop_table('contact_settings')
