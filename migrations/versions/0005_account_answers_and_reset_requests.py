"""account history the resident can answer, and password-reset requests for administrators

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 12:12:23.256118
"""

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, erasable_append_only_sql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('created_by_tutor', 'setup_code_issued', 'password_set')"
NEW_KINDS = ("kind IN ('created_by_tutor', 'setup_code_issued', 'password_set', 'password_set_with_code', "
             "'first_password_set', 'password_changed', 'reset_requested')")


def _change_account_event(dialect: str, kinds: str, add_role: bool) -> None:
    """SQLite rebuilds the table to change a CHECK constraint, which drops its append-only
    triggers: they are taken off first and put back after. (PostgreSQL alters it in place.)"""
    if dialect == "sqlite":
        for statement in drop_append_only_sql(dialect, "account_event"):
            op.execute(statement)
    with op.batch_alter_table('account_event', schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
        if add_role:
            batch_op.add_column(sa.Column('actor_user_id', sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column('actor_role', sa.String(length=20), nullable=True))
        else:
            batch_op.drop_column('actor_role')
            batch_op.drop_column('actor_user_id')
        batch_op.drop_constraint(op.f('ck_account_event_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_account_event_kind'), kinds)
    if dialect == "sqlite":
        for statement in erasable_append_only_sql(dialect, "account_event"):
            op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _change_account_event(dialect, NEW_KINDS, add_role=True)
    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_setup_code_provider_id_provider'), 'provider', ['provider_id'], ['id'])
    # Codes given before this: the giver's organisation now is the best record there is.
    op.execute("UPDATE setup_code SET provider_id = (SELECT provider_id FROM user_account WHERE user_account.id = setup_code.created_by_id)")

    op.create_table('password_reset_request',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=40), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=True),
    sa.Column('requested_by_id', sa.String(length=32), nullable=False),
    sa.Column('requested_by_name', sa.String(length=80), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('provider_name', sa.String(length=120), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('handled_by_name', sa.String(length=80), nullable=True),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('waiting', 'code_given', 'closed')", name=op.f('ck_password_reset_request_state')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_password_reset_request_provider_id_provider')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_password_reset_request_requested_by_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_password_reset_request_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_request'))
    )
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_request_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index('ix_password_reset_request_state_at', ['state', 'requested_at'], unique=False)

    op.create_table('account_event_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("answer IN ('was_me', 'not_me')", name=op.f('ck_account_event_answer_answer')),
    sa.ForeignKeyConstraint(['event_id'], ['account_event.id'], name=op.f('fk_account_event_answer_event_id_account_event')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_account_event_answer_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_event_answer'))
    )
    with op.batch_alter_table('account_event_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_event_answer_event_id'), ['event_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_account_event_answer_resident_id'), ['resident_id'], unique=False)
    for statement in erasable_append_only_sql(dialect, "account_event_answer"):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Account history written since 0005 cannot be described by the old kinds: refuse, before
    # anything is dropped (SQLite cannot roll DDL back), rather than lose it.
    if op.get_bind().execute(sa.text(f"SELECT count(*) FROM account_event WHERE NOT ({OLD_KINDS})")).scalar():
        raise RuntimeError("account_event has rows of kinds added in 0005; downgrading would lose them")
    with op.batch_alter_table('setup_code', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_setup_code_provider_id_provider'), type_='foreignkey')
        batch_op.drop_column('provider_id')
    for statement in drop_append_only_sql(dialect, "account_event_answer"):
        op.execute(statement)
    with op.batch_alter_table('account_event_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_event_answer_resident_id'))
        batch_op.drop_index(batch_op.f('ix_account_event_answer_event_id'))
    op.drop_table('account_event_answer')
    with op.batch_alter_table('password_reset_request', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_request_state_at')
        batch_op.drop_index(batch_op.f('ix_password_reset_request_resident_id'))
    op.drop_table('password_reset_request')
    _change_account_event(dialect, OLD_KINDS, add_role=False)
