"""The operations commands of CONTRACT: backup, audit verify, retention and the PostgreSQL roles."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .extensions import db

audit_cli = AppGroup("audit", help="Check the audit log.")

PG_DUMP_HINT = """\
error: backup copies a SQLite database; this one is PostgreSQL. Use pg_dump, as the README's
"Backups, audit and retention" section shows:
  pg_dump --format=custom --file=fieldlog-$(date +%F).dump "$DATABASE"
  pg_restore --exit-on-error --no-owner --dbname="$NEW_DATABASE" fieldlog-YYYY-MM-DD.dump"""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH (a new file), consistently, while the app serves."""
    from .services.backup import BackupError, backup_sqlite, sqlite_source

    if sqlite_source() is None:
        click.echo(PG_DUMP_HINT, err=True)
        sys.exit(1)
    try:
        report = backup_sqlite(path)
    except BackupError as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"backed up {report.source} to {report.path} ({report.size} bytes, integrity ok)")
    if report.audit_head:
        ident, digest = report.audit_head
        click.echo(f"audit head in the copy: {ident}:{digest}")


@audit_cli.command("verify")
@click.option(
    "--anchor", default=None, help="ID:HASH of an event as printed before; it must remain"
)
def audit_verify(anchor: str | None) -> None:
    """Check that no audit event was removed or changed: exit 1 naming the first break."""
    from .services.audit_chain import parse_anchor, verify

    expected = None
    if anchor is not None:
        expected = parse_anchor(anchor)
        if expected is None:
            _fail(f"--anchor: give ID:HASH as audit verify prints it, not {anchor!r}")
    report = verify(expected)
    if not report.intact:
        click.echo(f"{report.events} audit event(s) verified before the break", err=True)
        _fail(report.problem)
    if report.last_id is None:
        click.echo("the audit log is empty")
        return
    click.echo(f"{report.events} audit event(s), chain intact")
    click.echo(f"head: {report.last_id}:{report.last_hash}")


@click.command("retention")
@click.option("--before", default=None, help="YYYY-MM-DD; default: FIELDLOG_RETENTION_YEARS back")
def retention_command(before: str | None) -> None:
    """Remove the personal data of entries that started before a day; counts and tallies stay."""
    from .clock import today as clock_today
    from .services.retention import default_cutoff, parse_years, remove_personal_data

    today = clock_today()
    if before is None:
        raw = current_app.config["RETENTION_YEARS"]
        years = parse_years(raw)
        if years is None:
            _fail(f"FIELDLOG_RETENTION_YEARS: a whole number of years ≥ 1, not {raw!r}")
        cutoff = default_cutoff(today, years)
    else:
        try:
            cutoff = dt.date.fromisoformat(before.strip())
        except ValueError:
            _fail(f"--before: a date as YYYY-MM-DD, not {before!r}")
        if cutoff > today:
            _fail(f"--before: {cutoff} lies after today ({today})")
    changed = remove_personal_data(cutoff)
    click.echo(
        f"removed the personal data of {changed} entr{'y' if changed == 1 else 'ies'} "
        f"that started before {cutoff}; counts and tallies are kept"
    )
    click.echo("the audit log keeps its history of them (README: Backups, audit and retention)")


@click.command("db-roles")
@click.option("--owner", required=True, help="the role that owns the tables and runs migrations")
@click.option("--app-role", required=True, help="the role the app connects as")
@click.option("--execute", is_flag=True, help="run the SQL on the database instead of printing it")
def db_roles_command(owner: str, app_role: str, execute: bool) -> None:
    """PostgreSQL: the SQL for an owner role and an app role that cannot change the audit log."""
    from .services.db_roles import RoleNameError, apply_roles, roles_sql

    try:
        sql = roles_sql(owner, app_role)
    except RoleNameError as exc:
        _fail(str(exc))
    if not execute:
        click.echo(sql, nl=False)
        return
    if db.engine.dialect.name != "postgresql":
        _fail("--execute: the roles are PostgreSQL's; this database is not PostgreSQL")
    from sqlalchemy.exc import DBAPIError

    try:
        apply_roles(sql)
    except DBAPIError as exc:
        db.session.rollback()
        _fail(str(exc.orig).strip())
    click.echo(f"roles ready: {owner} owns the tables, {app_role} may only add to audit_event")


def register(app: Flask) -> None:
    """Attach the operations commands to the app."""
    app.cli.add_command(backup_command)
    app.cli.add_command(audit_cli)
    app.cli.add_command(retention_command)
    app.cli.add_command(db_roles_command)
