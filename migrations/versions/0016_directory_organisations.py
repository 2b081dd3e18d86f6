"""Directory services belong to directory organisations: a member of the partnership (its
provider, same id) or an organisation whose services were imported from another directory's
Open Referral feed. Existing services move to their provider's organisation.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 06:55:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('directory_organisation',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_directory_organisation_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_organisation'))
    )
    with op.batch_alter_table('directory_organisation', schema=None) as batch_op:
        batch_op.create_index('uq_directory_organisation_provider', ['provider_id'], unique=True)
    empty = "CAST('{}' AS JSON)" if op.get_bind().dialect.name == "postgresql" else "'{}'"  # (SQLite would cast it to 0)
    op.execute("INSERT INTO directory_organisation (id, provider_id, description, updated_at)"
               f" SELECT provider_id, provider_id, {empty}, CURRENT_TIMESTAMP FROM (SELECT DISTINCT provider_id FROM directory_service) AS used")
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.String(length=32), nullable=True))
    op.execute("UPDATE directory_service SET organisation_id = provider_id")
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.alter_column('organisation_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_index('ix_directory_service_provider')
        batch_op.drop_constraint(op.f('fk_directory_service_provider_id_provider'), type_='foreignkey')
        batch_op.drop_column('provider_id')
        batch_op.create_foreign_key(op.f('fk_directory_service_organisation_id_directory_organisation'), 'directory_organisation',
                                    ['organisation_id'], ['id'])
        batch_op.create_index('ix_directory_service_organisation', ['organisation_id'], unique=False)


def downgrade():
    # Services of organisations outside the partnership had no place before: refuse rather than lose them.
    imported = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM directory_service JOIN directory_organisation ON directory_organisation.id = directory_service.organisation_id"
        " WHERE directory_organisation.provider_id IS NULL")).scalar()
    if imported:
        raise RuntimeError(f"{imported} services belong to organisations outside the partnership: going back to 0015 would lose them")
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.String(length=32), nullable=True))
    op.execute("UPDATE directory_service SET provider_id = (SELECT provider_id FROM directory_organisation"
               " WHERE directory_organisation.id = directory_service.organisation_id)")
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.alter_column('provider_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.drop_index('ix_directory_service_organisation')
        batch_op.drop_constraint(op.f('fk_directory_service_organisation_id_directory_organisation'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
        batch_op.create_foreign_key(op.f('fk_directory_service_provider_id_provider'), 'provider', ['provider_id'], ['id'])
        batch_op.create_index('ix_directory_service_provider', ['provider_id'], unique=False)
    with op.batch_alter_table('directory_organisation', schema=None) as batch_op:
        batch_op.drop_index('uq_directory_organisation_provider')
    op.drop_table('directory_organisation')
