"""plans: goals, steps, notes, check-ins and their history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:30:02.259783
"""

import sqlalchemy as sa
from alembic import op
from db_guards import append_only_sql, drop_append_only_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('catalogue_goal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('framework', sa.String(length=20), nullable=False),
    sa.Column('framework_area', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_catalogue_goal_area')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_goal')),
    sa.UniqueConstraint('code', name=op.f('uq_catalogue_goal_code'))
    )
    with op.batch_alter_table('catalogue_goal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_goal_area'), ['area'], unique=False)

    op.create_table('catalogue_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['goal_id'], ['catalogue_goal.id'], name=op.f('fk_catalogue_step_goal_id_catalogue_goal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_step')),
    sa.UniqueConstraint('code', name=op.f('uq_catalogue_step_code'))
    )
    with op.batch_alter_table('catalogue_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_step_goal_id'), ['goal_id'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=280), nullable=True),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.String(length=32), nullable=False),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_check_in_area')),
    sa.CheckConstraint('stage BETWEEN 1 AND 5', name=op.f('ck_check_in_stage')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_check_in_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_check_in_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index('ix_check_in_resident_made_at', ['resident_id', 'made_at'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=32), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_provider', sa.String(length=120), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=True),
    sa.Column('goal_id', sa.String(length=32), nullable=True),
    sa.Column('step_id', sa.String(length=32), nullable=True),
    sa.Column('subject', sa.JSON(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.CheckConstraint("kind IN ('goal_added', 'goal_edited', 'goal_removed', 'goal_status_changed', 'step_done', 'step_undone', 'note_added', 'check_in_made')", name=op.f('ck_plan_event_kind')),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_plan_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_plan_event_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index('ix_plan_event_resident_id', ['resident_id', 'id'], unique=False)

    op.create_table('plan_goal',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('catalogue_goal_id', sa.Integer(), nullable=True),
    sa.Column('own_title', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_plan_goal_area')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'done')", name=op.f('ck_plan_goal_status')),
    sa.CheckConstraint('(catalogue_goal_id IS NULL) <> (own_title IS NULL)', name=op.f('ck_plan_goal_catalogue_or_own')),
    sa.ForeignKeyConstraint(['catalogue_goal_id'], ['catalogue_goal.id'], name=op.f('fk_plan_goal_catalogue_goal_id_catalogue_goal')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_plan_goal_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goal'))
    )
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.create_index('ix_plan_goal_resident_area', ['resident_id', 'area'], unique=False)

    op.create_table('goal_note',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('goal_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('text', sa.String(length=2000), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_goal_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_goal_note_goal_id_plan_goal')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_goal_note_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_note'))
    )
    with op.batch_alter_table('goal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_note_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_note_resident_id'), ['resident_id'], unique=False)

    op.create_table('plan_step',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('goal_id', sa.String(length=32), nullable=False),
    sa.Column('catalogue_step_id', sa.Integer(), nullable=True),
    sa.Column('own_text', sa.String(length=200), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('(catalogue_step_id IS NULL) <> (own_text IS NULL)', name=op.f('ck_plan_step_catalogue_or_own')),
    sa.ForeignKeyConstraint(['catalogue_step_id'], ['catalogue_step.id'], name=op.f('fk_plan_step_catalogue_step_id_catalogue_step')),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goal.id'], name=op.f('fk_plan_step_goal_id_plan_goal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_step'))
    )
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_step_goal_id'), ['goal_id'], unique=False)

    # History is append-only, in the database too.
    for statement in append_only_sql(op.get_bind().dialect.name, "plan_event"):
        op.execute(statement)

def downgrade() -> None:
    for statement in drop_append_only_sql(op.get_bind().dialect.name, "plan_event"):
        op.execute(statement)
    with op.batch_alter_table('plan_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_step_goal_id'))

    op.drop_table('plan_step')
    with op.batch_alter_table('goal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_note_resident_id'))
        batch_op.drop_index(batch_op.f('ix_goal_note_goal_id'))

    op.drop_table('goal_note')
    with op.batch_alter_table('plan_goal', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_goal_resident_area')

    op.drop_table('plan_goal')
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_event_resident_id')

    op.drop_table('plan_event')
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index('ix_check_in_resident_made_at')

    op.drop_table('check_in')
    with op.batch_alter_table('catalogue_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_step_goal_id'))

    op.drop_table('catalogue_step')
    with op.batch_alter_table('catalogue_goal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_goal_area'))

    op.drop_table('catalogue_goal')
