"""The command line of CONTRACT: ``flask --app wsgi …``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from .extensions import db

users_cli = AppGroup("users", help="Create users and issue API tokens.")
tally_cli = AppGroup("tally", help="Check or rebuild the kept yearly tallies.")


@click.command("import-commitments")
@click.argument("path", type=click.Path(dir_okay=False))
def import_commitments_command(path: str) -> None:
    """Load a commitments file (YAML, format version 1), whole or not at all."""
    from .services.imports import CommitmentFileError, import_commitments

    try:
        changes = import_commitments(path)
    except CommitmentFileError as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        click.echo("nothing was written", err=True)
        sys.exit(1)
    for change in changes:
        click.echo(change)
    click.echo(f"{len(changes)} change(s)" if changes else "no changes")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, help="officer, supervisor, coordinator, admin or municipal")
@click.option("--area", default=None, help="the police area's name (not for municipal)")
@click.option(
    "--municipality", "codes", default=None, help="CODE[,CODE…]: a municipal user's municipalities"
)
@click.option("--name", "display_name", default="", help="display name")
def users_create(
    username: str, role: str, area: str | None, codes: str | None, display_name: str
) -> None:
    """Create a user; the password is read from standard input (one line)."""
    from .services.users import UserError, create_user

    password = sys.stdin.readline().rstrip("\r\n")
    municipality_codes = [c.strip() for c in (codes or "").split(",") if c.strip()]
    try:
        if role == "municipal" and area:
            raise UserError("--area: a municipal user takes --municipality, not --area")
        if role != "municipal" and codes:
            raise UserError("--municipality: only for the municipal role; use --area")
        if role != "municipal" and not area:
            raise UserError("--area: required for this role")
        user = create_user(username, role, area, password, display_name, None, municipality_codes)
    except UserError as exc:
        db.session.rollback()
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    where = ", ".join(m.name for m in user.municipalities) or user.police_area.name
    click.echo(f"created {user.username} ({user.role}, {where})")


@users_cli.command("token")
@click.argument("username")
def users_token(username: str) -> None:
    """Print a new API token for USERNAME as the last line."""
    from .services.users import issue_token, user_by_name

    user = user_by_name(username)
    if user is None or not user.active:
        click.echo(f"error: no active user {username!r}", err=True)
        sys.exit(1)
    click.echo(f"new API token for {username} (shown once):")
    click.echo(issue_token(user, label="cli"))


@tally_cli.command("check")
def tally_check() -> None:
    """Recount every promise and year and compare with the stored tallies."""
    from .services import tallies

    diffs = tallies.check()
    for d in diffs:
        _pid, span, day, municipality_id, place, measure = d.key
        what = f"{day if span == 'day' else 'the year'}, municipality {municipality_id}"
        what += f", place {place}" if place else ""
        what += f", sum of {measure}" if measure else ""
        click.echo(
            f"promise {d.promise_id} year {d.year} ({what}): "
            f"stored {d.stored} recounted {d.recounted}"
        )
    if diffs:
        click.echo(f"{len(diffs)} tally(ies) differ", err=True)
        sys.exit(1)
    click.echo("tallies agree with a recount")


@tally_cli.command("rebuild")
def tally_rebuild() -> None:
    """Recompute what every entry stores from the rules, recount the tallies and store them."""
    from .database import begin_write
    from .services import audit, tallies

    begin_write()
    changed = tallies.rebuild()
    audit.record("tally.rebuilt", "tally", "", after={"entries_changed": changed}, actor_name="cli")
    db.session.commit()
    click.echo(f"{changed} entr{'y' if changed == 1 else 'ies'} changed by the rules")
    click.echo("tallies rebuilt")


@click.command("demo")
@click.option("--if-new", is_flag=True, help="do nothing when the database already has users")
@click.option("--entries/--no-entries", default=True, help="also make a year of sample entries")
def demo_command(if_new: bool, entries: bool) -> None:
    """Load the bundled commitments, demo accounts and a year of sample entries."""
    from .demo import load_demo

    for line in load_demo(if_new=if_new, with_entries=entries):
        click.echo(line)


def register(app: Flask) -> None:
    """Attach the commands to the app."""
    app.cli.add_command(import_commitments_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(tally_cli)
    app.cli.add_command(demo_command)
    from .tallies.cli import export_cli

    app.cli.add_command(export_cli)
    from .ops_cli import register as register_operations

    register_operations(app)
