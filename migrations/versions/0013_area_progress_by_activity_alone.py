"""area_progress indexed by last activity alone, for dashboards of every area at once sorted
newest first: walked in date order, a page stops after a page of residents who share (a county's
"sorted by last activity" had sorted every resident who shares: 1 s on SQLite).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 06:00:00
"""

from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.create_index('ix_area_progress_activity', ['last_activity_at'], unique=False)


def downgrade():
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_area_progress_activity')
