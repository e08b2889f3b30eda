"""Which handler runs which statement: one registry, keyed by AST node class."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import NO_TRANSACTION, NotSupportedError, OperationalError, ProgrammingError
from ..results import Result
from ..sql import dialect
from . import (
    branching,
    constraint_ddl,
    ddl,
    enum_ddl,
    extensions,
    identity_ddl,
    maintenance,
    merge_into,
    ownership,
    prepared_statements,
    row_locks,
    sequence_ddl,
    session_settings,
    sql_cursors,
    updatable_views,
    view_ddl,
    writing_ctes,
)
from .explain import explain_statement
from .jobs_view import register_jobs

if TYPE_CHECKING:
    from .session import Session

Handler = Callable[["Session", exp.Expression], Result]


def run_query(session: "Session", stmt: exp.Expression) -> Result:
    into = stmt.args.get("into") if isinstance(stmt, exp.Select) else None
    if into is not None:
        return _select_into(session, stmt, into)
    call = branching.branch_call(stmt)
    if call is not None:
        return call(session)
    register_jobs(session, stmt)
    sql_cursors.register_pg_cursors(session, stmt)
    if row_locks.locking(stmt):
        table = row_locks.run_locking_select(session, stmt)
        return Result(table, table.num_rows, f"SELECT {table.num_rows}")
    found = session.runner.stream_query(stmt)
    if isinstance(found, pa.Table):
        return Result(found, found.num_rows, f"SELECT {found.num_rows}")
    return Result(None, -1, None, stream=found)


def _select_into(session: "Session", stmt: exp.Select, into: exp.Into) -> Result:
    """``SELECT ... INTO [TEMP] t FROM ...`` is PostgreSQL's older spelling of CREATE TABLE t AS."""
    query = stmt.copy()
    query.set("into", None)
    properties = exp.Properties(expressions=[exp.TemporaryProperty()]) if into.args.get("temporary") else None
    create = exp.Create(this=into.this.copy(), kind="TABLE", expression=query, properties=properties)
    return ddl.create_table(session, create)


def _create(session: "Session", stmt: exp.Create) -> Result:
    kind = (stmt.args.get("kind") or "").upper()
    if kind == "TABLE":
        return ddl.create_table(session, stmt)
    if kind == "VIEW":
        properties = stmt.args.get("properties")
        if properties is not None and properties.find(exp.MaterializedProperty):
            raise NotSupportedError(
                "materialized views are not supported: CREATE TABLE ... AS SELECT keeps a result, CREATE VIEW a query"
            )
        return view_ddl.create_view(session, stmt)
    if kind == "INDEX":
        from .btree_indexes import create_scalar_index, is_scalar_index
        from .gin_indexes import create_gin_index, is_gin_index
        from .index_statements import create_index

        if is_gin_index(stmt):
            return create_gin_index(session, stmt)
        manifest = session.write_tx().manifest(ddl.table_name(stmt.this.args.get("table") or stmt.this))
        return (create_scalar_index if is_scalar_index(stmt, manifest) else create_index)(session, stmt)
    if kind == "TYPE":
        return enum_ddl.create_type(session, stmt)
    raise NotSupportedError(f"CREATE {kind} is not supported")


def _begin(session: "Session", stmt) -> Result:
    modes = [m.name if isinstance(m, exp.Expression) else str(m) for m in stmt.args.get("modes") or []]
    settings = session_settings.transaction_modes(session, modes)
    if session.begin():
        for name, value in settings:
            session.settings.set_local(name, value)
    return Result(None, 0, "START TRANSACTION" if stmt.meta.get(dialect.START_TRANSACTION) else "BEGIN")


def _commit(session: "Session", stmt) -> Result:
    return Result(None, 0, session.commit())


def _rollback(session: "Session", stmt: exp.Rollback) -> Result:
    savepoint = stmt.args.get("savepoint")
    if savepoint is not None:
        session.rollback_to(dialect.folded_name(savepoint))
        return Result(None, 0, "ROLLBACK")
    if session.transaction_status == "idle":
        session.notice(NO_TRANSACTION)
    session.rollback()
    return Result(None, 0, "ROLLBACK")


