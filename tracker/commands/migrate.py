"""Running the Alembic migrations from code (the CLI, the tests and `make run`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def migrations_dir() -> Path:
    """``migrations/`` beside the package (a checkout or editable install), else in the current
    folder (a regular install, run from the checkout)."""
    for candidate in (Path(__file__).resolve().parents[2] / "migrations", Path.cwd() / "migrations"):
        if (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("migrations/ not found: run this from the project's folder")



def alembic_config(database_url: str) -> Config:
    migrations = migrations_dir()
    config = Config(str(migrations.parent / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    # The revisions import their helpers (db_guards) from beside them: on the path whenever Alembic
    # reads them, not only once env.py has run (listing revisions alone does not run it).
    config.set_main_option("prepend_sys_path", str(migrations))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def analyze(database_url: str) -> None:
    """Refresh the query planner's statistics (SQLite has none until asked; without them it can
    pick the wrong index for staff lists)."""
    from tracker.database import make_engine

    engine = make_engine(database_url)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    engine.dispose()


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)
