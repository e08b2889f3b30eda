"""SET lists evaluated over rows already in hand, without planning (docs/ARCHITECTURE.md, *Fast paths*).

UPDATE by key and INSERT ... ON CONFLICT DO UPDATE hold the one row they change; planning
``SELECT 'x' AS value, n + 1 AS n`` over it in DataFusion costs milliseconds. The forms agents
write most — a constant or bound parameter, a column, an integer column plus or minus an integer
— are computed here with the Arrow types the planned path gives them (string, bool, null, and
integers in PostgreSQL's width), so the statement's casts and checks that follow see the same table
either way. Anything else, or anything doubtful (an integer overflow, a type outside the few
handled), answers None and the planned path runs; the tests compare both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog import ROWID

from ..sql.literals import NOT_CONSTANT, constant

if TYPE_CHECKING:
    from catalog import Manifest

_INT64 = (-(2**63), 2**63 - 1)
_CONSTANT_TYPES = {str: pa.string(), bool: pa.bool_(), int: pa.int64(), type(None): pa.null()}


class _Declined(Exception):
    """The expression needs the planned path."""


def evaluate_assignments(
    assignments: dict[str, exp.Expression],
    manifest: "Manifest",
    sources: dict[str, pa.Table],
    target: str,
    unqualified: bool,
) -> pa.Table | None:
    """Every column of the table after SET, plus the target's rowid, as the planned
    ``SELECT <set or column> ..., rowid FROM target [JOIN excluded]`` returns it; None when any
    expression needs planning.

    ``sources`` are the relations by the name their columns are qualified with, each holding the
    same rows in the same order; ``target`` names the updated table's; ``unqualified`` says
    whether a bare column name means the target's (UPDATE) or is left to the planner (ON
    CONFLICT, where it may be ambiguous)."""
    rows = sources[target]
    try:
        arrays = [
            _evaluate(assignments[f.name], sources, target, unqualified, rows.num_rows)
            if f.name in assignments
            else rows.column(f.name)
            for f in manifest.schema
        ]
    except _Declined:
        return None
    names = [*manifest.schema.names, ROWID]
    return pa.Table.from_arrays([*arrays, rows.column(ROWID)], names=names)


def _evaluate(node: exp.Expression, sources, target: str, unqualified: bool, count: int):
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        return _column(node, sources, target, unqualified)
    if isinstance(node, (exp.Add, exp.Sub)):
        return _integer_arithmetic(node, sources, target, unqualified)
    value = constant(node)
    dtype = _CONSTANT_TYPES.get(type(value)) if value is not NOT_CONSTANT else None
    if dtype is None or (isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]):
        raise _Declined
    return pa.nulls(count) if value is None else pa.array([value] * count, dtype)


def _column(node: exp.Column, sources, target: str, unqualified: bool):
    if node.args.get("db") or isinstance(node.this, exp.Star):
        raise _Declined
    relation = node.table or (target if unqualified else None)
    rows = sources.get(relation)
    if rows is None or rows.schema.get_field_index(node.name) < 0 or node.name == ROWID:
        raise _Declined
    column = rows.column(node.name)
    kind = column.type
    if not (pa.types.is_string(kind) or pa.types.is_boolean(kind) or pa.types.is_integer(kind)):
        raise _Declined  # other types may come back from DataFusion in another Arrow type
    return column


def _integer_arithmetic(node: exp.Binary, sources, target: str, unqualified: bool):
    """``column ± integer`` or ``integer + column`` over an integer column, in PostgreSQL's integer
    width; a result outside it is left to the planner, which reports the overflow."""
    left, right = node.this, node.expression
    if isinstance(node, exp.Add) and not isinstance(left, exp.Column):
        left, right = right, left
    while isinstance(left, exp.Paren):
        left = left.this
    amount = constant(right)
    if not isinstance(left, exp.Column) or type(amount) is not int or not _INT64[0] <= amount <= _INT64[1]:
        raise _Declined
    column = _column(left, sources, target, unqualified)
    if not pa.types.is_signed_integer(column.type):
        raise _Declined
    # PostgreSQL's width: the wider operand's, a literal that fits being int4 (sql/integer_arithmetic.py)
    width = max(column.type.bit_width, 16, 32 if -(2**31) <= amount < 2**31 else 64)
    low, high = -(2 ** (width - 1)), 2 ** (width - 1) - 1
    values = column.cast(pa.int64()).to_pylist()
    out = [None if v is None else (v + amount if isinstance(node, exp.Add) else v - amount) for v in values]
    if any(v is not None and not low <= v <= high for v in out):
        raise _Declined  # the planner answers PostgreSQL's 22003
    return pa.array(out, pa.int16() if width == 16 else pa.int32() if width == 32 else pa.int64())
