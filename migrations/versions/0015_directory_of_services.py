"""The directory of the partnership's services, published as Open Referral UK (HSDS 3.0): services
of each organisation, where they are offered, and the taxonomies they are tagged with (the LGA's
esdNeeds and esdCircumstances). Nothing about residents.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 06:26:21
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('taxonomy',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('uri', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy')),
    sa.UniqueConstraint('name', name=op.f('uq_taxonomy_name'))
    )
    op.create_table('directory_service',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('provider_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('cost', sa.JSON(), nullable=False),
    sa.Column('opening_times', sa.JSON(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('intake', sa.String(length=20), nullable=False),
    sa.Column('wait_weeks', sa.Integer(), nullable=True),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("intake IN ('taking_referrals', 'waiting_list', 'not_taking')", name=op.f('ck_directory_service_intake')),
    sa.CheckConstraint("status IN ('active', 'inactive', 'defunct', 'temporarily closed')", name=op.f('ck_directory_service_status')),
    sa.CheckConstraint('wait_weeks IS NULL OR (wait_weeks >= 0 AND wait_weeks <= 104)', name=op.f('ck_directory_service_wait_weeks')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_directory_service_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_service'))
    )
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.create_index('ix_directory_service_provider', ['provider_id'], unique=False)

    op.create_table('taxonomy_term',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('taxonomy_id', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('name', sa.JSON(), nullable=False),
    sa.Column('term_uri', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['taxonomy_id'], ['taxonomy.id'], name=op.f('fk_taxonomy_term_taxonomy_id_taxonomy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_term'))
    )
    with op.batch_alter_table('taxonomy_term', schema=None) as batch_op:
        batch_op.create_index('uq_taxonomy_term_code', ['taxonomy_id', 'code'], unique=True)

    op.create_table('service_location',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('service_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address_1', sa.String(length=120), nullable=True),
    sa.Column('address_2', sa.String(length=120), nullable=True),
    sa.Column('town', sa.String(length=60), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('accessibility', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('physical', 'virtual')", name=op.f('ck_service_location_kind')),
    sa.ForeignKeyConstraint(['service_id'], ['directory_service.id'], name=op.f('fk_service_location_service_id_directory_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_location'))
    )
    with op.batch_alter_table('service_location', schema=None) as batch_op:
        batch_op.create_index('ix_service_location_service', ['service_id'], unique=False)

    op.create_table('service_term',
    sa.Column('service_id', sa.String(length=32), nullable=False),
    sa.Column('term_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['directory_service.id'], name=op.f('fk_service_term_service_id_directory_service')),
    sa.ForeignKeyConstraint(['term_id'], ['taxonomy_term.id'], name=op.f('fk_service_term_term_id_taxonomy_term')),
    sa.PrimaryKeyConstraint('service_id', 'term_id', name=op.f('pk_service_term'))
    )
    with op.batch_alter_table('service_term', schema=None) as batch_op:
        batch_op.create_index('ix_service_term_term', ['term_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('service_term', schema=None) as batch_op:
        batch_op.drop_index('ix_service_term_term')

    op.drop_table('service_term')
    with op.batch_alter_table('service_location', schema=None) as batch_op:
        batch_op.drop_index('ix_service_location_service')

    op.drop_table('service_location')
    with op.batch_alter_table('taxonomy_term', schema=None) as batch_op:
        batch_op.drop_index('uq_taxonomy_term_code')

    op.drop_table('taxonomy_term')
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.drop_index('ix_directory_service_provider')

    op.drop_table('directory_service')
    op.drop_table('taxonomy')
