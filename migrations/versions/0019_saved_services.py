"""A resident can save a service from the directory to their plan.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_service',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('service_id', sa.String(length=32), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_saved_service_resident_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['directory_service.id'], name=op.f('fk_saved_service_service_id_directory_service')),
    sa.PrimaryKeyConstraint('resident_id', 'service_id', name=op.f('pk_saved_service'))
    )


def downgrade() -> None:
    op.drop_table('saved_service')
