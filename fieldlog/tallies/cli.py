"""``flask --app wsgi export …``: the exports of CONTRACT from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

export_cli = AppGroup("export", help="Write the exports of the tallies to files.")


@export_cli.command("tallies")
@click.option("--year", required=True, help="the calendar year, e.g. 2025")
@click.option("--municipality", "code", default=None, help="a municipality's four-digit code")
@click.option("--format", "fmt", required=True, help="csv, xlsx or outcomes (outcome sums, CSV)")
@click.option("--period", default=None, help="T1–T3, Q1–Q4 or M01–M12")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="the file to write")
def export_tallies(year: str, code: str | None, fmt: str, period: str | None, output: str) -> None:
    """Write the tallies (or outcome sums) of a year, byte for byte as the web export gives them."""
    from .. import clock
    from ..rules.periods import PERIOD_ARG
    from ..services.exports import (
        export_municipalities,
        outcomes_csv,
        parse_year,
        record_export,
        tallies_csv,
    )
    from ..services.followups import overview
    from ..services.tally_rows import yearly_rows
    from ..services.workbook import tallies_xlsx

    number = parse_year(year)
    if number is None:
        _fail(f"--year: not a year between 2000 and 2100: {year!r}")
    if fmt not in ("csv", "xlsx", "outcomes"):
        _fail(f"--format: csv, xlsx or outcomes, not {fmt!r}")
    if period is not None and not PERIOD_ARG.match(period):
        _fail(f"--period: T1–T3, Q1–Q4 or M01–M12, not {period!r}")
    municipalities = export_municipalities(code)
    if not municipalities:
        _fail(
            f"--municipality: no municipality with code {code!r}" if code else "no municipalities"
        )
    today = clock.today()
    if fmt == "csv":
        body = tallies_csv(yearly_rows(municipalities, number, today, period), number)
    elif fmt == "outcomes":
        body = outcomes_csv(yearly_rows(municipalities, number, today, period), number, period)
    else:
        body = tallies_xlsx(number, overview(municipalities, number, today, period=period), period)
    try:
        with open(output, "wb") as f:
            f.write(body)
    except OSError as exc:
        _fail(f"--output: {exc.strerror}: {output}")
    kind = "outcomes.csv" if fmt == "outcomes" else f"tallies.{fmt}"
    params = {"year": number, "municipality": code, "via": "cli"}
    if period:
        params["period"] = period
    record_export(kind, params)
    click.echo(f"wrote {len(body)} bytes to {output}")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
