"""The import's problems (services/import_rules.FileProblem) as field messages for the forms."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .import_rules import FileProblem


@dataclass
class Problem:
    """One refused field: ``row`` is a promise's row in the form (None: the commitment's own)."""

    field: str
    message: str
    row: int | None = None


class ProblemsError(Exception):
    """A change refused whole; ``problems`` name each field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def from_import(problems: list[FileProblem], fields: dict[str, str] | None = None) -> list[Problem]:
    """The import's problems as the form's fields and rows, in Swedish, each once.

    ``fields`` renames the file's fields to the form's (``target.per`` → ``target_per``)."""
    found: list[Problem] = []
    for p in problems:
        problem = Problem((fields or {}).get(p.field, p.field), p.swedish, p.promise_index)
        if problem not in found:
            found.append(problem)
    return found


def swedish_line(problem: FileProblem | str) -> str:
    """One of the import's problems in the pages' words, still naming where and the field."""
    if isinstance(problem, str):
        return problem
    if problem.activity_type is not None:
        where = _l("aktivitetstyp %(key)s", key=problem.activity_type)
    elif problem.time_window is not None:
        where = _l("tidsfönster %(key)s", key=problem.time_window)
    elif problem.promise is not None:
        where = _l("medborgarlöfte %(c)s, löfte %(p)s", c=problem.commitment, p=problem.promise)
    elif problem.commitment is not None:
        where = _l("medborgarlöfte %(c)s", c=problem.commitment)
    else:
        where = problem.where
    field = f" {problem.field}" if problem.field else ""
    return f"{where},{field}: {problem.swedish}" if where else f"{problem.field}: {problem.swedish}"
