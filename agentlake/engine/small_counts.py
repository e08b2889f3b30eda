"""Counts over small tables in Arrow compute, without planning.

``SELECT count(*) FROM t WHERE n > $1`` is how an agent asks how much it has seen. Through
DataFusion that is a rewrite, a plan and an execution, about two milliseconds for a few thousand
rows; the rows of a small table are already decoded in memory (``snapshot_tables``), and the
same filter as eager ``pyarrow.compute`` calls (``arrow_filter``) counts them in tens of
microseconds. Only ``count(*)`` and ``count(column)`` over one table of the snapshot, with a
WHERE clause Arrow evaluates exactly as PostgreSQL does, take this path; anything else, or
anything doubtful, returns None and is planned, and the tests compare the two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ..executors.local.arrow_filter import Declined, compile_filter

if TYPE_CHECKING:
    from ..executors.local.snapshot_tables import StoredRows
    from .query import QueryRunner

_ALLOWED_PARTS = {"expressions", "from", "from_", "where"}
ROUTE = "count in Arrow compute (no planning)"
"""How EXPLAIN names this path."""


def small_count(runner: "QueryRunner", stmt: exp.Expression) -> pa.Table | None:
    """The one-row answer of a plain count over a small table, or None for any other statement
    (and when ``SET agentlake.executor`` asks for Dask or the GPU)."""
    if runner.session.settings["agentlake.executor"] not in ("auto", "local"):
        return None
    if not isinstance(stmt, exp.Select) or {k for k, v in stmt.args.items() if v} - _ALLOWED_PARTS:
        return None
    source = stmt.args.get("from_") or stmt.args.get("from")
    if source is None or not isinstance(source.this, exp.Table) or source.this.args.get("db"):
        return None
    table = source.this
    snapshot = runner.session.snapshot
    manifest = snapshot.tables.get(table.name)
    if manifest is None or table.name in snapshot.views or not _plain_table_reference(table):
        return None
    outputs = _counts(stmt, manifest.schema, {"", table.alias_or_name})
    if outputs is None:
        return None
    where = stmt.args.get("where")
    predicate = None
    if where is not None:
        compiled = compile_filter(where.this, manifest.schema, {"", table.alias_or_name})
        if compiled is None:
            return None
        predicate = compiled[0]
    stored = runner.memory_rows(table.name)
    if stored is None:
        return None
    try:
        selected = _selected(stored, predicate)
    except Declined:
        return None
    arrays = [pa.array([_count(stored.rows, selected, column)]) for _, column in outputs]
    return pa.Table.from_arrays(arrays, schema=pa.schema([pa.field(name, pa.int64(), False) for name, _ in outputs]))


def _plain_table_reference(table: exp.Table) -> bool:
    """A table named by itself (no TABLESAMPLE, ONLY, joins hidden in its arguments)."""
    return all(key in ("this", "alias") for key, value in table.args.items() if value)


def _counts(stmt: exp.Select, schema: pa.Schema, names: set[str]) -> list[tuple[str, str | None]] | None:
    """(output name, counted column or None for ``*``) per select item; None unless every item is
    a plain ``count(*)`` or ``count(column)`` and the output names are distinct."""
    outputs = []
    for node in stmt.expressions:
        name = node.alias if isinstance(node, exp.Alias) else "count"
        inner = node.this if isinstance(node, exp.Alias) else node
        if not isinstance(inner, exp.Count) or {k for k, v in inner.args.items() if v} - {"this", "big_int"}:
            return None
        argument = inner.this
        if isinstance(argument, exp.Star):
            outputs.append((name, None))
        elif isinstance(argument, exp.Column) and argument.table in names and argument.name in schema.names:
            outputs.append((name, argument.name))
        else:
            return None
    if not outputs or len({name for name, _ in outputs}) != len(outputs):
        return None
    return outputs


def _selected(stored: StoredRows, predicate) -> pa.Array | pa.ChunkedArray | bool:
    """Which stored rows the count takes: the live ones where the predicate is true (NULL counts
    as false, as in WHERE); True for every row, False for none."""
    selected = True if stored.live is None else stored.live
    if predicate is None:
        return selected
    verdict = predicate(stored.rows)
    if isinstance(verdict, pa.Scalar):
        return selected if verdict.is_valid and verdict.as_py() else False
    verdict = pc.fill_null(verdict, False)
    return verdict if selected is True else pc.and_(verdict, selected)


def _count(rows: pa.Table, selected, column: str | None) -> int:
    """count(*) (``column`` None) or count(column) over the selected rows."""
    if selected is False:
        return 0
    if column is not None:
        valid = pc.is_valid(rows.column(column))
        selected = valid if selected is True else pc.and_(selected, valid)
    elif selected is True:
        return rows.num_rows
    return pc.sum(selected).as_py() or 0
