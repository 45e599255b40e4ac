"""The public progress page of a municipality, without personal data."""

from flask import Blueprint

bp = Blueprint("public", __name__)
