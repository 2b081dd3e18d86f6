"""organisations' descriptions in every shipped language: provider.description becomes JSON
({"en": ..., "pl": ...}); an existing English text is kept as "en" (the admin adds the Polish)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:30:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _rewrite(column_type, convert) -> None:
    """Copy each description into a new column of ``column_type`` through ``convert``, then put the
    new column in the old one's place (batch mode: SQLite rebuilds the table)."""
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, description FROM provider")).fetchall()
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description_new', column_type, nullable=True))
    table = sa.table('provider', sa.column('id', sa.String), sa.column('description_new', column_type))
    for provider_id, description in rows:
        connection.execute(table.update().where(table.c.id == provider_id).values(description_new=convert(description)))
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_column('description')
        batch_op.alter_column('description_new', new_column_name='description', nullable=False, existing_type=column_type)


def upgrade():
    _rewrite(sa.JSON(), lambda text: {"en": text} if text else {})


def downgrade():
    def english(value):
        texts = json.loads(value) if isinstance(value, str) else (value or {})
        return (texts.get("en") or "")[:500]
    _rewrite(sa.String(length=500), english)
