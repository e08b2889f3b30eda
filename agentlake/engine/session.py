"""One client session: a branch, its settings, its transaction, its DataFusion context.

Statements arrive as SQL text; the front end (agentlake.sql) parses and binds
them; this module runs each against the right snapshot and manages
transactions the way PostgreSQL does (autocommit, BEGIN/COMMIT, savepoints,
the failed state that only ROLLBACK leaves).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import weakref
from typing import Any, Callable, Hashable, Iterator

import pyarrow as pa
from sqlglot import exp

from catalog import CatalogError, ConflictError, Repository, Snapshot, Transaction

from ..errors import (
    NO_TRANSACTION,
    Error,
    InFailedTransaction,
    Notice,
    ProgrammingError,
    QueryCanceled,
    SerializationFailure,
    from_catalog,
    violation_objects,
)
from ..results import Result
from ..sql.params import unbound
from ..sql.rules.postgres_spellings import is_volatile
from ..sql.stack_depth import parse_and_run
from ..vector import topk_templates
from ..vector.topk_run import RowFilter
from . import frontend, row_locks, view_updatability
from .advisory_locks import SessionLocks, lock_table
from .authorize import authorize
from .checks import check_evaluator
from .described import DescribedColumns
from .error_positions import locate
from .fastpath import constant_answer
from .notifications import SessionNotifications, hub_for, next_backend_pid
from .prepared_statements import PreparedStatement
from .query import QueryRunner
from .repositories import attach_engine_hooks
from .rights import READ, WRITE, Rights, require
from .sequences import SequenceValues
from .settings import MESSAGE_LEVELS, READ_COMMITTED_LEVELS, Settings
from .sql_cursors import SqlCursors
from .statement_timeout import Interrupts
from .temporary_tables import TemporaryTables
from .typed_rewrites import snapshot_typed_rewrites

_temp_ids = itertools.count()


def _in_failed_transaction() -> InFailedTransaction:
    return InFailedTransaction("current transaction is aborted, commands ignored until end of transaction block")


class Session:
    """State of one connection; not thread-safe (one statement at a time), like a PostgreSQL backend."""

    def __init__(
        self, repo: Repository, branch: str, settings: Settings, user: str | None = None, rights: Rights | None = None
    ) -> None:
        require(rights, branch, READ)
        self.repo = attach_engine_hooks(repo)
        self.rights = rights
        """What the user may touch (None: the embedded API, everything); checked on every statement."""
        self.branch = branch
        self.user = user
        self.settings = settings
        self.settings.set("agentlake.branch", branch)
        self.notices: list[str] = []
        self.notice_handlers: list[Callable[[str], None]] = []
        self._tx: Transaction | None = None
        self._explicit = False
        self._failed = False
        self._savepoints: list[tuple[str, Any, int, tuple]] = []  # name, the marks of transaction, cursors, NOTIFY
        self._tx_started = time.time()
        self._transaction_id: int | None = None
        self._snapshot_due = False
        """Whether the running statement of a transaction block has yet to take its snapshot (:meth:`_take_snapshot`)."""
        self.snapshot_taken = False
        """Whether a statement of the open transaction block has read or written (its isolation level is then fixed)."""
        self.runner = QueryRunner(self)
        self.cancel_event = threading.Event()
        """Set by :meth:`cancel` from another thread; long-running work checks it."""
        self.interrupts = Interrupts(self.cancel_event)
        self.advisory_locks = SessionLocks(
            lock_table(self.repo), self.interrupts.check, lambda: settings.milliseconds("lock_timeout") / 1000
        )
        weakref.finalize(self, self.advisory_locks.close)  # a session dropped unclosed still lets its locks go
        self._statements: list[str] = []
        self._text_key: tuple | None = None
        self._statement_snapshots: dict[str, Snapshot] | None = None  # per branch, while a statement runs
        self._described = DescribedColumns()
        self.sequence_values = SequenceValues()
        self.prepared_statements: dict[str, PreparedStatement] = {}
        """PREPARE's statements, by name (``engine.prepared_statements``)."""
        """The last value this session took from each sequence (``currval``, ``lastval``)."""
        self.sql_cursors = SqlCursors()
        """DECLAREd cursors (``engine.sql_cursors``); they end with transactions as PostgreSQL's do."""
        self.temporary_tables = TemporaryTables()
        """The TEMPORARY tables this session created (``engine.temporary_tables``), dropped when it ends."""
        self.backend_pid = next_backend_pid()
        """pg_backend_pid(), and the process id listeners see with this session's notifications."""
        self.notifications = SessionNotifications(hub_for(self.repo), lambda: self.backend_pid)
        """LISTEN, UNLISTEN and NOTIFY (``engine.notifications``)."""

    # transaction state -------------------------------------------------
    @property
    def transaction_status(self) -> str:
        if self._failed:
            return "failed"
        return "in_transaction" if self._explicit else "idle"

    @property
    def snapshot(self) -> Snapshot:
        """What statements read: the open transaction's view, else the branch head as the running
        statement first saw it (one statement reads one snapshot, as in PostgreSQL)."""
        if self._tx is not None:
            if self._snapshot_due:
                self._take_snapshot()
            return self._tx.snapshot
        if self._statement_snapshots is None:
            return self.repo.snapshot(self.branch)
        if self.branch not in self._statement_snapshots:
            self._statement_snapshots[self.branch] = self.repo.snapshot(self.branch)
        return self._statement_snapshots[self.branch]

    @property
    def reading_commit(self) -> str | None:
        """The commit the running statement reads (under its transaction's own changes)."""
        return self._tx.base_id if self._tx is not None else self.snapshot.commit_id

    @property
    def keeps_snapshot(self) -> bool:
        """Whether the running statement's snapshot is its transaction's for good (REPEATABLE READ,
        SERIALIZABLE), rather than one it may take again (READ COMMITTED, or no transaction block)."""
        return self._explicit and self.settings["transaction_isolation"] not in READ_COMMITTED_LEVELS

    def read_latest(self) -> None:
        """Move the running statement to the branch head, with its transaction's own changes on
        top, as PostgreSQL re-reads a row it locked after another transaction changed it
        (``row_locks``; not where :attr:`keeps_snapshot`)."""
        if self._tx is not None:
            self._tx.refresh()
        else:
            self._statement_snapshots.pop(self.branch, None)

    def _take_snapshot(self) -> None:
        """PostgreSQL's snapshots in a transaction block, taken by the first statement that reads or
        writes and, at READ COMMITTED (the default), again by each statement after it: the
        transaction then sees what other sessions committed meanwhile, with its own changes on top."""
        self._snapshot_due = False
        if self.snapshot_taken and self.keeps_snapshot:
            return
        self.snapshot_taken = True
        self._tx.refresh()

    @contextlib.contextmanager
    def _statement(self) -> Iterator[None]:
        self._statement_snapshots = {}
        self._snapshot_due = self._explicit
        try:
            yield
        finally:
            self._statement_snapshots = None
            self._snapshot_due = False
            if not self._explicit:  # the statement was its own transaction
                self._transaction_id = None

    @property
    def transaction_block(self) -> Transaction | None:
        """The open explicit transaction, if any (what a streamed query's later error fails)."""
        return self._tx if self._explicit else None

    def view_facts(self, name: str) -> dict:
        """information_schema.views' facts of a view (``view_updatability.catalog_facts``)."""
        return view_updatability.catalog_facts(self, name)

    @property
    def in_subtransaction(self) -> bool:
        """Whether a SAVEPOINT of the transaction block is open."""
        return bool(self._savepoints)

    @property
    def has_uncommitted_writes(self) -> bool:
        return self._tx is not None and self._tx.dirty

    def write_tx(self) -> Transaction:
        require(self.rights, self.branch, WRITE)  # every write passes here, whatever statement or API call made it
        if self._tx is None:
            self._tx = self._begin_tx()
        elif self._snapshot_due:
            self._take_snapshot()
        return self._tx

    def write_statement(self, work: Callable[[Transaction], Any]) -> Any:
        """Run ``work`` on the write transaction as a statement is run: what it wrote is checked
        against the constraints when it ends (23xxx), committed on its own outside a transaction
        block, and undone when it fails (failing the block). The API's bulk loads and COPY use it."""
        if self._failed:
            raise _in_failed_transaction()
        autocommit = not self._explicit
        tx = self.write_tx()
        savepoint = None if autocommit else tx.savepoint()
        try:
            done = work(tx)
            tx.end_statement()
            if autocommit:
                self.commit_pending()
            return done
        except BaseException:
            self._statement_failed(autocommit, savepoint)
            raise

    def _begin_tx(self) -> Transaction:
        """A catalog transaction checked against constraints at the end of each statement (CHECK
        expressions evaluated here), not after each of its operations."""
        tx = self.repo.begin(self.branch)
        tx.checks_by_statement = True
        tx.check_evaluator = check_evaluator(self)
        return tx

    def begin(self) -> bool:
        """Open a transaction block; False (with PostgreSQL's WARNING) when one is open already."""
        if self._explicit:
            self.notice(Notice("there is already a transaction in progress", sqlstate="25001"))
            return False
        self._statements = []
        self._explicit, self.snapshot_taken = True, False
        self._tx = self._begin_tx()
        self._tx_started = time.time()
        return True

    def commit(self) -> str:
        """COMMIT; in the failed state it rolls back, as PostgreSQL does."""
        if self._failed:
            self.rollback()
            return "ROLLBACK"
        if not self._explicit:
            self.notice(NO_TRANSACTION)
        tx, self._tx = self._tx, None
        self._explicit, self._savepoints = False, []
        try:
            if tx is not None:
                self._commit_tx(tx)
        except Exception:
            self.sql_cursors.end_transaction(committed=False)
            self.notifications.end_transaction(committed=False)
            raise
        finally:
            self._transaction_ended()  # its locks go once its commit is seen: a waiter reads it
        self.sql_cursors.end_transaction(committed=True)
        self.notifications.end_transaction(committed=True)
        return "COMMIT"

    def commit_pending(self) -> None:
        """Commit writes made outside an explicit transaction (the API's autocommit)."""
        if not self._explicit and self._tx is not None:
            tx, self._tx = self._tx, None
            self._commit_tx(tx)

    def _commit_tx(self, tx: Transaction) -> None:
        """Commit ``tx``, its temporary tables' ON COMMIT actions first; what it did to them counts
        once it committed."""
        tx.repo.durability = self.settings["agentlake.durability"]
        message, self._statements = "; ".join(self._statements)[:500], []
        try:
            self.temporary_tables.before_commit(tx)
            tx.commit(message=message, author=self.user or "")
        except ConflictError as err:
            self.temporary_tables.rolled_back()
            raise SerializationFailure(
                f"could not serialize access due to concurrent update: {err}", sqlstate="40001"
            ) from None
        except Exception:
            self.temporary_tables.rolled_back()
            raise
        self.temporary_tables.committed()

    def rollback(self) -> None:
        if self._tx is not None:
            self._tx.rollback()
        self.temporary_tables.rolled_back()
        self._tx, self._explicit, self._failed, self._savepoints = None, False, False, []
        self._statements = []
        self._transaction_ended()
        self.sql_cursors.end_transaction(committed=False)
        self.notifications.end_transaction(committed=False)

    def _transaction_ended(self) -> None:
        """SET LOCAL values, transaction-level advisory locks and the transaction's id end with it."""
        self.settings.end_transaction()
        self.advisory_locks.end_transaction()
        self._transaction_id = None

    def transaction_id(self, assign: bool) -> int | None:
        """``txid_current()``: the transaction's id, drawn from a repository-wide counter the first
        time it is asked for (``assign``; else None until then), so ids grow across the sessions and
        processes of a repository, and a transaction block keeps one."""
        if self._transaction_id is None and assign:
            self._transaction_id = self.repo.nextval("transaction_ids")
        return self._transaction_id

    def close(self) -> None:
        """The session ends: its transaction rolls back, its temporary tables are dropped and its
        session-level advisory locks go."""
        self.rollback()
        self.temporary_tables.drop_all(self)
        self.sql_cursors.close(None)
        self.advisory_locks.close()
        self.notifications.close()

    def savepoint(self, name: str) -> None:
        self._in_block("SAVEPOINT")
        self._savepoints.append((name, self._tx.savepoint(), self.sql_cursors.mark(), self.notifications.mark()))

    def _find_savepoint(self, name: str) -> int:
        for index in range(len(self._savepoints) - 1, -1, -1):
            if self._savepoints[index][0] == name:
                return index
        raise ProgrammingError(f'savepoint "{name}" does not exist', sqlstate="3B001")

    def _in_block(self, statement: str) -> None:
        if not self._explicit:
            raise ProgrammingError(f"{statement} can only be used in transaction blocks", sqlstate="25P01")

    def release(self, name: str) -> None:
        self._in_block("RELEASE SAVEPOINT")
        del self._savepoints[self._find_savepoint(name) :]

    def rollback_to(self, name: str) -> None:
        self._in_block("ROLLBACK TO SAVEPOINT")
        index = self._find_savepoint(name)
        _, mark, cursors, notifications = self._savepoints[index]
        self._tx.rollback_to(mark)
        self.sql_cursors.roll_back_to(cursors)
        self.notifications.rollback_to(notifications)
        del self._savepoints[index + 1 :]
        self._failed = False

    def set_branch(self, branch: str) -> None:
        if self._explicit:
            raise ProgrammingError("cannot change branch inside a transaction", sqlstate="25001")
        require(self.rights, branch, READ)
        self.repo.head(branch)
        self.branch = branch
        self.settings.set("agentlake.branch", branch)

    def notice(self, message: str) -> None:
        """A NOTICE: handed to the handlers as it happens (a long CREATE INDEX reports as it goes),
        or, with none registered, kept in ``notices`` until the caller reads them; one less severe
        than client_min_messages is not sent (``Notice`` carries its severity; text is a NOTICE)."""
        severity = getattr(message, "severity", "NOTICE").lower()  # INFO is always sent, as in PostgreSQL
        if severity in MESSAGE_LEVELS and (
            MESSAGE_LEVELS.index(severity) < MESSAGE_LEVELS.index(self.settings["client_min_messages"])
        ):
            return
        if not self.notice_handlers:
            self.notices.append(message)
        for handler in self.notice_handlers:
            handler(message)

    def cancel(self) -> None:
        self.cancel_event.set()

    # running statements --------------------------------------------------
    def execute(self, sql: str, params=None) -> list[Result]:
        """Run every statement of ``sql``; returns one result per statement."""
        self.cancel_event.clear()
        repeated = self._repeated_topk(sql, params)
        if repeated is not None:
            return [repeated]
        return parse_and_run(
            sql, lambda: frontend.parse(sql, params), lambda parsed: self._run_all(sql, params, parsed)
        )

    def _run_all(self, sql: str, params, statements: list[exp.Expression]) -> list[Result]:
        self._record(sql)
        self.runner.last_topk = None
        results = []
        try:
            for index, statement in enumerate(statements):
                # A statement (or a part of it) with no parameters bound in has the same DataFusion SQL every
                # time. The key holds the statement itself: a later statement's tree could reuse its id().
                self._text_key = (statement, (sql, index), bool(params))
                results.append(self._execute_one(statement))
        finally:
            self._text_key = None
        if len(statements) == 1 and self.runner.last_topk is not None and self.runner.last_topk[0] is statements[0]:
            topk_templates.remember(sql, params, *self.runner.last_topk)  # the statement itself, not one inside EXPLAIN
        return results or [Result(None, 0, None)]

    def _record(self, sql: str) -> None:
        """Keep the statement's text: the transaction's statements, or just this one outside one."""
        self._statements = self._statements + [sql] if self._explicit else [sql]

    def _repeated_topk(self, sql: str, params) -> Result | None:
        """A top-k statement run before, with a new query vector: straight to the search."""
        template = topk_templates.lookup(sql) if params is not None and not self._failed else None
        if template is None:
            return None
        self._text_key = None  # nothing here may be cached under another statement's text
        with self._statement():
            try:
                found = template.run(self, params)
            except Exception:  # noqa: BLE001 - the planned path runs it again and reports the error as it always does
                return None
        if found is None:
            return None
        table, self.runner.last_route = found
        self._record(sql)
        return Result(table, table.num_rows, f"SELECT {table.num_rows}")

    def describe(self, sql: str) -> pa.Schema | None:
        """The columns ``sql`` returns (None: it returns no rows), with its placeholders unbound."""
        return self._described.get(
            sql,
            self.snapshot,
            self.settings["search_path"],
            lambda: parse_and_run(sql, lambda: frontend.parse_unbound(sql), self._describe),
        )

    def _describe(self, statements: list[exp.Expression]) -> pa.Schema | None:
        if len(statements) != 1:
            raise ProgrammingError("cannot describe several statements at once", sqlstate="42601")
        with self._statement():
            try:
                return frontend.describe(self, statements[0])
            except Exception as err:
                error = self._translate(err)  # the SQLSTATE running it would report
                raise error from (None if error is err else err)

    def execute_immediate(self, sql: str, params=None) -> Result | None:
        """Answer ``sql`` if it needs neither a plan nor a file read, else do nothing and return None.

        A server tries this on its event loop before handing a statement to a worker
        thread: a constant SELECT or a key lookup in cached files takes microseconds,
        less than the hop. Any doubt (errors included) is left to :meth:`execute`.
        """
        if self._failed:
            return None
        try:
            table = constant_answer(sql) if not params and "%" not in sql else None
            constant, found = table is not None, None
            if not constant:
                found = unbound(sql, params)  # the cached tree: a key lookup reads its key, copies nothing
                if found is None or len(found[0]) != 1 or not isinstance(found[0][0], exp.Select):
                    return None
                if row_locks.locking(found[0][0]):
                    return None
            with self._statement():
                if self._snapshot_due:
                    self._take_snapshot()  # a query, even SELECT 1, fixes a transaction's snapshot
                if found is not None:
                    table = self.runner.run_without_planning(found[0][0], cached_only=True, params=found[1])
        except Exception:  # noqa: BLE001 - execute() reports the error properly
            return None
        if table is None:
            return None
        self._record(sql)
        return Result(table, table.num_rows, f"SELECT {table.num_rows}", constant=constant)

    def _execute_one(self, stmt: exp.Expression) -> Result:
        handler, ends_tx = frontend.handler_for(stmt)
        if self._failed and not ends_tx:
            raise _in_failed_transaction()
        autocommit = not self._explicit
        if autocommit:  # the statement is its transaction: now() in a DEFAULT is its start, not the session's
            self._tx_started = time.time()
        savepoint = self._tx.savepoint() if self._tx is not None and not autocommit else None
        try:
            authorize(self, stmt)
            with self._statement(), self.interrupts.statement(self.settings.milliseconds("statement_timeout")):
                if self._snapshot_due and frontend.takes_snapshot(handler):
                    self._take_snapshot()  # SELECT 1 takes one too, though it reads nothing
                with row_locks.nested_locks_run_first(self, stmt) as runnable:
                    result = self._run_restartable(handler, runnable, savepoint)
                if self._tx is not None and not self._tx.closed:
                    self._tx.end_statement()
            if autocommit:
                self.commit_pending()
                self.notifications.end_transaction(committed=True)
            return result
        except Exception as err:
            error = self._translate(err)
            locate(error, stmt)
            self._statement_failed(autocommit, savepoint)
            raise error from (None if error is err else err)
        finally:
            if not self._explicit:  # a statement outside a block is its own transaction
                self._transaction_ended()

    def _run_restartable(self, handler, stmt: exp.Expression, savepoint: tuple | None) -> Result:
        """Run a statement, again on the branch head each time it finds rows it changes changed
        meanwhile (``row_locks.StatementRestart``): what it did is undone first."""
        for _ in range(row_locks.MAX_RUNS):
            try:
                return handler(self, stmt)
            except row_locks.StatementRestart:
                self._undo_statement(savepoint)
                self.read_latest()
        raise SerializationFailure("could not serialize access due to concurrent update", sqlstate="40001")

    def _undo_statement(self, savepoint: tuple | None) -> None:
        """Take back what the running statement wrote: its transaction block back to ``savepoint``
        (taken as the statement began), or, outside a block (no savepoint), its own transaction."""
        if savepoint is not None:
            if self._tx is not None:
                self._tx.rollback_to(savepoint)
            return
        if self._tx is not None:
            self._tx.rollback()
        self._tx = None

    def _statement_failed(self, autocommit: bool, savepoint: tuple | None) -> None:
        """A statement failed: outside a block its transaction ends with it (its temporary tables'
        changes and NOTIFYs too); in one, what it wrote is undone and the block fails (25P02)."""
        if autocommit:
            self._undo_statement(None)
            self.temporary_tables.rolled_back()
            self.notifications.end_transaction(committed=False)
        elif savepoint is not None and self._tx is not None:
            self._undo_statement(savepoint)
            self._failed = True

    def stream_failed(self, err: Exception, stmt: exp.Expression, block: Transaction | None) -> Error:
        """An error of a streamed query's later rows (``engine.result_stream``), translated and
        located as one raised while the statement ran; it fails the transaction block the query
        ran in if that block is still open, as in PostgreSQL."""
        error = self._translate(err)
        locate(error, stmt)
        if block is not None and block is self.transaction_block:
            self._failed = True
        return error

    def _translate(self, err: Exception) -> Error:
        if isinstance(err, Error):
            return err
        if isinstance(err, CatalogError):
            error = from_catalog(err)
            error.detail = getattr(err, "detail", None)  # PostgreSQL's DETAIL line (constraint violations)
            violation = getattr(err, "violation", None)
            if violation is not None:
                error.objects = violation_objects(violation)
            return error
        reason = self.interrupts.reason()
        if reason is not None:
            return QueryCanceled(reason)
        return frontend.translate_error(err)

    # services for statement handlers ---------------------------------------
    def datafusion_sql(self, node: exp.Expression, part: str | None = None, compiled: bool = False) -> str:
        """DataFusion SQL for the running statement or, named by ``part``, one of its subtrees (a
        top-k's filter): generated once per statement text unless parameters were bound into it
        or what it means depends on which columns are vectors. ``compiled``: for the Dask and
        Polars compilers, which plan it without the local executor's functions (checked integers,
        PostgreSQL's text of dates and times)."""
        key = None
        if self._text_key is not None:
            statement, text, bound = self._text_key
            if part is None and node is statement and not bound:
                key = text
            elif part is not None and not frontend.has_bound_parameters(node):
                key = (*text, part)
        parent, arg_key, index = node.parent, node.arg_key, node.index
        if self.apply_typed_rewrites(node, local_functions=not compiled, text_key=key):
            if parent is not None:  # a rewrite may have replaced the subtree's root
                found = parent.args[arg_key]
                node = found[index] if isinstance(found, list) else found
            return frontend.to_datafusion_sql(node)  # decided by the catalog: not cached
        return frontend.to_datafusion_sql(node, key)

    def apply_typed_rewrites(
        self, node: exp.Expression, local_functions: bool = True, text_key: Hashable | None = None
    ) -> bool:
        """The rewrites the catalog's column types decide (vector operators, float comparisons), in
        place; True when any applied. ``text_key``: the statement text (and part) that fixes
        ``node``, so that a statement they left alone before over the same tables is not walked again."""
        return snapshot_typed_rewrites(node, self.snapshot, local_functions, text_key)

    def row_filter(self, table: str, where: str, params) -> RowFilter:
        """A batch search's SQL filter over ``table``, parsed and bound here; its DataFusion SQL is
        made only if DataFusion ends up evaluating it."""
        clause = frontend.parse(f"SELECT 1 FROM {table} WHERE {where}", params)[0].args["where"]
        node = clause.this

        def where_sql() -> str:
            self.apply_typed_rewrites(clause.this)
            return frontend.to_datafusion_sql(clause.this)  # a rewrite may have replaced the root

        return RowFilter(node, where_sql)

    def run_datafusion(self, sql: str, sync: bool = True) -> pa.Table:
        return self.runner.run_sql(sql, sync)

    def query_arrow(self, node: exp.Expression) -> pa.Table:
        return self.runner.run_sql(self.datafusion_sql(node))

    def check_plans(self, sql: str) -> None:
        self.runner.plan(sql)

    @contextlib.contextmanager
    def temp_table(self, hint: str, rows: pa.Table) -> Iterator[str]:
        name = f"_tmp_{hint}_{next(_temp_ids)}"
        ctx = self.runner.context()
        ctx.register_record_batches(name, [rows.to_batches() or [pa.RecordBatch.from_pylist([], rows.schema)]])
        try:
            yield name
        finally:
            ctx.deregister_table(name)

    def evaluate_default(self, sql: str, field: pa.Field, count: int = 1) -> pa.Array | pa.Scalar:
        """DEFAULT expressions; now() is the transaction's start time, as in PostgreSQL. A volatile
        one (``gen_random_uuid()``, ``random()``, ``nextval('s')``) answers each of ``count`` rows
        with a value of its own, as PostgreSQL evaluates a default per row; others answer once."""
        lowered = sql.strip().lower()
        if lowered in ("now()", "current_timestamp", "transaction_timestamp()", "localtimestamp"):
            return pa.scalar(int(self._tx_started * 1_000_000), pa.timestamp("us", tz="UTC"))
        node = frontend.parse_expression(sql)
        if count > 1 and is_volatile(node):
            rows = f"SELECT {self.datafusion_sql(node)} AS v FROM generate_series(1, {int(count)})"
            return self.runner.run_sql(rows).column(0).combine_chunks()
        return self.runner.run_sql(f"SELECT {self.datafusion_sql(node)} AS v").column(0)[0]
