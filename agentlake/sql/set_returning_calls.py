"""The set-returning functions PostgreSQL allows in FROM, as select-list expressions DataFusion runs.

A call becomes one list per argument (``unnest(a, b)``: two) and one select item per output column
that unnests its list: DataFusion expands the unnests of one select list together, padding the
shorter lists with NULL, which is PostgreSQL's multi-argument ``unnest``. Output columns are named
and typed as PostgreSQL does: a function of one scalar column (``unnest``, ``generate_series``)
names it after the table alias, or the function; ``jsonb_each`` has ``key`` and ``value`` (jsonb;
text for ``jsonb_each_text``), ``jsonb_array_elements`` has ``value`` (``jsonb_path_query`` and
``jsonb_object_keys`` are named after the alias or the function); column aliases rename them
in order; ``json(b)_to_record(set)`` has the columns of its definition list (``AS t(a int, b
text)``), each read from the object's key of its name; WITH ORDINALITY adds a bigint
``ordinality``. ``sql.set_returning_from`` places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from .integer_arithmetic import fits_width
from .jsonb_types import JSON_TYPE, JSONB

TypeOf = Callable[[exp.Expression], "pa.DataType | None"]
"""The Arrow type of an expression where the statement's tables tell it (None: not known)."""

_SERIES = (exp.ExplodingGenerateSeries, exp.GenerateSeries)
_INT4 = exp.DataType.build("INT")
_BIGINT = exp.DataType.build("BIGINT")

INT4, INT8, NUMERIC, OTHER = "int4", "int8", "numeric", "other"
_INT4_FUNCTIONS = frozenset({"octet_length", "cardinality", "array_length", "jsonb_array_length", "strpos"})
_INTEGER_CASTS = {
    exp.DataType.Type.INT: INT4,
    exp.DataType.Type.SMALLINT: INT4,
    exp.DataType.Type.TINYINT: INT4,
    exp.DataType.Type.BIGINT: INT8,
    exp.DataType.Type.DECIMAL: NUMERIC,
    exp.DataType.Type.BIGDECIMAL: NUMERIC,
    exp.DataType.Type.FLOAT: NUMERIC,
    exp.DataType.Type.DOUBLE: NUMERIC,
}

_JSONB = {
    # name: (list function, whether each element is a (key, value) pair, whether values are jsonb)
    "jsonb_each": ("jsonb_each_list", True, True),
    "jsonb_each_text": ("jsonb_each_text_list", True, False),
    "jsonb_array_elements": ("jsonb_array_list", False, True),
    "jsonb_array_elements_text": ("jsonb_array_text_list", False, False),
    "jsonb_object_keys": ("jsonb_object_keys_list", False, False),
    "jsonb_path_query": ("jsonb_path_query_list", False, True),
}
_SCALAR_JSONB = frozenset({"jsonb_object_keys", "jsonb_path_query"})
"""Those returning a plain set of text, whose one column is named after the alias or the function
(the others have OUT parameters: ``value``, ``key``)."""
_RECORDS = frozenset({"json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset"})
"""Rows of a JSON object (or of each object of an array), typed by the call's column definition list."""
_JSON_KINDS = (exp.DataType.Type.JSON, exp.DataType.Type.JSONB)
_TEXT_KINDS = (exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR)
_UNSUPPORTED = frozenset(
    {
        "json_each",
        "json_each_text",
        "json_array_elements",
        "json_array_elements_text",
        "json_object_keys",
        "json_populate_recordset",
        "jsonb_populate_recordset",
        "regexp_matches",
        "regexp_split_to_table",
        "string_to_table",
        "generate_subscripts",
    }
)
"""PostgreSQL's other set-returning functions: refused in FROM by name, not handed to DataFusion."""


@dataclass
class SetReturningCall:
    """A set-returning function called in FROM."""

    function: str
    alias: str
    """The table alias: as written, else the function's name (PostgreSQL's default)."""
    lists: list[exp.Expression]
    names: list[str]
    """Output column names, in order (``ordinality`` last where asked for)."""
    values: list[Callable[[list[exp.Expression]], exp.Expression]]
    """Per output column: its value from the unnested lists."""
    ordinality: bool = False
    integers: bool = True
    """False for a generate_series of other types (timestamps), which DataFusion runs only as its
    own table function, of constant arguments."""

    def select_items(self, names: list[str], keep_empty: bool = False) -> list[exp.Expression]:
        """The select items (aliased ``names``) that expand this call, one row per element; with
        ``keep_empty`` a call of no rows gives one row of NULLs (LEFT JOIN LATERAL ... ON true)."""
        lists = [lst.copy() for lst in self.lists]
        if self.ordinality:
            lists.append(_positions(lists))
        if keep_empty:
            has_rows = exp.GT(this=_longest(lists), expression=exp.Literal.number(0))
            lists = [
                exp.Case(ifs=[exp.If(this=has_rows.copy(), true=lst)], default=_call("make_array", exp.Null()))
                for lst in lists
            ]
        unnested = [exp.Unnest(expressions=[lst]) for lst in lists]
        values = [value(unnested) for value in self.values]
        if self.ordinality:
            values.append(unnested[-1])
        return [exp.alias_(value, name, quoted=True) for value, name in zip(values, names)]


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _length(lst: exp.Expression) -> exp.Expression:
    return exp.Cast(this=_call("cardinality", lst.copy()), to=_BIGINT.copy())


