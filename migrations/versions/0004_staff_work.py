"""staff work: setup codes, suggestions, account history, admin actions, rate limits, area progress

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:46:10.884167
"""

import sqlalchemy as sa
from alembic import op
from db_guards import append_only_sql, drop_append_only_sql, erasable_append_only_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('admin_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_user_id', sa.String(length=32), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=True),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_action'))
    )
    with op.batch_alter_table('admin_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_action_actor_user_id'), ['actor_user_id'], unique=False)
        batch_op.create_index('ix_admin_action_at', ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_action_provider_id'), ['provider_id'], unique=False)

    op.create_table('rate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_event'))
    )
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.create_index('ix_rate_event_user_kind_at', ['user_id', 'kind', 'at'], unique=False)

    op.create_table('account_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_provider', sa.String(length=120), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('created_by_tutor', 'setup_code_issued', 'password_set')", name=op.f('ck_account_event_kind')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_account_event_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_event'))
    )
    with op.batch_alter_table('account_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_event_resident_id'), ['resident_id'], unique=False)

    op.create_table('area_progress',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('first_stage', sa.Integer(), nullable=True),
    sa.Column('latest_stage', sa.Integer(), nullable=True),
    sa.Column('goals_done', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_area_progress_area')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_area_progress_resident_id_user_account')),
    sa.PrimaryKeyConstraint('resident_id', 'area', name=op.f('pk_area_progress'))
    )
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.create_index('ix_area_progress_area_latest_stage', ['area', 'latest_stage'], unique=False)

    op.create_table('setup_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('register', 'reset', 'invite')", name=op.f('ck_setup_code_purpose')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_setup_code_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_setup_code_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setup_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_setup_code_code_hash'))
    )
    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setup_code_user_id'), ['user_id'], unique=False)

    op.create_table('suggestion',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('from_provider_id', sa.String(length=32), nullable=False),
    sa.Column('to_provider_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('suggested_by_id', sa.String(length=32), nullable=False),
    sa.Column('suggested_by_name', sa.String(length=80), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_suggestion_area')),
    sa.CheckConstraint("state IN ('waiting', 'accepted', 'dismissed')", name=op.f('ck_suggestion_state')),
    sa.ForeignKeyConstraint(['from_provider_id'], ['provider.id'], name=op.f('fk_suggestion_from_provider_id_provider')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_suggestion_resident_id_user_account')),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['user_account.id'], name=op.f('fk_suggestion_suggested_by_id_user_account')),
    sa.ForeignKeyConstraint(['to_provider_id'], ['provider.id'], name=op.f('fk_suggestion_to_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion'))
    )
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suggestion_from_provider_id'), ['from_provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_suggestion_resident_id'), ['resident_id'], unique=False)

    # Indexes for staff lists (see docs/benchmarks.md).
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_grant_resident_id")
        batch_op.create_index("ix_consent_grant_resident_provider", ["resident_id", "provider_id", "area"], unique=False)
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index("ix_user_account_role_display_name", ["role", "display_name", "id"], unique=False)
    with op.batch_alter_table("access_log_entry", schema=None) as batch_op:
        batch_op.create_index("ix_access_log_entry_at", ["occurred_at"], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in [*append_only_sql(dialect, "admin_action"), *erasable_append_only_sql(dialect, "account_event")]:
        op.execute(statement)
    # Fill area_progress from the plans already there (later changes keep it up to date).
    op.execute(
        "INSERT INTO area_progress (resident_id, area, goals_done, last_activity_at) "
        "SELECT resident_id, area, 0, MAX(occurred_at) FROM plan_event WHERE area IS NOT NULL GROUP BY resident_id, area"
    )
    op.execute(
        "UPDATE area_progress SET goals_done = (SELECT COUNT(*) FROM plan_goal g WHERE g.resident_id = area_progress.resident_id "
        "AND g.area = area_progress.area AND g.status = 'done' AND g.removed_at IS NULL), "
        "first_stage = (SELECT c.stage FROM check_in c WHERE c.resident_id = area_progress.resident_id AND c.area = area_progress.area "
        "ORDER BY c.made_at, c.id LIMIT 1), "
        "latest_stage = (SELECT c.stage FROM check_in c WHERE c.resident_id = area_progress.resident_id AND c.area = area_progress.area "
        "ORDER BY c.made_at DESC, c.id DESC LIMIT 1)"
    )

def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in [*drop_append_only_sql(dialect, "admin_action"), *drop_append_only_sql(dialect, "account_event")]:
        op.execute(statement)
    with op.batch_alter_table("access_log_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_entry_at")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index("ix_user_account_role_display_name")
    with op.batch_alter_table("consent_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_grant_resident_provider")
        batch_op.create_index("ix_consent_grant_resident_id", ["resident_id"], unique=False)
    with op.batch_alter_table('suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suggestion_resident_id'))
        batch_op.drop_index(batch_op.f('ix_suggestion_from_provider_id'))

    op.drop_table('suggestion')
    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setup_code_user_id'))

    op.drop_table('setup_code')
    with op.batch_alter_table('area_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_area_progress_area_latest_stage')

    op.drop_table('area_progress')
    with op.batch_alter_table('account_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_event_resident_id'))

    op.drop_table('account_event')
    with op.batch_alter_table('rate_event', schema=None) as batch_op:
        batch_op.drop_index('ix_rate_event_user_kind_at')

    op.drop_table('rate_event')
    with op.batch_alter_table('admin_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_action_provider_id'))
        batch_op.drop_index('ix_admin_action_at')
        batch_op.drop_index(batch_op.f('ix_admin_action_actor_user_id'))

    op.drop_table('admin_action')
