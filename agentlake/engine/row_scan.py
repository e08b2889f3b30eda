"""One query over any chosen stored rows of the single table it reads, for readers that stream.

A query that takes its table row by row (a select list and a WHERE: no ORDER BY, GROUP BY, aggregate,
window, DISTINCT, LIMIT, join or subquery) answers over the whole table exactly the union of its
answers over the table's Parquet row groups. ``RowScan`` runs such a query on one group's rows at a
time: the rows are registered under the table's name in a session's DataFusion context, so every
function, rewrite and type is the engine's own. Media stay as stored (blob hashes) until
:meth:`RowScan.finish`, which reads the bytes of only the rows about to be used.

The session must be the scan's own: its context never registers the snapshot's tables (only the rows
handed in), and it should read a fixed commit (a session opened at a commit id), so the table's
schema and the rows agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import Error, ProgrammingError
from ..executors.local.result_types import normalize, restore_types
from . import frontend

if TYPE_CHECKING:
    from .session import Session

ROW_BY_ROW_PLANS = frozenset({"Projection", "Filter", "TableScan", "SubqueryAlias"})
"""DataFusion plan nodes that keep each output row a function of one input row."""


class RowScan:
    """``sql`` over chosen rows of its table; :meth:`plan` answers None for a query that is not row by row."""

    def __init__(self, session: "Session", stmt: exp.Select, table: str, result_sql: str, count_sql: str) -> None:
        self.session = session
        self.snapshot = session.snapshot
        """The snapshot read (fixed when the session reads a commit id)."""
        self.stmt = stmt
        self.table = table
        self._result_sql = result_sql
        self._count_sql = count_sql
        self.count_columns = sorted(
            {c.name for c in (stmt.args.get("where") or exp.Where()).find_all(exp.Column)}
            & set(self.snapshot.schema(table).names)
        )
        """The table's columns the WHERE reads: all :meth:`count` needs."""

    @classmethod
    def plan(cls, session: "Session", sql: str, params=None) -> "RowScan | None":
        statements = frontend.parse(sql, params)
        if len(statements) != 1:
            raise ProgrammingError("a loader takes one query", sqlstate="42601")
        stmt = statements[0]
        tables = list(stmt.find_all(exp.Table)) if isinstance(stmt, exp.Select) else []
        snapshot = session.snapshot
        if len(tables) != 1 or tables[0].name not in snapshot.tables or stmt.args.get("with"):
            return None
        table = tables[0].name
        counting = stmt.copy()
        counting.set("expressions", [exp.Count(this=exp.Star())])
        sqls = []
        for node in (stmt, counting):
            session.apply_typed_rewrites(node)
            sqls.append(frontend.to_datafusion_sql(node))
        scan = cls(session, stmt, table, *sqls)
        empty = snapshot.schema(table).empty_table()
        plan = scan._on(empty, lambda ctx: ctx.sql(scan._result_sql).optimized_logical_plan())
        return scan if _row_by_row(plan) else None

    def count(self, rows: pa.Table) -> int:
        """How many rows the query keeps of ``rows`` (which need only :attr:`count_columns`)."""
        if not self.count_columns and self.stmt.args.get("where") is None:
            return rows.num_rows
        found = self._on(rows, lambda ctx: ctx.sql(self._count_sql).to_arrow_table())
        return int(found.column(0)[0].as_py())

    def run(self, rows: pa.Table) -> pa.Table:
        """The query's rows over ``rows`` (the table's stored columns), media still stored."""
        return self._on(rows, lambda ctx: normalize(ctx.sql(self._result_sql).to_arrow_table()))

    def finish(self, rows: pa.Table) -> pa.Table:
        """Some of :meth:`run`'s rows as the query returns them: tensors typed, media as bytes."""
        return restore_types(rows, self.snapshot, self.stmt)

    def _on(self, rows: pa.Table, work):
        ctx = self.session.runner.context()
        batches = rows.to_batches() or [pa.RecordBatch.from_pylist([], rows.schema)]
        ctx.register_record_batches(self.table, [batches])
        try:
            return work(ctx)
        except Error:
            raise
        except Exception as err:  # noqa: BLE001 - DataFusion's errors become SQLSTATEs as everywhere
            raise frontend.translate_error(err) from None
        finally:
            ctx.deregister_table(self.table)


def _row_by_row(plan) -> bool:
    return type(plan.to_variant()).__name__ in ROW_BY_ROW_PLANS and all(_row_by_row(p) for p in plan.inputs())
