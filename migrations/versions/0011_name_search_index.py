"""An index for finding residents by any part of their name (staff search), at a county's size:
a trigram index. PostgreSQL: pg_trgm's GIN index on lower(display_name), which LIKE '%…%' uses.
SQLite: an FTS5 table with the trigram tokenizer, ``user_account_name``, kept by triggers.

The triggers belong to user_account: a later migration that rebuilds that table on SQLite
(``batch_alter_table``) drops them, and must create them again (``create_sqlite_name_index``)
and rebuild the table. tests/test_staff_paging.py fails if they are missing.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 21:05:00
"""

from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER user_account_name_added AFTER INSERT ON user_account BEGIN
         INSERT INTO user_account_name (user_id, display_name) VALUES (new.id, new.display_name); END""",
    """CREATE TRIGGER user_account_name_changed AFTER UPDATE OF display_name ON user_account BEGIN
         DELETE FROM user_account_name WHERE user_id = old.id;
         INSERT INTO user_account_name (user_id, display_name) VALUES (new.id, new.display_name); END""",
    """CREATE TRIGGER user_account_name_removed AFTER DELETE ON user_account BEGIN
         DELETE FROM user_account_name WHERE user_id = old.id; END""",
)


def create_sqlite_name_index():
    # The id is stored (not indexed) rather than pointing at user_account's rowid, which VACUUM
    # and table rebuilds may renumber.
    op.execute("CREATE VIRTUAL TABLE user_account_name USING fts5(user_id UNINDEXED, display_name, tokenize='trigram')")
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
    op.execute("INSERT INTO user_account_name (user_id, display_name) SELECT id, display_name FROM user_account")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_user_account_name_trigram ON user_account USING gin (lower(display_name) gin_trgm_ops)")
    else:
        create_sqlite_name_index()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_user_account_name_trigram")  # the extension stays: others may use it
    else:
        for name in ("added", "changed", "removed"):
            op.execute(f"DROP TRIGGER user_account_name_{name}")
        op.execute("DROP TABLE user_account_name")
