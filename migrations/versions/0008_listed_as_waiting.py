"""a tutor's list of residents their organisation registered who have not chosen what to share
yet is logged like every other look: access_log_entry gains the action "listed_as_waiting", and
its grant_id may be empty (there is no consent behind that list, only the registration)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 18:10:00
"""

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, erasable_append_only_sql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ACTIONS = "'listed_in_dashboard', 'opened_plan_area', 'recorded_progress', 'appeared_in_search', 'exported_summary'"


def _rebuild(actions: str, grant_nullable: bool) -> None:
    """SQLite rebuilds the table to change a CHECK constraint or a NOT NULL, which drops its
    append-only triggers: they are taken off first and put back after. (PostgreSQL alters it in place.)"""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_append_only_sql(dialect, "access_log_entry"):
            op.execute(statement)
    with op.batch_alter_table('access_log_entry', schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
        batch_op.drop_constraint(op.f('ck_access_log_entry_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_access_log_entry_action'), f"action IN ({actions})")
        batch_op.alter_column('grant_id', existing_type=sa.String(length=32), nullable=grant_nullable)
    if dialect == "sqlite":
        for statement in erasable_append_only_sql(dialect, "access_log_entry"):
            op.execute(statement)


def upgrade():
    _rebuild(ACTIONS + ", 'listed_as_waiting'", True)


def downgrade():
    # Entries of the waiting list have no consent to point to, and deleting them would leave gaps
    # in residents' hash chains (flask verify-chains would call it tampering): refuse instead,
    # before anything changes (SQLite cannot roll DDL back).
    waiting = op.get_bind().execute(sa.text("SELECT count(*) FROM access_log_entry WHERE action = 'listed_as_waiting'")).scalar()
    if waiting:
        raise RuntimeError(f"{waiting} access-log entries are 'listed_as_waiting': going back to 0007 would lose them")
    _rebuild(ACTIONS, False)
