"""Referrals the resident controls: a tutor's (or the resident's own) referral to a service of
another organisation, which goes nowhere until the resident agrees, with its history as
append-only events. Suggestions become referrals (nothing lost: the downgrade turns them back).
The access log gains the action "opened_referral".

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 10:30:00
"""

import json

import sqlalchemy as sa
from alembic import op
from db_guards import drop_append_only_sql, erasable_append_only_sql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

ACTIONS = "'listed_in_dashboard', 'opened_plan_area', 'recorded_progress', 'appeared_in_search', 'exported_summary', 'listed_as_waiting'"
STATES = "'waiting', 'sent', 'accepted', 'declined', 'in_progress', 'closed', 'withdrawn', 'expired'"
DECLINES = "'not_eligible', 'no_capacity', 'not_what_we_do', 'could_not_contact', 'other'"
OUTCOMES = "'got_help', 'could_not_contact', 'no_capacity', 'not_eligible', 'no_longer_needed'"
# A suggestion still waiting is a referral waiting for the resident. One they took up only led
# them to the sharing page: they never agreed to send a referral, so it is closed (never sent: the
# receiver never sees it, nothing expires, the gap report does not count it); one they turned
# down, withdrawn. And back again.
FROM_SUGGESTION = {"waiting": "waiting", "accepted": "closed", "dismissed": "withdrawn"}
TO_SUGGESTION = {"waiting": "waiting", "closed": "accepted", "withdrawn": "dismissed"}


