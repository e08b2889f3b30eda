"""Dates, times, timestamps, intervals, floats and unconstrained numerics made text inside SQL print
as PostgreSQL prints them.

DataFusion's cast to text writes ``2024-01-02T03:04:05.500`` and ``2024-01-02T01:04:05Z``;
PostgreSQL writes ``2024-01-02 03:04:05.5`` and ``2024-01-02 01:04:05+00`` (the session's time zone
being UTC). Casts to text (``::text``, ``CAST(x AS varchar)``), ``||`` and ``concat``/``concat_ws``
of a date/time value get the local executor's text function for its type
(:data:`TEXT_FUNCTIONS`). Which expressions are dates or times only the catalog knows for columns,
so this is a typed rewrite; the others are casts to a temporal type and the current date and time
functions. An unconstrained ``numeric`` column (see ``unconstrained_numeric.py``) prints without its
storage's trailing zeros; a float as float8out does (``1e+15``, ``Infinity``, not ``1e15``, ``inf``)
and an interval as ``1 year 2 mons 04:05:06``. A boolean cast to text or joined by ``||`` is
``true``/``false``, as DataFusion prints it, but ``concat`` and ``concat_ws`` write a boolean as its
output function does, ``t``/``f``. An array cast to text, or given to ``concat``, ``concat_ws`` or
``format``, prints as array_out does, ``{1,2}`` and ``{"a b",NULL}`` (DataFusion's is ``[1, 2]``):
it goes to :data:`ARRAY_TEXT` as its JSON and ``arrow_typeof``.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ..results import is_unconstrained_numeric
from .column_types import SchemaOf, column_fields
from .real_types import is_real_expression
from .rounding import numeric_kind
from .rules.column_names import PG_NAME, pg_name
from .types import TYPE_KEY

T = exp.DataType.Type

TEXT_FUNCTIONS = {
    "date": "pg_date_text",
    "time": "pg_time_text",
    "timestamp": "pg_timestamp_text",
    "timestamptz": "pg_timestamptz_text",
    "numeric": "pg_numeric_text",
    "float8": "pg_float8_text",
    "float4": "pg_float4_text",
    "interval": "pg_interval_text",
}
"""Kind -> the local executor's function printing it as PostgreSQL's output function does."""

_CAST_KINDS = {
    T.DATE: "date",
    T.TIME: "time",
    T.TIMESTAMP: "timestamp",
    T.DATETIME: "timestamp",
    T.TIMESTAMPTZ: "timestamptz",
    T.TIMESTAMPLTZ: "timestamptz",
    T.DOUBLE: "float8",
    T.FLOAT: "float4",
    T.INTERVAL: "interval",
}
_ARROW_TYPES = {
    "date": "Date32",
    "time": "Time64(Microsecond)",
    "timestamp": "Timestamp(Microsecond, None)",
    "timestamptz": 'Timestamp(Microsecond, Some("UTC"))',
    "numeric": "Decimal128(38, 10)",
    "float8": "Float64",
    "float4": "Float32",
    "interval": "Interval(MonthDayNano)",
}
"""The Arrow type each text function takes, as DataFusion's ``arrow_cast`` spells it: its casts to a
temporal type are in nanoseconds and ``now()`` is at ``+00:00``, which a function's exact argument
type does not take."""
ARRAY_TEXT = "pg_array_text"
"""The local executor's function printing an array, given as (its JSON, its ``arrow_typeof``)."""
_TEXT_TYPES = (T.TEXT, T.VARCHAR, T.NVARCHAR, T.CHAR, T.NCHAR)
_NOW_FUNCTIONS = {"now", "transaction_timestamp", "statement_timestamp", "clock_timestamp"}


def _field_kind(field: pa.Field) -> str | None:
    """The kind of a column (None: one DataFusion prints as PostgreSQL does)."""
    if is_unconstrained_numeric(field):
        return "numeric"
    t = field.type
    if pa.types.is_floating(t) and not (field.metadata or {}).get(TYPE_KEY):  # float8 and real, not a vector's parts
        return "float4" if t.bit_width == 32 else "float8"
    if pa.types.is_interval(t):
        return "interval"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz else "timestamp"
    return None


