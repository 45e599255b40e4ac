"""The supervisor's review queue and the audit log."""

from flask import Blueprint

bp = Blueprint("review", __name__)
