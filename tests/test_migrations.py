"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and every one reverses."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import Session, select

from tracker.commands import migrate
from tracker.database import make_engine
from tracker.models import Provider, metadata, modelled


def _diff(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False,
                                                                   "include_name": modelled})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = {name for name in inspect(engine).get_table_names() if modelled(name)} - {"alembic_version"}
    engine.dispose()
    return names


def test_upgrade_head_builds_exactly_the_models(any_empty_database_url):
    migrate.upgrade(any_empty_database_url)
    assert _diff(any_empty_database_url) == []
    assert _tables(any_empty_database_url) == set(metadata.tables)


def test_every_revision_downgrades_and_upgrades_again(any_empty_database_url):
    url = any_empty_database_url
    revisions = list(ScriptDirectory.from_config(migrate.alembic_config(url)).walk_revisions())
    assert revisions, "no migrations found"
    migrate.upgrade(url)
    for _ in revisions:
        migrate.downgrade(url, "-1")
    assert _tables(url) == set()
    migrate.upgrade(url)
    assert _diff(url) == []


def test_migration_ids_are_numbered_in_order():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    ids = [revision.revision for revision in script.walk_revisions()][::-1]
    assert ids == [f"{n:04d}" for n in range(1, len(ids) + 1)]


def test_area_progress_is_filled_from_existing_plans_when_migrating(tmp_path):
    """0004 adds the dashboard's read model; plans made before it must appear in it."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0003")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO user_account (id, username, display_name, role, password_hash, active, created_at) "
                                "VALUES ('r1', 'amira', 'Amira', 'resident', 'x', 1, '2026-01-01 00:00:00')"))
        for stage, at in ((2, "2026-02-01 00:00:00"), (4, "2026-03-01 00:00:00")):
            connection.execute(text("INSERT INTO check_in (id, resident_id, area, stage, made_at, recorded_by_id) "
                                    f"VALUES ('c{stage}', 'r1', 'digital', {stage}, '{at}', 'r1')"))
        connection.execute(text("INSERT INTO plan_goal (id, resident_id, area, own_title, status, created_at, updated_at) "
                                "VALUES ('g1', 'r1', 'digital', 'Email', 'done', '2026-02-01 00:00:00', '2026-02-01 00:00:00')"))
        connection.execute(text("INSERT INTO plan_event (resident_id, occurred_at, actor_role, actor_name, kind, area) "
                                "VALUES ('r1', '2026-03-05 00:00:00', 'resident', 'Amira', 'goal_status_changed', 'digital')"))
    migrate.upgrade(url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT first_stage, latest_stage, goals_done, last_activity_at FROM area_progress")).one()
    engine.dispose()
    assert tuple(row[:3]) == (2, 4, 1) and str(row[3]).startswith("2026-03-05")


def _normal(sql: str) -> str:
    """A CHECK condition in a comparable form: PostgreSQL rewrites ``IN (…)`` as ``= ANY (ARRAY[…])``
    with casts and brackets; both become the bare words and values, in order."""
    sql = str(sql).lower()
    sql = re.sub(r"::(character varying|[a-z]+)(\[\])?", " ", sql)
    sql = sql.replace("= any (array[", " in (").replace("<> all (array[", " not in (")
    words = " ".join(re.findall(r"'[^']*'|[a-z_]+|[0-9]+|<>|>=|<=|=|<|>", sql))
    return re.sub(r"(\w+) between (\w+) and (\w+)", r"\1 >= \2 and \1 <= \3", words)


def _model_checks() -> dict[tuple[str, str], str]:
    from sqlalchemy import CheckConstraint

    checks = {}
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, CheckConstraint):
                name = metadata.naming_convention["ck"] % {"table_name": table.name, "constraint_name": constraint.name}
                checks[(table.name, name if not str(constraint.name).startswith("ck_") else str(constraint.name))] = _normal(constraint.sqltext)
    return checks


def test_the_migrations_check_constraints_match_the_models(any_empty_database_url):
    """Alembic's autogenerate ignores CHECK constraints, so a model whose allowed values changed
    without a migration (a new kind of event, a new state) would pass the test above and then be
    refused by the database in production."""
    migrate.upgrade(any_empty_database_url)
    engine = make_engine(any_empty_database_url)
    inspector = inspect(engine)
    in_database = {(table, check["name"]): _normal(check["sqltext"])
                   for table in inspector.get_table_names() if table != "alembic_version"
                   for check in inspector.get_check_constraints(table)}
    engine.dispose()
    expected = _model_checks()
    assert expected, "the models have CHECK constraints"
    assert in_database == expected


def test_a_refused_downgrade_of_0005_leaves_the_database_as_it_was(tmp_path):
    """0005 refuses to go back when account history uses its new kinds. SQLite cannot roll back
    DDL, so the refusal must come before anything is dropped."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path}/db.sqlite3"
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO user_account (id, username, display_name, role, password_hash, active, created_at) "
                                "VALUES ('r1', 'amira', 'Amira', 'resident', 'x', 1, '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO account_event (resident_id, kind, actor_name, occurred_at) "
                                "VALUES ('r1', 'password_changed', 'Amira', '2026-01-02 00:00:00')"))
    import pytest

    with pytest.raises(RuntimeError, match="would lose them"):
        migrate.downgrade(url, "0004")
    assert {"account_event_answer", "password_reset_request"} <= _tables(url)
    migrate.upgrade(url)
    assert _diff(url) == []
    engine.dispose()