def _actions(actions: str) -> None:
    """As in 0008: SQLite rebuilds the table to change a CHECK constraint, so its append-only
    triggers come off first and go back after."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in drop_append_only_sql(dialect, "access_log_entry"):
            op.execute(statement)
    with op.batch_alter_table('access_log_entry', schema=None, recreate="always" if dialect == "sqlite" else "auto") as batch_op:
        batch_op.drop_constraint(op.f('ck_access_log_entry_action'), type_='check')
        batch_op.create_check_constraint(op.f('ck_access_log_entry_action'), f"action IN ({actions})")
    if dialect == "sqlite":
        for statement in erasable_append_only_sql(dialect, "access_log_entry"):
            op.execute(statement)


def _create_suggestion() -> None:
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


def upgrade() -> None:
    op.create_table('referral',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('service_id', sa.String(length=32), nullable=True),
    sa.Column('to_provider_id', sa.String(length=32), nullable=False),
    sa.Column('from_provider_id', sa.String(length=32), nullable=True),
    sa.Column('referred_by_id', sa.String(length=32), nullable=False),
    sa.Column('referred_by_name', sa.String(length=80), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('offer', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('decline_reason', sa.String(length=20), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('outcome_shared', sa.Boolean(), nullable=False),
    sa.Column('not_heard_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"state IN ({STATES})", name=op.f('ck_referral_state')),
    sa.CheckConstraint(f"decline_reason IS NULL OR decline_reason IN ({DECLINES})", name=op.f('ck_referral_decline_reason')),
    sa.CheckConstraint(f"outcome IS NULL OR outcome IN ({OUTCOMES})", name=op.f('ck_referral_outcome')),
    sa.ForeignKeyConstraint(['from_provider_id'], ['provider.id'], name=op.f('fk_referral_from_provider_id_provider')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['user_account.id'], name=op.f('fk_referral_referred_by_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['user_account.id'], name=op.f('fk_referral_resident_id_user_account')),
    sa.ForeignKeyConstraint(['service_id'], ['directory_service.id'], name=op.f('fk_referral_service_id_directory_service')),
    sa.ForeignKeyConstraint(['to_provider_id'], ['provider.id'], name=op.f('fk_referral_to_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_from_provider', ['from_provider_id'], unique=False)
        batch_op.create_index('ix_referral_inbox', ['to_provider_id', 'state', 'sent_at'], unique=False)
        batch_op.create_index('ix_referral_state_sent', ['state', 'sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_resident_id'), ['resident_id'], unique=False)

    op.create_table('referral_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('actor_user_id', sa.String(length=32), nullable=True),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('actor_provider', sa.String(length=200), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_event_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_event'))
    )
    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index('ix_referral_event_referral', ['referral_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_event_resident_id'), ['resident_id'], unique=False)

    bind = op.get_bind()
    referral = sa.table('referral', sa.column('areas', sa.JSON), *[sa.column(c) for c in (
        'id', 'resident_id', 'to_provider_id', 'from_provider_id', 'referred_by_id', 'referred_by_name', 'reason',
        'offer', 'state', 'outcome_shared', 'created_at', 'sent_at', 'changed_at')])
    event = sa.table('referral_event', sa.column('details', sa.JSON), *[sa.column(c) for c in (
        'referral_id', 'resident_id', 'kind', 'state', 'actor_user_id', 'actor_role', 'actor_name', 'actor_provider', 'occurred_at')])
    names = dict(bind.execute(sa.text("SELECT id, display_name FROM user_account")).all())
    providers = dict(bind.execute(sa.text("SELECT id, name FROM provider")).all())
    rows = bind.execute(sa.text("SELECT id, resident_id, from_provider_id, to_provider_id, area, suggested_by_id, suggested_by_name,"
                                " state, created_at, answered_at FROM suggestion ORDER BY created_at")).mappings().all()
    for row in rows:
        state = FROM_SUGGESTION[row["state"]]
        bind.execute(referral.insert().values(
            id=row["id"], resident_id=row["resident_id"], to_provider_id=row["to_provider_id"], from_provider_id=row["from_provider_id"],
            referred_by_id=row["suggested_by_id"], referred_by_name=row["suggested_by_name"], areas=[row["area"]], reason="", offer="",
            state=state, outcome_shared=False, created_at=row["created_at"],
            sent_at=None, changed_at=row["answered_at"] or row["created_at"]))
        bind.execute(event.insert().values(
            referral_id=row["id"], resident_id=row["resident_id"], kind="made", state="waiting", actor_user_id=row["suggested_by_id"],
            actor_role="tutor", actor_name=row["suggested_by_name"], actor_provider=providers.get(row["from_provider_id"]),
            details={"areas": [row["area"]], "from_suggestion": True}, occurred_at=row["created_at"]))
        if state != "waiting":
            bind.execute(event.insert().values(
                referral_id=row["id"], resident_id=row["resident_id"], kind="took_up_suggestion" if state == "closed" else "said_no", state=state,
                actor_user_id=row["resident_id"], actor_role="resident",
                actor_name=(names.get(row["resident_id"]) or "").split(" ")[0][:80], actor_provider=None,
                details={}, occurred_at=row["answered_at"] or row["created_at"]))
    op.drop_table('suggestion')

    for statement in erasable_append_only_sql(bind.dialect.name, "referral_event"):
        op.execute(statement)
    _actions(ACTIONS + ", 'opened_referral'")


def downgrade() -> None:
    bind = op.get_bind()
    looks = bind.execute(sa.text("SELECT count(*) FROM access_log_entry WHERE action = 'opened_referral'")).scalar()
    if looks:  # as in 0008: deleting them would break residents' hash chains
        raise RuntimeError(f"{looks} access-log entries are 'opened_referral': going back to 0017 would lose them")
    # A suggestion holds one organisation, one area and an answer: refuse rather than lose a referral
    # that is more than that (made since, with a service, a reason or an offer, or sent at all).
    more = bind.execute(sa.text("SELECT count(*) FROM referral WHERE from_provider_id IS NULL OR service_id IS NOT NULL"
                                " OR reason != '' OR offer != '' OR sent_at IS NOT NULL"
                                " OR state NOT IN ('waiting', 'closed', 'withdrawn')")).scalar()
    if more:
        raise RuntimeError(f"{more} referrals hold more than a suggestion can: going back to 0017 would lose them")
    _actions(ACTIONS)
    _create_suggestion()
    suggestion = sa.table('suggestion', *[sa.column(c) for c in (
        'id', 'resident_id', 'from_provider_id', 'to_provider_id', 'area', 'suggested_by_id', 'suggested_by_name', 'state',
        'created_at', 'answered_at')])
    rows = bind.execute(sa.text("SELECT id, resident_id, from_provider_id, to_provider_id, areas, referred_by_id, referred_by_name,"
                                " state, created_at, sent_at, changed_at FROM referral ORDER BY created_at")).mappings().all()
    for row in rows:
        areas = row["areas"] if isinstance(row["areas"], list) else json.loads(row["areas"])
        state = TO_SUGGESTION[row["state"]]
        for area in areas[:1]:
            bind.execute(suggestion.insert().values(
                id=row["id"], resident_id=row["resident_id"], from_provider_id=row["from_provider_id"], to_provider_id=row["to_provider_id"],
                area=area, suggested_by_id=row["referred_by_id"], suggested_by_name=row["referred_by_name"], state=state,
                created_at=row["created_at"], answered_at=None if state == "waiting" else row["changed_at"]))
    for statement in drop_append_only_sql(bind.dialect.name, "referral_event"):
        op.execute(statement)
    op.drop_table('referral_event')
    op.drop_table('referral')
