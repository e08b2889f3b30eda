"""PREPARE, EXECUTE and DEALLOCATE: a session's named statements, as PostgreSQL's SQL commands.

``PREPARE name [(type, ...)] AS statement`` keeps the statement's text (checked now: a table that
does not exist is 42P01 at PREPARE, as in PostgreSQL); ``EXECUTE name (argument, ...)`` computes
the arguments (each cast to its declared type), binds them to ``$1``, ``$2``, ... and runs the
statement as itself, with its rows and command tag; ``DEALLOCATE name | ALL`` forgets. Names are
the session's; the wire protocol's own prepared statements are kept by the server, apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError
from ..results import Result
from ..sql.dialect import Deallocate, ExecutePrepared, Prepare, folded_name
from . import frontend

if TYPE_CHECKING:
    from .session import Session

_PLACEHOLDER = re.compile(r"\$(\d+)")
_PREPARABLE = (exp.Query, exp.Insert, exp.Update, exp.Delete, exp.Values)


@dataclass(frozen=True)
class PreparedStatement:
    text: str
    types: tuple[exp.DataType, ...]

    @property
    def parameters(self) -> int:
        """How many arguments EXECUTE takes: the declared types, or the highest ``$n`` written."""
        return len(self.types) or max((int(n) for n in _PLACEHOLDER.findall(self.text)), default=0)


def prepare(session: "Session", stmt: Prepare) -> Result:
    name = folded_name(stmt.this)
    if name in session.prepared_statements:
        raise ProgrammingError(f'prepared statement "{name}" already exists', sqlstate="42P05")
    statements = frontend.parse_unbound(stmt.args["text"])
    if len(statements) != 1:
        raise ProgrammingError("cannot insert multiple commands into a prepared statement", sqlstate="42601")
    if not isinstance(statements[0], _PREPARABLE):  # PostgreSQL's grammar takes no other statement here
        word = stmt.args["text"].split(None, 1)[0]
        raise ProgrammingError(f'syntax error at or near "{word}"', sqlstate="42601")
    prepared = PreparedStatement(stmt.args["text"], tuple(stmt.args.get("types") or ()))
    frontend.describe(session, statements[0])  # plans it: what it names must exist now
    session.prepared_statements[name] = prepared
    return Result(None, 0, "PREPARE")


def execute(session: "Session", stmt: ExecutePrepared) -> Result:
    statement = _bound(session, stmt)
    handler, _ = frontend.handler_for(statement)
    return handler(session, statement)


def columns(session: "Session", stmt: ExecutePrepared) -> pa.Schema | None:
    """What EXECUTE returns: its statement's columns."""
    return frontend.describe(session, _bound(session, stmt))


def deallocate(session: "Session", stmt: Deallocate) -> Result:
    if stmt.this is None:
        session.prepared_statements.clear()
        return Result(None, 0, "DEALLOCATE ALL")
    session.prepared_statements.pop(_named(session, folded_name(stmt.this)))
    return Result(None, 0, "DEALLOCATE")


def _named(session: "Session", name: str) -> str:
    if name not in session.prepared_statements:
        raise ProgrammingError(f'prepared statement "{name}" does not exist', sqlstate="26000")
    return name


def _bound(session: "Session", stmt: ExecutePrepared) -> exp.Expression:
    name = _named(session, folded_name(stmt.this))
    prepared = session.prepared_statements[name]
    arguments = stmt.expressions or []
    if len(arguments) != prepared.parameters:
        raise ProgrammingError(
            f'wrong number of parameters for prepared statement "{name}"',
            sqlstate="42601",
            detail=f"Expected {prepared.parameters} parameters but got {len(arguments)}.",
        )
    return frontend.parse(prepared.text, _values(session, arguments, prepared.types) if arguments else None)[0]


def _values(session: "Session", arguments: list[exp.Expression], types: tuple[exp.DataType, ...]) -> list:
    """The arguments' values, each as its declared type reads it."""
    declared = [*types, *[None] * (len(arguments) - len(types))]
    typed = [
        exp.alias_(exp.Cast(this=a.copy(), to=t.copy()) if t is not None else a.copy(), f"argument_{n}")
        for n, (a, t) in enumerate(zip(arguments, declared))
    ]
    row = session.runner.run_query(exp.select(*typed))
    return [row.column(n)[0].as_py() for n in range(len(typed))]
