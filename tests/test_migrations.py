"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and every one reverses."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tracker import migrate
from tracker.db import make_engine
from tracker.models import metadata


def _diff(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return diff


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    names = set(inspect(engine).get_table_names()) - {"alembic_version"}
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
