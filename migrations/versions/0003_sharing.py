"""sharing: notices, consents and their events, receipts, the access log, erasure

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 22:06:25.521283
"""

import sqlalchemy as sa
from alembic import op
from db_guards import (
    append_only_sql,
    drop_append_only_sql,
    drop_immutable_sql,
    erasable_append_only_sql,
    immutable_sql,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# History tables: append-only, but erasable for a resident whose erasure is under way.
HISTORY = ["plan_event", "consent_event", "consent_receipt", "access_log_entry"]
NOTICE_CONTENT = [
    "provider_id", "area", "version", "access_modes", "fields_shown", "purposes", "summary", "retention",
    "change_summary", "change_is_material", "lawful_basis", "dsa_reference", "content_hash", "published_at",
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table('erasure_permit',
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('resident_id', name=op.f('pk_erasure_permit'))
    )
    op.create_table('erasure_tombstone',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('initiated_by', sa.String(length=30), nullable=False),
    sa.Column('consent_chain_head', sa.String(length=64), nullable=True),
    sa.Column('access_chain_head', sa.String(length=64), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_tombstone'))
    )
    op.create_table('sharing_notice',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('access_modes', sa.JSON(), nullable=False),
    sa.Column('fields_shown', sa.JSON(), nullable=False),
    sa.Column('purposes', sa.JSON(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('retention', sa.JSON(), nullable=False),
    sa.Column('change_summary', sa.JSON(), nullable=True),
    sa.Column('change_is_material', sa.Boolean(), nullable=False),
    sa.Column('lawful_basis', sa.String(length=300), nullable=False),
    sa.Column('dsa_reference', sa.String(length=300), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_sharing_notice_area')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_sharing_notice_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_notice'))
    )
    with op.batch_alter_table('sharing_notice', schema=None) as batch_op:
        batch_op.create_index('uq_sharing_notice_provider_area_version', ['provider_id', 'area', 'version'], unique=True)

    op.create_table('access_log_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.String(length=32), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('provider_name', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=True),
    sa.Column('fields_disclosed', sa.JSON(), nullable=False),
    sa.Column('purpose_code', sa.String(length=40), nullable=False),
    sa.Column('grant_id', sa.String(length=32), nullable=False),
    sa.Column('consent_event_id', sa.Integer(), nullable=True),
    sa.Column('request_id', sa.String(length=40), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('entry_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("action IN ('listed_in_dashboard', 'opened_plan_area', 'recorded_progress', 'appeared_in_search', 'exported_summary')", name=op.f('ck_access_log_entry_action')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_access_log_entry_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log_entry'))
    )
    with op.batch_alter_table('access_log_entry', schema=None) as batch_op:
        batch_op.create_index('ix_access_log_entry_actor_at', ['actor_user_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_access_log_entry_provider_at', ['provider_id', 'occurred_at'], unique=False)
        batch_op.create_index('uq_access_log_entry_resident_seq', ['resident_id', 'seq'], unique=True)

    op.create_table('consent_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('provider_name', sa.String(length=120), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('event_type', sa.String(length=20), nullable=False),
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('notice_version', sa.Integer(), nullable=False),
    sa.Column('notice_hash', sa.String(length=64), nullable=False),
    sa.Column('access_modes', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actor_user_id', sa.String(length=32), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_provider', sa.String(length=120), nullable=True),
    sa.Column('on_behalf', sa.Boolean(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('witness_user_id', sa.String(length=32), nullable=True),
    sa.Column('witness_name', sa.String(length=80), nullable=True),
    sa.Column('resident_confirmed', sa.Boolean(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('receipt_code', sa.String(length=20), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('event_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("event_type IN ('given', 'renewed', 'paused', 'resumed', 'withdrawn', 'expired', 'invalidated', 'confirmed', 'refused', 'requested', 'modes_changed')", name=op.f('ck_consent_event_event_type')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_consent_event_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_event'))
    )
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_event_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index('uq_consent_event_resident_seq', ['resident_id', 'seq'], unique=True)

    op.create_table('consent_grant',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('notice_id', sa.String(length=32), nullable=False),
    sa.Column('access_modes', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('last_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_accessed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.String(length=32), nullable=True),
    sa.CheckConstraint("area IN ('digital', 'financial', 'job_readiness')", name=op.f('ck_consent_grant_area')),
    sa.CheckConstraint("state IN ('pending', 'given', 'renewed', 'paused', 'withdrawn', 'expired', 'invalidated', 'refused')", name=op.f('ck_consent_grant_state')),
    sa.ForeignKeyConstraint(['notice_id'], ['sharing_notice.id'], name=op.f('fk_consent_grant_notice_id_sharing_notice')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_consent_grant_provider_id_provider')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_consent_grant_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_consent_grant_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_grant'))
    )
    with op.batch_alter_table('consent_grant', schema=None) as batch_op:
        batch_op.create_index('ix_consent_grant_provider_state', ['provider_id', 'state', 'area'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_grant_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('uq_consent_grant_live', ['resident_id', 'provider_id', 'area'], unique=True, sqlite_where=sa.text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"), postgresql_where=sa.text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"))

    op.create_table('consent_receipt',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_consent_receipt_resident_id_user_account')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_consent_receipt'))
    )
    with op.batch_alter_table('consent_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_receipt_resident_id'), ['resident_id'], unique=False)

    op.create_table('access_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('flagged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['access_log_entry.id'], name=op.f('fk_access_flag_entry_id_access_log_entry')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_access_flag_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_flag'))
    )
    with op.batch_alter_table('access_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_flag_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_flag_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_flag_resident_id'), ['resident_id'], unique=False)

    dialect = op.get_bind().dialect.name
    _run(drop_append_only_sql(dialect, "plan_event"))
    for table in HISTORY:
        _run(erasable_append_only_sql(dialect, table))
    _run(immutable_sql(dialect, "sharing_notice", NOTICE_CONTENT))

def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _run(drop_immutable_sql(dialect, "sharing_notice"))
    for table in HISTORY:
        _run(drop_append_only_sql(dialect, table))
    _run(append_only_sql(dialect, "plan_event"))
    with op.batch_alter_table('access_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_flag_resident_id'))
        batch_op.drop_index(batch_op.f('ix_access_flag_provider_id'))
        batch_op.drop_index(batch_op.f('ix_access_flag_entry_id'))

    op.drop_table('access_flag')
    with op.batch_alter_table('consent_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_receipt_resident_id'))

    op.drop_table('consent_receipt')
    with op.batch_alter_table('consent_grant', schema=None) as batch_op:
        batch_op.drop_index('uq_consent_grant_live', sqlite_where=sa.text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"), postgresql_where=sa.text("state IN ('pending', 'given', 'renewed', 'paused', 'invalidated')"))
        batch_op.drop_index(batch_op.f('ix_consent_grant_resident_id'))
        batch_op.drop_index('ix_consent_grant_provider_state')

    op.drop_table('consent_grant')
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.drop_index('uq_consent_event_resident_seq')
        batch_op.drop_index(batch_op.f('ix_consent_event_grant_id'))

    op.drop_table('consent_event')
    with op.batch_alter_table('access_log_entry', schema=None) as batch_op:
        batch_op.drop_index('uq_access_log_entry_resident_seq')
        batch_op.drop_index('ix_access_log_entry_provider_at')
        batch_op.drop_index('ix_access_log_entry_actor_at')

    op.drop_table('access_log_entry')
    with op.batch_alter_table('sharing_notice', schema=None) as batch_op:
        batch_op.drop_index('uq_sharing_notice_provider_area_version')

    op.drop_table('sharing_notice')
    op.drop_table('erasure_tombstone')
    op.drop_table('erasure_permit')
