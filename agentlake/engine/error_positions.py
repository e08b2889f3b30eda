"""Where in the statement an error points, as PostgreSQL's ``P`` field (psql's ``LINE 1:`` and caret).

DataFusion's errors name what is wrong (a column, a relation, a function, a value that is no
input of its type) but not where it was written. The parsed statement still carries each
identifier's and constant's offset in the text, so the first reference of that name, or the
quoted constant holding the value, is what PostgreSQL points at too.
"""

from __future__ import annotations

import re

from sqlglot import exp

from ..errors import Error

_COLUMN = re.compile(r'^column "?([^"\s]+?)"? (?:does not exist|must appear in the GROUP BY)')
_RELATION = re.compile(r'^relation "([^"]+)" does not exist')
_FUNCTION = re.compile(r"^function ([^\s(]+)(?:\(.*\))? does not exist")
_INPUT = re.compile(r'^(?:invalid input syntax for type [^:]+|date/time field value out of range): "(.*)"$', re.S)
_OUT_OF_RANGE = re.compile(r'^value "(.*)" is out of range for type', re.S)
FUNCTION_HINT = "No function matches the given name and argument types. You might need to add explicit type casts."


def locate(error: Error, stmt: exp.Expression) -> None:
    """Sets the error's position (1-based, in characters) from the first reference it is about."""
    if error.position is not None:
        return
    message = str(error)
    node = None
    if error.sqlstate in ("42703", "42803") and (found := _COLUMN.match(message)):
        node = _first_column(stmt, found.group(1))
    elif error.sqlstate == "42P01" and (found := _RELATION.match(message)):
        node = next((t for t in stmt.find_all(exp.Table) if t.name.lower() == found.group(1).lower()), None)
    elif error.sqlstate == "42883" and (found := _FUNCTION.match(message)):
        name = found.group(1).lower()
        node = next((f for f in stmt.find_all(exp.Func) if _function_name(f) == name), None)
        if error.hint is None:
            error.hint = FUNCTION_HINT
    elif error.sqlstate in ("22P02", "22007", "22008", "22003") and (
        found := _INPUT.match(message) or _OUT_OF_RANGE.match(message)
    ):
        node = _quoted_constant(stmt, found.group(1))
    start = _start(node) if node is not None else None
    if start is not None:
        error.position = start + 1


def _first_column(stmt: exp.Expression, reference: str) -> exp.Column | None:
    table, _, name = reference.rpartition(".")
    for column in stmt.find_all(exp.Column):
        if column.name.lower() == name.lower() and (not table or column.table.lower() in ("", table.lower())):
            return column
    return None


def _quoted_constant(stmt: exp.Expression, value: str) -> exp.Literal | None:
    """The quoted constant written as ``value``, else the first holding it (an array's element)."""
    quoted = [n for n in stmt.find_all(exp.Literal) if n.is_string and "start" in n.meta]
    return next((n for n in quoted if n.this == value), None) or next((n for n in quoted if value in n.this), None)


def _function_name(node: exp.Func) -> str:
    return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()


def _start(node: exp.Expression) -> int | None:
    """The offset of a node's first token: its own, or that of its leftmost identifier."""
    starts = [n.meta["start"] for n in node.walk() if n.meta and "start" in n.meta]
    return min(starts) if starts else None
