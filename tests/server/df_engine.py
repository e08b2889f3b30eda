"""A small engine with agentlake.connect's interface over a DataFusion SessionContext.

The wire server is tested against it where the real engine cannot run yet
(before the SQL front end exists); the tests switch to ``agentlake.connect``
as soon as it can execute SQL. It keeps PostgreSQL's transaction states but
not their isolation: writes apply at once.
"""
from __future__ import annotations

import os
import re
from decimal import Decimal
import threading
from typing import Any, Sequence

import pyarrow as pa
import sqlglot
from datafusion import SessionConfig, SessionContext
from sqlglot import exp

from agentlake.errors import Error, InFailedTransaction, ProgrammingError, QueryCanceled
from agentlake.pgcatalog import TableInfo, register_pg_catalog
from agentlake.pgcatalog.rewrite import rewrite

_SHARED: dict[str, SessionContext] = {}
_LOCK = threading.Lock()
_CATALOG_KEYS: dict[int, tuple] = {}
_MISSING_TABLE = re.compile(r"table '([^']+)' not found", re.IGNORECASE)


class _Cursor:
    def __init__(self, table: pa.Table | None, status: str, rowcount: int = -1) -> None:
        self._table, self.statusmessage, self.rowcount = table, status, rowcount

    @property
    def arrow_schema(self) -> pa.Schema | None:
        return None if self._table is None else self._table.schema

    def fetch_arrow(self) -> pa.Table:
        return self._table


class DFConnection:
    """One session over a DataFusion context shared by every connection to the same repository name."""

    def __init__(self, repo: str, branch: str, user: str | None) -> None:
        with _LOCK:
            self.ctx = _SHARED.setdefault(repo, SessionContext(SessionConfig().with_information_schema(False)))
        self.repo, self.current_branch, self.user = repo, branch, user
        self.settings: dict[str, str] = {"server_version": "16.4", "transaction_isolation": "read committed",
                                         "standard_conforming_strings": "on", "timezone": "UTC",
                                         "datestyle": "ISO, MDY", "agentlake.branch": branch}
        self.transaction_status = "idle"
        self.notices: list[str] = []
        self._canceled = threading.Event()

    def catalog_tables(self) -> list[TableInfo]:
        schema = self.ctx.catalog().schema("public")
        return [TableInfo(name, self.ctx.table(name).schema()) for name in sorted(schema.names())]

    def cancel(self) -> None:
        self._canceled.set()

    def close(self) -> None:
        self.transaction_status = "idle"

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> _Cursor:
        self._canceled.clear()
        word = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
        if word in ("SAVEPOINT", "RELEASE"):
            return _Cursor(None, word)
        try:
            tree = sqlglot.parse_one(sql, read="postgres")
        except sqlglot.errors.ParseError as err:
            self._fail()
            errors = getattr(err, "errors", None) or [{}]
            raise ProgrammingError(f"syntax error: {errors[0].get('description', err)}", sqlstate="42601",
                                   position=None) from None
        if self.transaction_status == "failed" and not isinstance(tree, (exp.Rollback, exp.Commit)):
            raise InFailedTransaction("current transaction is aborted, commands ignored until end of "
                                      "transaction block")
        try:
            return self._run(tree, list(params or []))
        except Error:
            self._fail()
            raise
        except Exception as err:  # noqa: BLE001 - DataFusion errors become SQLSTATEs
            self._fail()
            if self._canceled.is_set():
                raise QueryCanceled("canceling statement due to user request") from None
            message = str(err)
            if _MISSING_TABLE.search(message):
                raise ProgrammingError(message, sqlstate="42P01") from None
            raise ProgrammingError(message, sqlstate="42601" if "ParserError" in message else "XX000") from None

    def _sync_catalog(self) -> None:
        """Re-register pg_catalog only when the tables changed, as the real engine does per snapshot."""
        tables = self.catalog_tables()
        key = (self.user, id(self._canceled), tuple((t.name, str(t.schema)) for t in tables))
        with _LOCK:
            if _CATALOG_KEYS.get(id(self.ctx)) != key:
                register_pg_catalog(self.ctx, tables, database=os.path.basename(self.repo), user=self.user or "",
                                    settings=self.settings, cancel=self._canceled)
                _CATALOG_KEYS[id(self.ctx)] = key

    def _fail(self) -> None:
        if self.transaction_status == "in_transaction":
            self.transaction_status = "failed"

    def _run(self, tree: exp.Expression, params: list[Any]) -> _Cursor:
        if isinstance(tree, exp.Transaction):
            self.transaction_status = "in_transaction"
            return _Cursor(None, "BEGIN")
        if isinstance(tree, exp.Commit):
            if self.transaction_status == "idle":
                self.notices.append("there is no transaction in progress")
            tag = "ROLLBACK" if self.transaction_status == "failed" else "COMMIT"
            self.transaction_status = "idle"
            return _Cursor(None, tag)
        if isinstance(tree, exp.Rollback):
            if tree.args.get("savepoint") is not None:
                self.transaction_status = "in_transaction"
            else:
                self.transaction_status = "idle"
            return _Cursor(None, "ROLLBACK")
        if isinstance(tree, exp.Set):
            for item in tree.expressions:
                node = item.this
                if isinstance(node, exp.EQ):
                    name, value = node.this.name, node.expression
                    value = value.name if isinstance(value, (exp.Column, exp.Identifier, exp.Var)) else value.this
                    self.settings[name.lower()] = str(value)
                    if name.lower() == "agentlake.branch":
                        self.current_branch = str(value)
            return _Cursor(None, "SET")
        if isinstance(tree, exp.Command):
            word = tree.this.upper()
            text = str(tree.expression or "").strip()
            if word == "SHOW":
                name = text.lower().replace("transaction isolation level", "transaction_isolation")
                value = self.settings.get(name, "on")
                return _Cursor(pa.table({name: [value]}), "SHOW", 1)
            raise ProgrammingError(f"unsupported command {word}", sqlstate="0A000")
        tree = _bind(rewrite(tree), params)
        self._sync_catalog()
        frame = self.ctx.sql(tree.sql(dialect="postgres"))
        table = frame.to_arrow_table()
        if isinstance(tree, exp.Insert):
            count = table.column(0)[0].as_py() if table.num_rows else 0
            return _Cursor(None, f"INSERT 0 {count}", count)
        if isinstance(tree, (exp.Create, exp.Drop)):
            return _Cursor(None, f"{tree.key.upper()} {(tree.args.get('kind') or '').upper()}".strip())
        return _Cursor(table, f"SELECT {table.num_rows}", table.num_rows)


def _bind(tree: exp.Expression, params: list[Any]) -> exp.Expression:
    def fix(node):
        if isinstance(node, exp.Parameter):
            index = int(node.this.this) - 1 if isinstance(node.this, exp.Literal) else None
            if index is not None and index < len(params):
                return _literal(params[index])
        return node
    return tree.transform(fix) if params else tree


def _literal(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        scale = max(-value.as_tuple().exponent, 0)
        return exp.cast(exp.Literal.string(str(value)), exp.DataType.build(f"DECIMAL(38, {scale})"))
    return exp.Literal.string(str(value))


def connect(repo: str, branch: str, create: bool, user: str) -> DFConnection:
    return DFConnection(repo, branch, user)