def _longest(lists: list[exp.Expression]) -> exp.Expression:
    return _length(lists[0]) if len(lists) == 1 else _call("greatest", *(_length(lst) for lst in lists))


def _positions(lists: list[exp.Expression]) -> exp.Expression:
    """1..n for the longest list: the ordinality of each row."""
    return _call("generate_series", exp.Literal.number(1), _longest(lists))


def _element(index: int) -> Callable[[list[exp.Expression]], exp.Expression]:
    return lambda unnested: unnested[index]


def _pair_field(name: str, json_type: str | None) -> Callable[[list[exp.Expression]], exp.Expression]:
    def value(unnested: list[exp.Expression]) -> exp.Expression:
        got = _call("get_field", unnested[0], exp.Literal.string(name))
        if json_type:
            got.meta[JSON_TYPE] = json_type
        return got

    return value


def _record_field(key: str, kind: exp.DataType) -> Callable[[list[exp.Expression]], exp.Expression]:
    """A defined column of json(b)_to_record(set): the object's ``key`` as its type reads the
    value's text (``->>``), or the value itself for a json or jsonb column; NULL where it is absent."""

    def value(unnested: list[exp.Expression]) -> exp.Expression:
        element = unnested[0]
        element.meta[JSON_TYPE] = JSONB
        path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
        if kind.this in _JSON_KINDS:
            found = exp.JSONExtract(this=element, expression=path, only_json_types=True)
            found.meta[JSON_TYPE] = JSONB
            return found
        text = exp.JSONExtractScalar(this=element, expression=path, only_json_types=True)
        return text if kind.this in _TEXT_KINDS and not kind.expressions else exp.Cast(this=text, to=kind.copy())

    return value


def _jsonb_element(unnested: list[exp.Expression]) -> exp.Expression:
    unnested[0].meta[JSON_TYPE] = JSONB
    return unnested[0]


