"""When a text cannot be delivered: a letter (to a resident who gave an address and said writing
is safe) or an email (to one with an address who prefers it). Messages gain a channel; the
"to" of an email needs room.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 16:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

CHANNELS = ('sms', 'letter', 'email')


def upgrade() -> None:
    with op.batch_alter_table('text_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=10), nullable=False, server_default='sms'))
        batch_op.alter_column('to', existing_type=sa.String(length=16), type_=sa.String(length=254), existing_nullable=False)
        batch_op.create_check_constraint(op.f('ck_text_message_channel'), f"channel IN ({', '.join(repr(c) for c in CHANNELS)})")
    with op.batch_alter_table('contact_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_fallback', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # Letters and emails cannot be described without a channel: refuse rather than lose them.
    if op.get_bind().execute(sa.text("SELECT count(*) FROM text_message WHERE channel <> 'sms'")).scalar():
        raise RuntimeError("text_message has letters or emails; downgrading would lose them")
    with op.batch_alter_table('contact_settings', schema=None) as batch_op:
        batch_op.drop_column('email_fallback')
    with op.batch_alter_table('text_message', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_text_message_channel'), type_='check')
        batch_op.alter_column('to', existing_type=sa.String(length=254), type_=sa.String(length=16), existing_nullable=False)
        batch_op.drop_column('channel')