def test_organisations_keep_their_description_as_the_english_text(any_empty_database_url):
    """0007 makes descriptions a text per language: what was written stays, as English, and a
    downgrade gives the English back."""
    from sqlalchemy import text

    migrate.upgrade(any_empty_database_url, "0006")
    engine = make_engine(any_empty_database_url)
    with engine.begin() as connection:
        for provider_id, description in (("p1", "Free courses for adults."), ("p2", "")):
            connection.execute(text("INSERT INTO provider (id, name, kind, description, active, created_at) "
                                    "VALUES (:id, :name, 'adult_learning', :description, true, '2026-01-01 00:00:00')"),
                               {"id": provider_id, "name": f"Provider {provider_id}", "description": description})
    migrate.upgrade(any_empty_database_url)
    with Session(engine) as db:
        assert {p.id: p.description for p in db.exec(select(Provider)).all()} == {"p1": {"en": "Free courses for adults."}, "p2": {}}
    migrate.downgrade(any_empty_database_url, "0006")
    with engine.connect() as connection:
        assert dict(connection.execute(text("SELECT id, description FROM provider")).fetchall()) == {"p1": "Free courses for adults.", "p2": ""}
    engine.dispose()


def test_0008_keeps_the_access_log_and_the_flags_that_point_into_it(any_empty_database_url):
    """0008 copies access_log_entry on SQLite; a resident's "this doesn't look right" flag points
    into it, and 0009 copies user_account, which everything points to: nothing may be lost. Going
    back is refused while a waiting-list entry exists (0007 cannot hold it)."""
    import pytest
    from sqlalchemy import text

    migrate.upgrade(any_empty_database_url, "0007")
    engine = make_engine(any_empty_database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO user_account (id, username, display_name, role, password_hash, active, created_at) "
                                "VALUES ('r1', 'amira', 'Amira', 'resident', 'x', true, '2026-01-01 00:00:00+00')"))
        connection.execute(text(
            "INSERT INTO access_log_entry (id, resident_id, seq, occurred_at, actor_user_id, actor_name, actor_role, provider_id, "
            "provider_name, action, area, fields_disclosed, purpose_code, grant_id, request_id, prev_hash, entry_hash) VALUES "
            "(1, 'r1', 1, '2026-01-02 00:00:00+00', 's1', 'Jo', 'tutor', 'p1', 'Melton Adult Learning', 'opened_plan_area', "
            "'digital', '[]', 'plan_support', 'g1', 'req', 'x', 'y')"))
        connection.execute(text("INSERT INTO access_flag (entry_id, resident_id, provider_id, flagged_at) "
                                "VALUES (1, 'r1', 'p1', '2026-01-03 00:00:00+00')"))
    engine.dispose()
    migrate.upgrade(any_empty_database_url)
    engine = make_engine(any_empty_database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT entry_id FROM access_flag")).scalars().all() == [1]
        assert connection.execute(text("SELECT grant_id FROM access_log_entry")).scalars().all() == ["g1"]
        assert connection.execute(text("SELECT plan_version FROM user_account")).scalars().all() == [0]
    engine.dispose()
    with engine.begin() as connection:  # a waiting-list entry: 0007 cannot hold it, so no going back
        connection.execute(text(
            "INSERT INTO access_log_entry (id, resident_id, seq, occurred_at, actor_user_id, actor_name, actor_role, provider_id, "
            "provider_name, action, area, fields_disclosed, purpose_code, grant_id, request_id, prev_hash, entry_hash) VALUES "
            "(2, 'r1', 2, '2026-01-04 00:00:00+00', 's1', 'Jo', 'tutor', 'p1', 'Melton Adult Learning', 'listed_as_waiting', "
            "NULL, '[\"name\"]', 'caseload_list', NULL, 'req', 'y', 'z')"))
    engine.dispose()
    with pytest.raises(RuntimeError, match="would lose them"):
        migrate.downgrade(any_empty_database_url, "0007")
    engine = make_engine(any_empty_database_url)
    with engine.connect() as connection:  # refused before 0008 changed anything
        assert connection.execute(text("SELECT count(*) FROM access_log_entry")).scalar() == 2
        assert connection.execute(text("SELECT entry_id FROM access_flag")).scalars().all() == [1]
    engine.dispose()
    migrate.upgrade(any_empty_database_url)
    assert _diff(any_empty_database_url) == []


def test_services_move_to_their_providers_directory_organisation(tmp_path):
    """0016 puts services under directory organisations: each provider with services gets one,
    under the provider's own id (so the feed's organisation ids stay the same)."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0015")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO provider (id, name, kind, description, active, created_at) "
                                "VALUES ('p1', 'Melton Money Advice', 'money_advice', '{}', 1, '2026-01-01 00:00:00')"))
        for n in (1, 2):
            connection.execute(text(
                "INSERT INTO directory_service (id, provider_id, name, description, eligibility, cost, opening_times, languages, status,"
                " intake, last_checked_at, updated_at, created_at) VALUES "
                f"('s{n}', 'p1', '{{\"en\": \"Advice {n}\"}}', '{{}}', '{{}}', '{{}}', '{{}}', '[]', 'active', 'taking_referrals',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    migrate.upgrade(url)
    with engine.connect() as connection:
        organisations = connection.execute(text("SELECT id, provider_id FROM directory_organisation")).all()
        services = connection.execute(text("SELECT id, organisation_id FROM directory_service ORDER BY id")).all()
    engine.dispose()
    assert [tuple(o) for o in organisations] == [("p1", "p1")]
    assert [tuple(s) for s in services] == [("s1", "p1"), ("s2", "p1")]


def test_services_imported_before_0017_no_longer_claim_to_take_new_people(tmp_path):
    """Before 0017 an imported service was given "taking referrals" by default; a partner's own
    setting is kept."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path}/old.sqlite3"
    migrate.upgrade(url, "0016")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO provider (id, name, kind, description, active, created_at) "
                                "VALUES ('p1', 'Melton Money Advice', 'money_advice', '{}', 1, '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO directory_organisation (id, provider_id, name, description, updated_at) VALUES "
                                "('p1', 'p1', NULL, '{}', '2026-01-01 00:00:00'), ('o2', NULL, 'Elsewhere', '{}', '2026-01-01 00:00:00')"))
        for service, organisation in (("ours", "p1"), ("theirs", "o2")):
            connection.execute(text(
                "INSERT INTO directory_service (id, organisation_id, name, description, eligibility, cost, opening_times, languages,"
                " status, intake, last_checked_at, updated_at, created_at) VALUES "
                f"('{service}', '{organisation}', '{{}}', '{{}}', '{{}}', '{{}}', '{{}}', '[]', 'active', 'taking_referrals',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    migrate.upgrade(url)
    with engine.connect() as connection:
        intakes = dict(connection.execute(text("SELECT id, intake FROM directory_service")).all())
    engine.dispose()
    assert intakes == {"ours": "taking_referrals", "theirs": "unknown"}
