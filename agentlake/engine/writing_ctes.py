"""``WITH d AS (INSERT | UPDATE | DELETE ... RETURNING ...) statement``: data-modifying CTEs, as
PostgreSQL runs them.

Each data-modifying CTE runs once, to completion, in the order written, whether or not anything
reads it; the statements after it read the rows its RETURNING gave under the CTE's name (a
table of them, held for the statement). All of it is one statement in the session's transaction:
an error in any part leaves nothing.

PostgreSQL runs every part on one snapshot, so the main statement does not see what the CTEs
changed in the tables they write; here they run one after another, and a statement reading a
table that an earlier data-modifying CTE writes would see the change. That is refused (0A000)
rather than answered differently. Reading a data-modifying CTE without RETURNING is 0A000 too, as
in PostgreSQL, and so is a data-modifying CTE below the top level.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError
from ..results import Result
from ..sql.trees import written_table

if TYPE_CHECKING:
    from .session import Session

_WRITES = (exp.Insert, exp.Update, exp.Delete)
RunStatement = Callable[[exp.Expression], Result]


def writing(stmt: exp.Expression) -> bool:
    """Whether ``stmt`` has a data-modifying CTE in its own WITH."""
    with_ = stmt.args.get("with_")
    return with_ is not None and any(isinstance(cte.this, _WRITES) for cte in with_.expressions)


def run(session: "Session", stmt: exp.Expression, run_statement: RunStatement) -> Result:
    """Run the data-modifying CTEs, then the statement reading their rows (``run_statement`` runs
    one statement as the session's handlers do)."""
    ctes = stmt.args["with_"].expressions
    _refuse_reading_written_tables(stmt, ctes)
    with contextlib.ExitStack() as held:
        tables: dict[str, str] = {}  # a data-modifying CTE's name -> the table of its RETURNING rows
        for index, cte in enumerate(ctes):
            if not isinstance(cte.this, _WRITES):
                continue
            part = _with_plain_ctes(cte.this.copy(), ctes[:index], tables)
            returned = _whole(run_statement(part))
            if part.args.get("returning") is not None:
                named = returned.table.rename_columns(_column_names(cte, returned.table))
                tables[cte.alias] = held.enter_context(session.temp_table(f"cte_{cte.alias}", named))
        rest = _with_plain_ctes(stmt.copy(), ctes, tables)
        _refuse_reading_unreturned(rest, {cte.alias for cte in ctes if isinstance(cte.this, _WRITES)} - set(tables))
        return _whole(run_statement(rest))


def as_described(stmt: exp.Expression) -> exp.Expression:
    """``stmt`` with each data-modifying CTE standing as a query of the columns it returns (no rows),
    for planning the statement's result columns without writing anything."""
    described = stmt.copy()
    for cte in described.args["with_"].expressions:
        if isinstance(cte.this, _WRITES):
            returning = cte.this.args.get("returning")
            items = [e.copy() for e in returning.expressions] if returning is not None else [exp.Null()]
            cte.set("this", exp.select(*items).from_(written_table(cte.this).copy()).where(exp.false()))
    return described


def _with_plain_ctes(statement: exp.Expression, ctes: list[exp.CTE], tables: dict[str, str]) -> exp.Expression:
    """``statement`` with the plain CTEs among ``ctes`` as its WITH, and every read of a
    data-modifying CTE turned into a read of the table of its rows."""
    plain = [cte.copy() for cte in ctes if not isinstance(cte.this, _WRITES)]
    statement.set("with_", exp.With(expressions=plain) if plain else None)
    for table in list(statement.find_all(exp.Table)):
        if not table.args.get("db") and table.name in tables:
            alias = table.alias or table.name
            table.set("this", exp.to_identifier(tables[table.name], quoted=True))
            table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return statement


def _column_names(cte: exp.CTE, rows: pa.Table) -> list[str]:
    """The CTE's column list (``WITH d(a, b) AS ...``) over its RETURNING columns' names."""
    given = [c.name for c in cte.args["alias"].columns] if cte.args.get("alias") else []
    return given + rows.column_names[len(given) :]


def _refuse_reading_written_tables(stmt: exp.Expression, ctes: list[exp.CTE]) -> None:
    """0A000 where a part after a data-modifying CTE reads a table that CTE writes: PostgreSQL would
    show that part the table as it was before the statement, which running in order cannot. An
    INSERT's target is written, not read; a CTE's name read is the CTE, not a table."""
    names = {cte.alias for cte in ctes}
    for index, cte in enumerate(ctes):
        if not isinstance(cte.this, _WRITES):
            continue
        written = written_table(cte.this).name
        for part in [c.this for c in ctes[index + 1 :]] + [_without_with(stmt)]:
            inserted = written_table(part) if isinstance(part, exp.Insert) else None
            if any(
                t.name == written and t is not inserted and not t.args.get("db") and t.name not in names
                for t in part.find_all(exp.Table)
            ):
                raise NotSupportedError(
                    f'a statement reading table "{written}" after a data-modifying WITH query writes it is not '
                    "supported: read the rows its RETURNING gives, or run the parts as separate statements",
                    sqlstate="0A000",
                )


def _without_with(stmt: exp.Expression) -> exp.Expression:
    rest = stmt.copy()
    rest.set("with_", None)
    return rest


def _refuse_reading_unreturned(statement: exp.Expression, unreturned: set[str]) -> None:
    for table in statement.find_all(exp.Table):
        if not table.args.get("db") and table.name in unreturned:
            raise NotSupportedError(f'WITH query "{table.name}" does not have a RETURNING clause', sqlstate="0A000")


def _whole(result: Result) -> Result:
    """A streamed result read to its end: the tables the statement read go when it returns."""
    if result.stream is None:
        return result
    batches = []
    while (batch := result.stream.next_batch()) is not None:
        batches.append(batch)
    table = pa.concat_tables(batches) if batches else result.stream.schema.empty_table()
    return Result(table, table.num_rows, f"{result.stream.command} {table.num_rows}")