def _two_phase(session: "Session", stmt: dialect.TwoPhase) -> Result:
    """Two-phase commit is off, as in PostgreSQL by default (max_prepared_transactions is 0):
    PREPARE TRANSACTION rolls the transaction back and fails (55000), and no prepared
    transaction exists to COMMIT PREPARED or ROLLBACK PREPARED (42704)."""
    word = stmt.name
    if word == "PREPARE":
        if session.transaction_status == "idle":
            session.notice(NO_TRANSACTION)
            return Result(None, 0, "ROLLBACK")
        session.rollback()
        raise OperationalError(
            "prepared transactions are disabled",
            sqlstate="55000",
            hint="Set max_prepared_transactions to a nonzero value.",
        )
    if session.transaction_status != "idle":
        raise ProgrammingError(f"{word} PREPARED cannot run inside a transaction block", sqlstate="25001")
    identifier = stmt.args["id"].name
    raise ProgrammingError(f'prepared transaction with identifier "{identifier}" does not exist', sqlstate="42704")


def _savepoint(session: "Session", stmt: dialect.Savepoint) -> Result:
    session.savepoint(dialect.folded_name(stmt.this))
    return Result(None, 0, "SAVEPOINT")


def _release(session: "Session", stmt: dialect.Release) -> Result:
    session.release(dialect.folded_name(stmt.this))
    return Result(None, 0, "RELEASE")


def _listen(session: "Session", stmt: dialect.Listen) -> Result:
    session.notifications.listen(dialect.folded_name(stmt.this))
    return Result(None, 0, "LISTEN")


def _unlisten(session: "Session", stmt: dialect.Unlisten) -> Result:
    session.notifications.unlisten(None if stmt.this is None else dialect.folded_name(stmt.this))
    return Result(None, 0, "UNLISTEN")


def _notify(session: "Session", stmt: dialect.Notify) -> Result:
    payload = stmt.args.get("expression")
    session.notifications.notify(dialect.folded_name(stmt.this), None if payload is None else payload.name)
    return Result(None, 0, "NOTIFY")


def _explain(session: "Session", stmt: dialect.Explain) -> Result:
    return explain_statement(session, stmt.this, bool(stmt.args.get("analyze")))


_REINDEX = re.compile(
    r'^\s*REINDEX\s+(INDEX|TABLE|SCHEMA|DATABASE|SYSTEM)\s+(?:CONCURRENTLY\s+)?(?:public\.)?"?(\w+)"?\s*$',
    re.IGNORECASE,
)


def _command(session: "Session", stmt: exp.Command) -> Result:
    """Statements sqlglot keeps as text: ALTER ... OWNER TO (:mod:`.ownership`), a column's identity
    (:mod:`.identity_ddl`), CREATE and DROP
    EXTENSION and COMMENT ON EXTENSION (:mod:`.extensions`), ALTER TYPE
    (:mod:`.enum_ddl`), CREATE and ALTER SEQUENCE (:mod:`.sequence_ddl`), the
    constraint statements of :mod:`.constraint_ddl`, CREATE VIEW ... WITH CHECK OPTION
    (:mod:`.view_ddl`), and ``REINDEX INDEX | TABLE | SCHEMA |
    DATABASE``, which rebuilds vector indexes."""
    text = stmt.sql(dialect="postgres")
    handled = (
        ownership.command(session, text)
        or identity_ddl.command(session, text)
        or constraint_ddl.command(session, text)
        or extensions.command(session, text)
        or view_ddl.command(session, text)
        or enum_ddl.command(session, text)
        or sequence_ddl.command(session, text)
    )
    if handled is not None:
        return handled
    reindex = _REINDEX.match(text)
    if reindex is not None:
        from .index_statements import reindex as rebuild

        return rebuild(session, reindex.group(1).upper(), reindex.group(2))
    raise NotSupportedError(f"statement not supported: {text[:80]}")


_HANDLERS: dict[type, Handler] = {
    exp.Select: run_query,
    exp.Union: run_query,
    exp.Intersect: run_query,
    exp.Except: run_query,
    exp.Values: run_query,
    exp.Insert: updatable_views.insert,
    exp.Update: updatable_views.update,
    exp.Delete: updatable_views.delete,
    exp.Merge: merge_into.merge_into,
    exp.Create: _create,
    exp.Drop: ddl.drop,
    exp.Alter: ddl.alter,
    exp.TruncateTable: ddl.truncate,
    exp.Comment: ddl.comment,
    exp.Transaction: _begin,
    exp.Commit: _commit,
    exp.Rollback: _rollback,
    exp.Set: session_settings.apply_set,
    dialect.Show: session_settings.show,
    dialect.Reset: session_settings.reset,
    dialect.Savepoint: _savepoint,
    dialect.Release: _release,
    dialect.TwoPhase: _two_phase,
    dialect.Explain: _explain,
    dialect.Listen: _listen,
    dialect.Unlisten: _unlisten,
    dialect.Notify: _notify,
    dialect.DeclareCursor: sql_cursors.declare,
    dialect.FetchCursor: sql_cursors.fetch,
    dialect.CloseCursor: sql_cursors.close,
    dialect.Maintenance: maintenance.maintenance,
    dialect.Discard: maintenance.discard,
    dialect.Prepare: prepared_statements.prepare,
    dialect.ExecutePrepared: prepared_statements.execute,
    dialect.Deallocate: prepared_statements.deallocate,
    exp.Command: _command,
}
_ENDS_TRANSACTION = frozenset({exp.Commit, exp.Rollback})


