"""Command-line tasks: ``flask --app tracker <command>``."""

from __future__ import annotations

import click
from alembic import command
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlmodel import Session, select

from tracker.commands import migrate
from tracker.domain import accounts
from tracker.models import Provider, Role


def init_app(app) -> None:
    app.cli.add_command(verify_chains)
    app.cli.add_command(expire_consents)
    app.cli.add_command(expire_referrals)
    app.cli.add_command(send_texts)
    app.cli.add_command(catalogue_group)
    app.cli.add_command(db_group)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(directory_group)


def _session() -> Session:
    return Session(current_app.extensions["tracker_engine"], expire_on_commit=False)


@click.group("db", cls=AppGroup)
def db_group():
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision):
    """Bring the database up to REVISION (default: the newest)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    migrate.analyze(current_app.config["DATABASE_URL"])
    click.echo(f"Database is at {revision}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision):
    """Step the database back to REVISION (for example -1, or base)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message):
    """Write a new migration by comparing the models with the database (numbered 0001, 0002…)."""
    next_id = f"{len(list(migrate.migrations_dir().joinpath('versions').glob('[0-9]*.py'))) + 1:04d}"
    command.revision(
        migrate.alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True, rev_id=next_id
    )


@db_group.command("current")
def db_current():
    command.current(migrate.alembic_config(current_app.config["DATABASE_URL"]))


@click.group("catalogue", cls=AppGroup)
def catalogue_group():
    """The goal catalogue (data files in tracker/catalogue/data)."""


@catalogue_group.command("sync")
def catalogue_sync():
    """Load new and changed goals from the data files; retire what they retire."""
    from tracker.domain.catalogue import sync_catalogue

    with _session() as db:
        report = sync_catalogue(db)
        db.commit()
    click.echo(str(report))


@click.group("directory", cls=AppGroup)
def directory_group():
    """The directory of services (published at /openreferral/)."""


@directory_group.command("import")
@click.argument("dump", type=click.File("rb"))
def directory_import(dump):
    """Load services from an Open Referral UK feed dump (JSON): by id, so loading it again changes
    nothing; a bad service is refused with its reason and the rest still load."""
    import json

    from tracker.domain.directory_import import Refused, import_services

    try:
        document = json.loads(dump.read())
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise click.ClickException(f"{dump.name} is not JSON: {error}") from None
    with _session() as db:
        try:
            report = import_services(db, document)
        except Refused as why:
            raise click.ClickException(str(why)) from None
        db.commit()
    click.echo(str(report))
    if report.refused:
        raise SystemExit(1)


@click.command("verify-chains")
@with_appcontext
def verify_chains():
    """Check every resident's consent and access-log hash chains; exit 1 if history was changed."""
    from tracker.domain.consent import verify_chains as verify

    with _session() as db:
        problems = verify(db)
    if not problems:
        click.echo("All hash chains are intact.")
        return
    for resident_id, found in problems.items():
        for problem in found:
            click.echo(f"resident {resident_id}: {problem}", err=True)
    raise SystemExit(1)


@click.command("expire-consents")
@with_appcontext
def expire_consents():
    """Record the end of consents whose time is up (access already stops on the day itself)."""
    from tracker.domain.consent import expire_lapsed

    with _session() as db:
        count = expire_lapsed(db, current_app.config["SECRET_KEY"])
        db.commit()
    click.echo(f"Recorded the end of {count} consents.")


@click.command("expire-referrals")
@with_appcontext
def expire_referrals():
    """Record that referrals with no reply within 14 days have expired (pages showing one do it
    too, before they show it: run this daily so residents and referrers see it without looking)."""
    from tracker.domain.referrals import expire_overdue

    with _session() as db:
        count = expire_overdue(db)
        db.commit()
    click.echo(f"{count} referrals expired.")


@click.command("send-texts")
@with_appcontext
def send_texts():
    """Queue the check-in and "sharing ends in 14 days" reminders that are due, send the text messages whose time has come, and
    ask Notify what became of those it has (run every minute or two; two runs at once never send a
    text twice)."""
    from tracker.domain.locks import one_run_at_a_time
    from tracker.domain.texts import queue_reminders, queue_sharing_ending_soon, send_due
    from tracker.web.text_wording import fallback_templates, notifier, words

    client, template_id = notifier()
    with one_run_at_a_time(current_app.extensions["tracker_engine"], "send-texts") as alone:
        if not alone:
            click.echo("Another send-texts is still running: nothing done (it sends what is due).")
            return
        with _session() as db:
            reminders = queue_reminders(db) + queue_sharing_ending_soon(db)
            db.commit()
            report = send_due(db, client, template_id, words, commit=db.commit, templates=fallback_templates())
            db.commit()
    click.echo(f"{reminders} reminders queued (check-ins, sharing ending). {report}")


@click.command("create-admin")
@with_appcontext
@click.option("--username", prompt=True)
@click.option("--display-name", prompt="Display name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--provider", "provider_name", default=None, help="Name of the admin's own provider, if any.")
def create_admin(username, display_name, password, provider_name):
    """Make an administrator account (the first one, or another)."""
    with _session() as db:
        provider = None
        if provider_name:
            provider = db.exec(select(Provider).where(Provider.name == provider_name)).first()
            if provider is None:
                raise click.ClickException(f"No provider called {provider_name!r}.")
        try:
            user = accounts.create_user(
                db, username=username, display_name=display_name, password=password, role=Role.ADMIN, provider=provider
            )
        except accounts.AccountError as error:
            raise click.ClickException(ADMIN_ERRORS.get(error.code, error.code)) from None
        db.commit()
        click.echo(f"Created administrator {user.username}.")


ADMIN_ERRORS = {
    "username_taken": "That username is already taken.",
    "username_invalid": "Use 3 to 40 letters, numbers, dots, hyphens or underscores.",
    "password_too_short": "The password must be at least 12 characters.",
    "password_too_long": "The password must be 200 characters or fewer.",
    "password_too_common": "That password is too common. Try three random words.",
}


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def demo(if_empty):
    """Load the demonstration data into an empty database."""
    from tracker.commands.demo import DatabaseNotEmpty, load_demo

    with _session() as db:
        try:
            summary = load_demo(db, current_app.config["SECRET_KEY"])
        except DatabaseNotEmpty:
            if if_empty:
                click.echo("The database already has data: demo data not loaded.")
                return
            raise click.ClickException("The database already has data in it; demo data goes into an empty one only.") from None
        db.commit()
    click.echo(summary)



