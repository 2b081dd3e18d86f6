"""A service's intake may be unknown: services imported from another directory's feed do not say
whether they are taking new people, and the directory must not claim they are.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 07:00:00
"""

from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

BEFORE = "'taking_referrals', 'waiting_list', 'not_taking'"


def _intakes(values: str) -> None:
    with op.batch_alter_table('directory_service', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_directory_service_intake'), type_='check')
        batch_op.create_check_constraint(op.f('ck_directory_service_intake'), f"intake IN ({values})")


def upgrade():
    _intakes(BEFORE + ", 'unknown'")
    # Services imported before this were given "taking referrals" only as a default: nobody said so.
    op.execute("UPDATE directory_service SET intake = 'unknown' WHERE organisation_id IN"
               " (SELECT id FROM directory_organisation WHERE provider_id IS NULL)")


def downgrade():
    # Nothing was known before either: "not taking" would be a claim, "taking" too; ask the service.
    op.execute("UPDATE directory_service SET intake = 'not_taking' WHERE intake = 'unknown'")
    _intakes(BEFORE)