def value_kind(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> str | None:
    """What ``node`` is, where the catalog and the text tell: date, time, timestamp, timestamptz or
    an unconstrained numeric (None: something else, or not known before planning)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        field = fields.get(node.table, {}).get(node.name)
        return _field_kind(field) if field is not None else None
    if isinstance(node, exp.Cast):
        return _CAST_KINDS.get(node.to.this)
    if isinstance(node, exp.CurrentTimestamp):
        return "timestamptz"
    if isinstance(node, exp.CurrentDate):
        return "date"
    if isinstance(node, exp.Interval):
        return "interval"
    if isinstance(node, exp.AtTimeZone):
        from .time_zones import converted_kind  # it reads this module's kinds

        return converted_kind(node, fields)
    if isinstance(node, exp.Localtimestamp):
        return "timestamp"
    if isinstance(node, exp.Localtime):
        return "time"
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "arrow_cast" and len(node.expressions) == 2:
            target = node.expressions[1]
            return (
                "timestamptz"
                if isinstance(target, exp.Literal) and target.this == _ARROW_TYPES["timestamptz"]
                else None
            )
        if name == "to_timestamp":
            return "timestamptz"
        return "timestamptz" if name in _NOW_FUNCTIONS and not node.expressions else None
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div)):
        return _arithmetic_kind(node, fields) or _computed_float_kind(node, fields)
    if isinstance(node, (exp.Min, exp.Max)):
        return value_kind(node.this, fields)
    if isinstance(node, exp.Coalesce):
        kinds = {value_kind(value, fields) for value in [node.this, *node.expressions]}
        return kinds.pop() if len(kinds) == 1 else None
    return _computed_float_kind(node, fields)


_MOVED = {  # (kind, operator, kind) -> the kind PostgreSQL's operator returns, for the temporal ones
    **{(k, op, "interval"): k for k in ("timestamp", "timestamptz", "time", "interval") for op in "+-"},
    **{(k, op, "interval"): "timestamp" for k in ("date",) for op in "+-"},
    **{("interval", "+", k): k for k in ("timestamp", "timestamptz", "time")},
    ("interval", "+", "date"): "timestamp",
    ("timestamp", "-", "timestamp"): "interval",
    ("timestamptz", "-", "timestamptz"): "interval",
    ("time", "-", "time"): "interval",
    ("date", "+", "time"): "timestamp",
    ("time", "+", "date"): "timestamp",
}


def _arithmetic_kind(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> str | None:
    """The date/time kind of temporal arithmetic: ``at + interval '1 hour'`` is a timestamptz,
    ``ts - ts`` an interval, ``interval '1 day' * 3`` an interval, ``d + 1`` a date."""
    left, right = value_kind(node.this, fields), value_kind(node.expression, fields)
    if isinstance(node, (exp.Mul, exp.Div)):
        scaled = left == "interval" and right is None and numeric_kind(node.expression, fields) is not None
        return "interval" if scaled or (isinstance(node, exp.Mul) and right == "interval" and left is None) else None
    operator = "+" if isinstance(node, exp.Add) else "-"
    if left == "date" and right is None and numeric_kind(node.expression, fields) == "integer":
        return "date"
    if right == "date" and left is None and operator == "+" and numeric_kind(node.this, fields) == "integer":
        return "date"
    return _MOVED.get((left, operator, right))


def _computed_float_kind(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> str | None:
    """float4 or float8 for a computed float (``r * 2``, ``sum(r)``, ``avg(d)``), whose text DataFusion
    writes as ``2.0`` where PostgreSQL writes ``2``: float4 where PostgreSQL's types keep a real."""
    if numeric_kind(node, fields) != "float":
        return None

    def is_real_column(column: exp.Column) -> bool:
        field = fields.get(column.table, {}).get(column.name)
        return field is not None and pa.types.is_float32(field.type)

    return "float4" if is_real_expression(node, is_real_column) else "float8"


def _operands(node: exp.Expression) -> list[exp.Expression]:
    """The operands of ``node`` that become text (none when ``node`` makes no text)."""
    if isinstance(node, exp.Cast):
        return [node.this] if node.to.this in _TEXT_TYPES else []
    if isinstance(node, exp.DPipe):
        return [node.this, node.expression]
    if isinstance(node, (exp.Concat, exp.ConcatWs)):
        return list(node.expressions)
    return []


def _constant_cast(node: exp.Expression) -> bool:
    """Whether ``node`` is a constant under casts (``1e15::float8``), which names no column itself."""
    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    return isinstance(node, (exp.Literal, exp.Interval))  # interval '1 day' is a typed constant too


def _array_operands(node: exp.Expression) -> list[exp.Expression]:
    """The operands of ``node`` that become text and may be arrays (``||`` of an array concatenates)."""
    if isinstance(node, exp.Format):
        return list(node.expressions)
    return [] if isinstance(node, exp.DPipe) else _operands(node)


def _is_array(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """Whether ``node`` is known to be a one-dimensional SQL array (not a vector or tensor, which
    print as themselves; to_json, which hands arrays over, takes one dimension)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        field = fields.get(node.table, {}).get(node.name)
        return (
            field is not None
            and pa.types.is_list(field.type)
            and not pa.types.is_list(field.type.value_type)
            and not (field.metadata or {}).get(TYPE_KEY)
        )
    if isinstance(node, exp.Cast):
        return node.to.this == T.ARRAY and not any(e.this == T.ARRAY for e in node.to.expressions)
    if isinstance(node, (exp.Array, exp.ArrayAgg)):  # the array expressions to_json takes
        elements = node.expressions if isinstance(node, exp.Array) else [node.this]
        return not any(isinstance(e, exp.Array) or _is_array(e, fields) for e in elements)
    return False


def _operand_name(operand: exp.Expression) -> str:
    """The name of an operand's replacement: as the operand was named ((at AT TIME ZONE 'UTC')::text
    is "timezone"), but a constant's leaves the cast around it to name the column (1e15::float8::text
    is "text")."""
    return "?column?" if _constant_cast(operand) else pg_name(operand)


def _array_text(node: exp.Expression) -> exp.Expression:
    as_json = exp.Cast(this=exp.Anonymous(this="to_json", expressions=[node.copy()]), to=exp.DataType.build("TEXT"))
    text = exp.Anonymous(
        this=ARRAY_TEXT, expressions=[as_json, exp.Anonymous(this="arrow_typeof", expressions=[node.copy()])]
    )
    text.meta[PG_NAME] = _operand_name(node)
    return text


def text_casts(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the values made text that DataFusion prints otherwise; True when any was."""
    makers = [
        node
        for node in tree.find_all(exp.Cast, exp.DPipe, exp.Concat, exp.ConcatWs, exp.Format)
        if _operands(node) or _array_operands(node)
    ]
    if not makers:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for node in makers:
        arrays = [operand for operand in _array_operands(node) if _is_array(operand, fields)]
        for operand in arrays:
            operand.replace(_array_text(operand))
        changed = changed or bool(arrays)
        for operand in _operands(node):
            if any(operand is array for array in arrays):
                continue
            kind = value_kind(operand, fields)
            if kind is None and isinstance(node, (exp.Concat, exp.ConcatWs)) and _is_boolean(operand, fields):
                operand.replace(_boolean_output(operand))
                changed = True
            elif kind is not None:
                argument = exp.Anonymous(
                    this="arrow_cast", expressions=[operand.copy(), exp.Literal.string(_ARROW_TYPES[kind])]
                )
                text = exp.Anonymous(this=TEXT_FUNCTIONS[kind], expressions=[argument])
                text.meta[PG_NAME] = _operand_name(operand)
                operand.replace(text)
                changed = True
    return changed


_BOOLEAN_MAKERS = (exp.Predicate, exp.Not, exp.And, exp.Or, exp.Boolean)


def _is_boolean(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """Whether ``node`` is known to be a boolean: a boolean column, a literal, a comparison or a
    combination of them, or a cast to boolean."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        field = fields.get(node.table, {}).get(node.name)
        return field is not None and pa.types.is_boolean(field.type)
    if isinstance(node, exp.Cast):
        return node.to.this == T.BOOLEAN
    return isinstance(node, _BOOLEAN_MAKERS)


def _boolean_output(node: exp.Expression) -> exp.Expression:
    """``t``, ``f`` or NULL, as boolout writes a boolean."""
    return exp.Case(
        ifs=[
            exp.If(this=node.copy(), true=exp.Literal.string("t")),
            exp.If(this=exp.Not(this=exp.Paren(this=node.copy())), true=exp.Literal.string("f")),
        ]
    )
