"""user_account.plan_version: a counter raised with every change to a resident's plan, in that
change's transaction, which the plan page's cache is keyed on (max(plan_event.id) was: ids are
handed out at insert, and on PostgreSQL can commit out of order)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Every plan starts at version 0: the caches are per worker, and empty after a deploy.
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('plan_version')
