"""Yearly tallies against targets, exports and the printable report."""

from flask import Blueprint

bp = Blueprint("tallies", __name__)