def parse_call(item: exp.Expression, type_of: TypeOf) -> SetReturningCall | None:
    """The set-returning call a FROM item makes (None where it is not one handled here)."""
    alias = item.args.get("alias")
    ordinality = bool(item.args.get("ordinality"))
    function = item.this if isinstance(item, (exp.Lateral, exp.Table)) else item
    if isinstance(item, exp.Table) and not isinstance(function, (exp.Anonymous, exp.Unnest, *_SERIES)):
        return None
    column_aliases = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    if isinstance(function, exp.Unnest):
        offset = function.args.get("offset")
        alias = alias or function.args.get("alias")
        column_aliases = column_aliases or (
            [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        )
        ordinality = ordinality or bool(offset)
        if isinstance(offset, exp.Identifier):
            column_aliases.append(offset.name)
    table_alias = alias.name if isinstance(alias, exp.TableAlias) and alias.name else None

    integers = True
    if isinstance(function, exp.Unnest):
        name, lists = "unnest", [e.copy() for e in function.expressions]
        scalar_name = table_alias if len(lists) == 1 and table_alias else name
        names = [scalar_name] * len(lists)
        values = [_as_int4(i) if _int4_array(lst) else _element(i) for i, lst in enumerate(lists)]
    elif isinstance(function, _SERIES):
        name = "generate_series"
        args = [function.args[k].copy() for k in ("start", "end", "step") if function.args.get(k) is not None]
        kinds = {_kind(arg, type_of) for arg in args}
        if NUMERIC in kinds:
            raise NotSupportedError("generate_series over numeric values is not supported", sqlstate="0A000")
        integers = OTHER not in kinds
        zoned = not integers and _zoned_series(args[0], type_of)
        if zoned:  # DataFusion steps through plain timestamps only: the UTC wall clock, zoned again after
            args = [_call("arrow_cast", arg, exp.Literal.string(_PLAIN)) for arg in args[:2]] + args[2:]
        lists = [exp.GenerateSeries(**dict(zip(("start", "end", "step"), args)))]
        names = [table_alias or name]
        values = [_as_int4(0) if kinds == {INT4} else _in_utc if zoned else _element(0)]  # int4 in, int4 out
    elif isinstance(function, exp.Anonymous) and function.name.lower() in _JSONB:
        name = function.name.lower()
        list_function, pairs, jsonb_values = _JSONB[name]
        lists = [_call(list_function, *_jsonb_arguments(name, function.expressions))]
        value_type = JSONB if jsonb_values else None
        if pairs:
            names, values = ["key", "value"], [_pair_field("key", None), _pair_field("value", value_type)]
        else:
            names = [table_alias or name] if name in _SCALAR_JSONB else ["value"]
            values = [_jsonb_element if jsonb_values else _element(0)]
    elif isinstance(function, exp.Anonymous) and function.name.lower() in _RECORDS:
        name = function.name.lower()
        definitions = list(alias.columns) if isinstance(alias, exp.TableAlias) else []
        if not definitions or not all(isinstance(d, exp.ColumnDef) and d.args.get("kind") for d in definitions):
            raise ProgrammingError(
                'a column definition list is required for functions returning "record"', sqlstate="42601"
            )
        if len(function.expressions) != 1:
            raise ProgrammingError(f"function {name} takes one argument", sqlstate="42883")
        document = function.expressions[0].copy()
        lists = [_call("jsonb_array_list", document) if name.endswith("set") else _call("make_array", document)]
        names = [d.name for d in definitions]
        values = [_record_field(d.name, d.args["kind"]) for d in definitions]
        column_aliases = []  # the definitions name the columns
    elif isinstance(function, exp.Anonymous) and function.name.lower() in _UNSUPPORTED:
        raise NotSupportedError(f"function {function.name.lower()} in FROM is not supported", sqlstate="0A000")
    else:
        return None

    if ordinality:
        names.append("ordinality")
    if len(column_aliases) > len(names):
        raise ProgrammingError(
            f'table "{table_alias or name}" has {len(names)} columns available but {len(column_aliases)} columns specified',
            sqlstate="42P10",
        )
    names[: len(column_aliases)] = column_aliases
    return SetReturningCall(name, table_alias or name, lists, names, values, ordinality, integers)


def _jsonb_arguments(name: str, arguments: list[exp.Expression]) -> list[exp.Expression]:
    """The list function's arguments: the document, and for jsonb_path_query its path, variables
    (default ``{}``) and silent flag (default false)."""
    if name != "jsonb_path_query":
        if len(arguments) != 1:
            raise ProgrammingError(f"function {name} takes one argument", sqlstate="42883")
        return [arguments[0].copy()]
    if not 2 <= len(arguments) <= 4:
        raise ProgrammingError("function jsonb_path_query takes two to four arguments", sqlstate="42883")
    defaults = [exp.Literal.string("{}"), exp.false()]
    return [a.copy() for a in arguments] + defaults[len(arguments) - 2 :]


def _as_int4(index: int) -> Callable[[list[exp.Expression]], exp.Expression]:
    return lambda unnested: exp.Cast(this=unnested[index], to=_INT4.copy())


def _int4_array(node: exp.Expression) -> bool:
    """``ARRAY[1, 2]``: PostgreSQL's int4[] (DataFusion reads its integers as int8)."""
    return (
        isinstance(node, exp.Array)
        and bool(node.expressions)
        and all(_kind(e, lambda _: None) == INT4 for e in node.expressions)
    )


_UTC, _PLAIN = 'Timestamp(Microsecond, Some("UTC"))', "Timestamp(Nanosecond, None)"


def _zoned_series(start: exp.Expression, type_of: TypeOf) -> bool:
    """Whether a generate_series from ``start`` is PostgreSQL's timestamptz one: a timestamptz
    start, or a date's (which PostgreSQL resolves to it); a plain timestamp's stays plain."""
    while isinstance(start, exp.Paren):
        start = start.this
    if isinstance(start, exp.Cast):
        return start.to.this in (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMPTZ)
    if isinstance(start, exp.Anonymous) and start.name.lower() == "arrow_cast":  # a timestamptz constant
        return any(isinstance(a, exp.Literal) and a.this == _UTC for a in start.expressions[1:])
    arrow = type_of(start)
    return arrow is not None and (pa.types.is_date(arrow) or (pa.types.is_timestamp(arrow) and arrow.tz is not None))


def _in_utc(unnested: list[exp.Expression]) -> exp.Expression:
    return _call("arrow_cast", unnested[0], exp.Literal.string(_UTC))


def _kind(node: exp.Expression, type_of: TypeOf) -> str | None:
    """int4 (or narrower), int8, numeric (decimals and floats), other, or None: not known here."""
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    if isinstance(node, exp.Literal):
        if node.is_string:
            return OTHER
        if not node.this.isdigit():
            return NUMERIC
        return INT4 if fits_width(int(node.this), 32) else INT8
    if isinstance(node, exp.Cast):
        return _INTEGER_CASTS.get(node.to.this, OTHER)
    if isinstance(node, (exp.Length, exp.BitLength, exp.ArraySize)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in _INT4_FUNCTIONS
    ):
        return INT4
    if isinstance(node, exp.Count):
        return INT8
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        kinds = {_kind(node.this, type_of), _kind(node.expression, type_of)}
        return next((k for k in (OTHER, NUMERIC, None, INT8) if k in kinds), INT4)
    arrow = type_of(node)
    if arrow is None:
        return None
    if pa.types.is_integer(arrow):
        return INT8 if arrow.bit_width == 64 else INT4
    return NUMERIC if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow) else OTHER
