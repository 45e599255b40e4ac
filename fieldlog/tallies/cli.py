"""``flask --app wsgi export …``: the exports of CONTRACT from the command line."""

from flask.cli import AppGroup

export_cli = AppGroup("export", help="Write the exports of the tallies to files.")