_WRITES_ROWS = (updatable_views.insert, updatable_views.update, updatable_views.delete)
_RETURNS_NO_ROWS = {
    *_WRITES_ROWS,
    merge_into.merge_into,
    _create,
    ddl.drop,
    ddl.alter,
    ddl.truncate,
    _begin,
    _commit,
    _rollback,
    session_settings.apply_set,
    session_settings.reset,
    _savepoint,
    _release,
    _two_phase,
    _command,
    sql_cursors.declare,
    sql_cursors.close,
    maintenance.maintenance,
    maintenance.discard,
    prepared_statements.prepare,
    prepared_statements.deallocate,
}
_WITHOUT_SNAPSHOT = frozenset(
    {
        _begin,
        _commit,
        _rollback,
        session_settings.apply_set,
        session_settings.show,
        session_settings.reset,
        _savepoint,
        _release,
        _two_phase,
        _listen,
        _unlisten,
        _notify,
        sql_cursors.fetch,
        sql_cursors.close,
        _command,
    }
)
"""Statements PostgreSQL runs without a snapshot (transaction control, SET, SHOW, FETCH, LISTEN,
NOTIFY, LOCK and the like): they neither fix a transaction's snapshot nor its isolation level."""


def takes_snapshot(handler: Handler) -> bool:
    """Whether a statement run by ``handler`` reads the data, and so takes its transaction's snapshot."""
    return handler not in _WITHOUT_SNAPSHOT


_EXPLAIN_COLUMNS = pa.schema([pa.field("QUERY PLAN", pa.string())])


def describe(session: "Session", stmt: exp.Expression) -> pa.Schema | None:
    """The columns a statement returns, planned but not run; None for one that returns no rows."""
    if writing_ctes.writing(stmt):
        stmt = writing_ctes.as_described(stmt)
    handler, _ = dispatch(stmt)
    returning = stmt.args.get("returning")
    if handler is run_query:
        call = branching.branch_call(stmt)
        register_jobs(session, stmt)
        sql_cursors.register_pg_cursors(session, stmt)
        return session.runner.describe(stmt) if call is None else call.columns(session)
    if returning is not None and handler in _WRITES_ROWS:
        target = stmt.this.this if isinstance(stmt.this, exp.Schema) else stmt.this
        return session.runner.describe(exp.select(*[e.copy() for e in returning.expressions]).from_(target.copy()))
    if handler in _RETURNS_NO_ROWS:
        return None
    if handler is session_settings.show:  # reads a setting: running it is the plan
        return handler(session, stmt).table.schema
    if handler is _explain:
        return _EXPLAIN_COLUMNS
    if handler is sql_cursors.fetch:
        return sql_cursors.fetched_columns(session, stmt)
    if handler is prepared_statements.execute:
        return prepared_statements.columns(session, stmt)
    raise NotSupportedError("the columns of this statement are known only once it runs")


def _with_writes(session: "Session", stmt: exp.Expression) -> Result:
    """A statement whose WITH holds INSERT, UPDATE or DELETE (:mod:`.writing_ctes`)."""
    return writing_ctes.run(session, stmt, lambda part: dispatch(part)[0](session, part))


def dispatch(stmt: exp.Expression) -> tuple[Handler, bool]:
    if writing_ctes.writing(stmt):
        return _with_writes, False
    for cls in type(stmt).__mro__:
        handler = _HANDLERS.get(cls)
        if handler is not None:
            return handler, cls in _ENDS_TRANSACTION
    if isinstance(stmt, exp.With) or stmt.find(exp.Select) is stmt:
        return run_query, False
    raise NotSupportedError(f"statement not supported: {stmt.sql(dialect='postgres')[:80]}")
