"""area_progress indexes by area (and stage) and last activity, for dashboards filtered to one
area and sorted newest first (keyset pages that stop after a page, at a county's size)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:50:00
"""

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_area_progress_area_latest_stage')
        batch_op.create_index('ix_area_progress_area_stage_activity', ['area', 'latest_stage', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_area_progress_area_activity', ['area', 'last_activity_at'], unique=False)


def downgrade():
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_area_progress_area_activity')
        batch_op.drop_index('ix_area_progress_area_stage_activity')
        batch_op.create_index('ix_area_progress_area_latest_stage', ['area', 'latest_stage'], unique=False)
