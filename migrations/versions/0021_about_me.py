"""About me: a resident's own account of their situation, shared field by field through consent.

Sharing notices and consents gain a fourth part, ``about_me``, beside the three areas of a plan;
a consent (and each consent event) to it names the fields the resident chose. Every answer is an
append-only entry.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, drop_immutable_sql, erasable_append_only_sql, immutable_sql

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

AREAS = ('digital', 'financial', 'job_readiness')
PARTS = (*AREAS, 'about_me')
# What 0003 made immutable (the trigger is rebuilt with the table on SQLite).
NOTICE_CONTENT = ["provider_id", "area", "version", "access_modes", "fields_shown", "purposes", "summary", "retention",
                  "change_summary", "change_is_material", "lawful_basis", "dsa_reference", "content_hash", "published_at"]


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _parts(values) -> None:
    """The area checks of notices and consents. SQLite rebuilds both tables to change a check:
    the notice's immutability triggers go first and come back after."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_immutable_sql(dialect, "sharing_notice"):
            op.execute(statement)
    for table in ("sharing_notice", "consent_grant"):
        with op.batch_alter_table(table, schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
            batch_op.drop_constraint(op.f(f'ck_{table}_area'), type_='check')
            batch_op.create_check_constraint(op.f(f'ck_{table}_area'), _in('area', values))
    if dialect == "sqlite":
        for statement in immutable_sql(dialect, "sharing_notice", NOTICE_CONTENT):
            op.execute(statement)


def upgrade() -> None:
    _parts(PARTS)
    op.add_column('consent_grant', sa.Column('fields', sa.JSON(), nullable=True))
    op.add_column('consent_event', sa.Column('fields', sa.JSON(), nullable=True))
    op.create_table('about_me_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.Column('rather_not_say', sa.Boolean(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by_id', sa.String(length=32), nullable=True),
    sa.Column('entered_by_role', sa.String(length=20), nullable=False),
    sa.Column('entered_by_name', sa.String(length=80), nullable=False),
    sa.Column('entered_by_provider', sa.String(length=120), nullable=True),
    sa.Column('with_resident', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_about_me_entry_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_about_me_entry_resident_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_about_me_entry'))
    )
    op.create_index('ix_about_me_entry_resident_field', 'about_me_entry', ['resident_id', 'field', 'id'])
    op.create_index('ix_about_me_entry_entered_at', 'about_me_entry', ['entered_at'])
    for statement in erasable_append_only_sql(op.get_bind().dialect.name, "about_me_entry"):
        op.execute(statement)


def downgrade() -> None:
    # Consents to "About me" cannot be described by the old areas: refuse rather than lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM sharing_notice WHERE area = 'about_me'")).scalar():
        raise RuntimeError("there are sharing notices for About me; downgrading would lose them and their consents")
    for statement in drop_append_only_sql(bind.dialect.name, "about_me_entry"):
        op.execute(statement)
    op.drop_table('about_me_entry')
    if bind.dialect.name == "sqlite":
        for statement in drop_append_only_sql("sqlite", "consent_event"):
            op.execute(statement)
    with op.batch_alter_table('consent_event', schema=None) as batch_op:
        batch_op.drop_column('fields')
    if bind.dialect.name == "sqlite":
        for statement in erasable_append_only_sql("sqlite", "consent_event"):
            op.execute(statement)
    with op.batch_alter_table('consent_grant', schema=None) as batch_op:
        batch_op.drop_column('fields')
    _parts(AREAS)
