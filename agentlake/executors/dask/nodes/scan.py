"""TableScan: column projection, pushed filters, row-group pruning, deletion vectors.

Tables are registered in DataFusion as empty in-memory tables, so DataFusion keeps
their predicates in a Filter right above the scan; the Filter handler hands those
predicates to :func:`scan` (along with any the scan itself carries). Conjuncts that
translate to Arrow expressions prune row groups by statistics and filter while
reading; the rest run on the partitions.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd
import pyarrow as pa
import pyarrow.compute as pc

from ....errors import NotSupportedError, ProgrammingError
from ..partitions import normalize_frame
from ..registry import Compiler, field_names, handles
from ..source import TableSource, read_source


def conjuncts(expr) -> list:
    """``a AND b AND c`` as ``[a, b, c]``."""
    if expr.variant_name() == "BinaryExpr" and expr.rex_call_operator().upper() == "AND":
        return [c for side in expr.rex_call_operands() for c in conjuncts(side)]
    return [expr]


_COMPARE = {"=": "equal", "!=": "not_equal", "<": "less", "<=": "less_equal", ">": "greater", ">=": "greater_equal"}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def to_arrow_filter(expr, columns: dict[str, str]) -> pc.Expression | None:
    """An Arrow dataset expression equal to ``expr``, or None where there is none."""
    kind = expr.variant_name()
    if kind == "Alias":
        return to_arrow_filter(expr.rex_call_operands()[0], columns)
    if kind == "Column":
        name = columns.get(expr.to_variant().qualified_name())
        return pc.field(name) if name else None
    if kind == "Literal":
        scalar = expr.python_value()
        if pa.types.is_string_view(scalar.type):
            scalar = pa.scalar(scalar.as_py(), pa.string())
        return pc.scalar(scalar) if scalar.is_valid and not pa.types.is_interval(scalar.type) else None
    if kind == "BinaryExpr":
        op = expr.rex_call_operator().upper()
        left, right = (to_arrow_filter(e, columns) for e in expr.rex_call_operands())
        if left is None or right is None:
            return None
        if op == "AND":
            return left & right
        if op == "OR":
            return left | right
        if op in _COMPARE:
            return getattr(pc, _COMPARE[op])(left, right)
        return None
    if kind == "Between":
        v = expr.to_variant()
        value, low, high = (to_arrow_filter(e, columns) for e in (v.expr(), v.low(), v.high()))
        if None in (value, low, high) or v.negated():
            return None
        return (value >= low) & (value <= high)
    if kind == "InList":
        v = expr.to_variant()
        value = to_arrow_filter(v.expr(), columns)
        items = v.list()
        if value is None or v.negated() or any(i.variant_name() != "Literal" for i in items):
            return None
        values = [i.python_value().as_py() for i in items]
        return value.isin(values)
    if kind in ("IsNull", "IsNotNull"):
        value = to_arrow_filter(expr.rex_call_operands()[0], columns)
        if value is None:
            return None
        return value.is_null() if kind == "IsNull" else value.is_valid()
    return None


def _unviewed(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_string_view(f.type) else f for f in schema])


def _usable(flt: pc.Expression, schema: pa.Schema) -> bool:
    """Whether Arrow can evaluate ``flt`` on a table of ``schema``."""
    try:
        schema.empty_table().filter(flt)
        return True
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError):
        return False


def _all(filters: list[pc.Expression]) -> pc.Expression | None:
    combined = None
    for flt in filters:
        combined = flt if combined is None else combined & flt
    return combined


def scan(compiler: Compiler, plan, predicates: list) -> dd.DataFrame:
    """Read one table with DataFusion's projection, applying ``predicates`` (a conjunction)."""
    variant = plan.to_variant()
    name = variant.table_name().removeprefix("public.")  # the default schema, named or not
    if name.endswith(")"):
        raise NotSupportedError(f"the table function {name} is not supported by the dask executor")
    if name not in compiler.tables:
        raise ProgrammingError(f'relation "{name}" is not registered with this Context', sqlstate="42P01")
    table = compiler.tables[name]
    qualified = field_names(plan)
    columns = [col for _, col in variant.projection()]
    by_qualified = dict(zip(qualified, columns))
    parts = [c for p in list(variant.filters()) + list(predicates) for c in conjuncts(p)]
    # Row-group statistics are checked against the file's own types, where Arrow lacks
    # string_view comparisons; rows are filtered after views became strings.
    prunable, pushed, residual = [], [], []
    schema = table.schema if isinstance(table, TableSource) else None
    for part in parts:
        flt = to_arrow_filter(part, by_qualified) if schema is not None else None
        if flt is not None and _usable(flt, _unviewed(schema)):
            pushed.append(flt)
            if _usable(flt, schema):
                prunable.append(flt)
        else:
            residual.append(part)
    if isinstance(table, TableSource):
        frame = read_source(table, columns, _all(prunable), _all(pushed), compiler.partition_rows, compiler.gpu)
    else:
        frame = table[columns].map_partitions(normalize_frame, meta=normalize_frame(table[columns]._meta))
    frame = frame.rename(columns=dict(zip(columns, qualified)))
    if residual:
        from .projection import filter_frame

        frame = filter_frame(compiler, frame, residual, compiler.scope(plan))
    if variant.fetch() is not None:
        from .sort import head

        frame = head(frame, int(variant.fetch()))
    return frame


@handles("TableScan")
def table_scan(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    return scan(compiler, plan, [])
