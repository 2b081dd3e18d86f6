"""Alembic environment: the target is every SQLModel table in tracker.models."""

from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

import sqlalchemy as sa
from alembic import context
from sqlmodel.sql.sqltypes import AutoString

from tracker import models
from tracker.database import UTCDateTime, make_engine

# The migrations' own helpers (db_guards: the append-only triggers) live beside them, not in the app.
sys.path.insert(0, str(Path(__file__).resolve().parent))

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.metadata


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from tracker import create_app  # plain `alembic upgrade head`: the app's own settings

    return create_app().config["DATABASE_URL"]


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy ones, so migrations do not import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_database_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=render_item,
        include_name=models.modelled,  # the name-search index (0011) is not in the models
    )
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # Batch mode copies a table and drops the old one, which SQLite refuses while other tables'
        # rows point to it (access_flag → access_log_entry, everything → user_account). So foreign
        # keys are off while migrating (a PRAGMA that only works outside a transaction), and
        # checked in full before they are switched back on.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:  # inside the transaction, so a migration that broke a reference is rolled back
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration left rows pointing at nothing: {broken[:5]}")
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
