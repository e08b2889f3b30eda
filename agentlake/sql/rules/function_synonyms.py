"""PostgreSQL functions DataFusion knows by another name or can say another way.

- ``every(b)`` is ``bool_and(b)``; ``sign(x)`` is ``signum(x)``;
- ``transaction_timestamp()`` and ``statement_timestamp()`` are ``now()`` (DataFusion's now() is
  fixed for the statement; one statement is one transaction in autocommit, and in a transaction
  block the statement's time stands in for the transaction's); ``clock_timestamp()`` too, which is
  the statement's start rather than the moment it is evaluated;
- ``div(a, b)`` is ``trunc(a::numeric / b::numeric)``, a numeric of scale 0 as PostgreSQL's;
- ``num_nulls(a, b, ...)`` and ``num_nonnulls(...)`` count their NULL (or other) arguments, as an
  int4 sum;
- ``isfinite(x)`` is true for every non-NULL date, timestamp or interval: agentlake stores no
  infinite ones (``'infinity'`` is refused on input);
- ``array_remove(a, x)`` is ``array_remove_all`` and ``array_replace(a, x, y)`` is
  ``array_replace_all`` (DataFusion's remove and replace the first match only);
  ``array_length(a, 1)`` and ``array_upper(a, 1)`` are DataFusion's ``array_length``, and
  ``array_lower(a, 1)`` is 1, as int4 and NULL for an empty array (DataFusion's length is a
  uint64 0), arrays here being one-dimensional and 1-based; ``array_dims(a)`` is its text;
- ``cardinality(a)``, ``array_ndims(a)``, ``array_position(a, x)``, ``regexp_count`` and ``ntile(n)
  OVER (...)`` are int4, and ``array_positions(a, x)`` int4[], as in PostgreSQL (DataFusion's are int8);
- ``regexp_split_to_array(s, re[, flags])`` is agentlake's ``pg_regexp_split``; in a select list
  ``regexp_split_to_table`` is its ``unnest``, ``regexp_matches`` that of ``pg_regexp_matches``
  (a text[] per match), and ``string_to_table(s, sep)`` that of ``string_to_array`` (in FROM they
  are refused by ``sql.set_returning_calls``); ``regexp_substr`` and ``regexp_instr`` are
  ``pg_regexp_substr`` and ``pg_regexp_instr`` with their defaults written out;
- ``scale(x)``, ``min_scale(x)`` and ``trim_scale(x)`` of a numeric read its text, which keeps the
  scale it has (``pg_numeric_scale`` and its kin); ``trim_array(a, n)`` is a slice of ``a``
  (``pg_trim_count`` checks ``n``, 2202E outside 0 to the array's length);
- ``parse_ident(s)`` is ``pg_parse_ident(s, true)``, strict as PostgreSQL's default.

The output column keeps the name written (``Parser._parse_function_call``).
"""

from __future__ import annotations

from sqlglot import exp

from . import transform_up

SCALE = "pg_numeric_scale"
MIN_SCALE = "pg_numeric_min_scale"
TRIM_SCALE = "pg_numeric_trim_scale"
PARSE_IDENT = "pg_parse_ident"
TRIM_COUNT = "pg_trim_count"
"""The UDF giving ``trim_array``'s count back, or 2202E when it is not within the array's length."""

_RENAMED = {
    "every": "bool_and",
    "transaction_timestamp": "now",
    "statement_timestamp": "now",
    "clock_timestamp": "now",
}


def _numeric(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("NUMERIC"))


def _count_nulls(values: list[exp.Expression], nulls: bool) -> exp.Expression:
    ones = [
        exp.Case(
            ifs=[exp.If(this=exp.Is(this=v.copy(), expression=exp.Null()), true=exp.Literal.number(int(nulls)))],
            default=exp.Literal.number(int(not nulls)),
        )
        for v in values
    ]
    total = ones[0]
    for one in ones[1:]:
        total = exp.Add(this=total, expression=one)
    return exp.Cast(this=exp.Paren(this=total), to=exp.DataType.build("INT"))


def _bound(name: str, args: list[exp.Expression]) -> exp.Expression:
    """array_length, array_upper or array_lower of a one-dimensional, 1-based array, as int4."""
    length = exp.Anonymous(this="array_length", expressions=args)
    bound = exp.Literal.number(1) if name == "array_lower" else length.copy()
    int4 = exp.Cast(this=bound, to=exp.DataType.build("INT"))
    return exp.Case(ifs=[exp.If(this=exp.GT(this=length, expression=exp.Literal.number(0)), true=int4)])


def _dims_text(node: exp.Anonymous) -> exp.Expression:
    """``array_dims(a)`` as PostgreSQL prints it, ``[1:2][1:3]`` (arrays here are 1-based), NULL for
    an empty array; DataFusion's is a list of lengths."""
    lengths = exp.Anonymous(this="array_to_string", expressions=[node.copy(), exp.Literal.string("][1:")])
    text = exp.DPipe(
        this=exp.DPipe(this=exp.Literal.string("[1:"), expression=lengths), expression=exp.Literal.string("]")
    )
    empty = exp.EQ(
        this=exp.Anonymous(this="cardinality", expressions=[node.expressions[0].copy()]),
        expression=exp.Literal.number(0),
    )
    return exp.Case(ifs=[exp.If(this=empty, true=exp.Null())], default=text)


def _int4(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("INT"))


_NTH_MATCH = {  # the optional arguments in PostgreSQL's order, with their defaults
    exp.RegexpSubstr: ("pg_regexp_substr", (("position", 1), ("occurrence", 1), ("parameters", ""), ("group", 0))),
    exp.RegexpInstr: (
        "pg_regexp_instr",
        (("position", 1), ("occurrence", 1), ("option", 0), ("parameters", ""), ("group", 0)),
    ),
}


def _nth_match(node: exp.Expression) -> exp.Expression:
    """regexp_substr or regexp_instr with every argument given, integers as int8."""
    name, optional = _NTH_MATCH[type(node)]
    arguments = [node.this, node.expression]
    for key, default in optional:
        given = node.args.get(key)
        if isinstance(default, str):
            arguments.append(given if given is not None else exp.Literal.string(default))
        else:
            value = given if given is not None else exp.Literal.number(default)
            arguments.append(exp.Cast(this=value, to=exp.DataType.build("BIGINT")))
    return exp.Anonymous(this=name, expressions=arguments)


def _numeric_scale(name: str, value: exp.Expression) -> exp.Expression:
    """``scale``, ``min_scale`` or ``trim_scale`` of a numeric, from its text (``trim_scale`` is a
    numeric again)."""
    as_text = exp.Cast(this=value, to=exp.DataType.build("TEXT"))
    udf = {"scale": SCALE, "min_scale": MIN_SCALE, "trim_scale": TRIM_SCALE}[name]
    call = exp.Anonymous(this=udf, expressions=[as_text])
    return _numeric(call) if name == "trim_scale" else call


def _trimmed_array(array: exp.Expression, count: exp.Expression) -> exp.Expression:
    """``trim_array(a, n)``: ``a`` without its last ``n`` elements."""
    length = exp.cast(exp.Anonymous(this="cardinality", expressions=[array.copy()]), "BIGINT")
    checked = exp.Anonymous(this=TRIM_COUNT, expressions=[exp.cast(count, "BIGINT"), length])
    end = exp.Sub(this=length.copy(), expression=checked)
    return exp.Anonymous(this="array_slice", expressions=[array, exp.Literal.number(1), end])


def function_synonyms(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, (exp.ArrayPosition, exp.RegexpCount)) or (
            isinstance(node, exp.Window) and isinstance(node.this, exp.Ntile)
        ):
            return node if isinstance(node.parent, exp.Cast) else _int4(node.copy())
        if isinstance(node, exp.Sign):
            return exp.Anonymous(this="signum", expressions=[node.this])
        if isinstance(node, exp.ArrayRemove):
            return exp.Anonymous(this="array_remove_all", expressions=[node.this, node.expression])
        if isinstance(node, exp.ArraySize) and node.expression is not None:  # array_length(a, 1)
            return _bound("array_length", [node.this, node.expression])
        if type(node) in _NTH_MATCH:
            return _nth_match(node)
        if not isinstance(node, exp.Anonymous):
            return node
        name = node.name.lower()
        if name in ("cardinality", "array_ndims") and not isinstance(node.parent, exp.Cast):
            return _int4(node.copy())
        if name == "array_positions" and not isinstance(node.parent, exp.Cast):
            return exp.Cast(this=node.copy(), to=exp.DataType.build("INT[]", dialect="postgres"))
        if name in _RENAMED:
            return exp.Anonymous(this=_RENAMED[name], expressions=node.expressions)
        if name == "array_replace" and len(node.expressions) == 3:
            return exp.Anonymous(this="array_replace_all", expressions=node.expressions)
        if name == "div" and len(node.expressions) == 2:
            quotient = exp.Div(this=_numeric(node.expressions[0]), expression=_numeric(node.expressions[1]))
            truncated = exp.Anonymous(this="trunc", expressions=[quotient])
            return exp.Cast(this=truncated, to=exp.DataType.build("DECIMAL(38, 0)"))
        if name in ("num_nulls", "num_nonnulls") and node.expressions:
            return _count_nulls(node.expressions, name == "num_nulls")
        if name in ("regexp_split_to_array", "regexp_split_to_table") and len(node.expressions) in (2, 3):
            flags = node.expressions[2] if len(node.expressions) == 3 else exp.Literal.string("")
            split = exp.Anonymous(this="pg_regexp_split", expressions=[*node.expressions[:2], flags])
            return split if name == "regexp_split_to_array" else exp.Unnest(expressions=[split])
        if name in ("array_upper", "array_lower") and len(node.expressions) == 2:
            return _bound(name, node.expressions)
        if name == "regexp_matches" and len(node.expressions) in (2, 3):
            flags = node.expressions[2] if len(node.expressions) == 3 else exp.Literal.string("")
            matches = exp.Anonymous(this="pg_regexp_matches", expressions=[*node.expressions[:2], flags])
            return exp.Unnest(expressions=[matches])
        if name == "array_dims" and len(node.expressions) == 1:
            return _dims_text(node)
        if name == "string_to_table" and len(node.expressions) == 2:
            return exp.Unnest(expressions=[exp.Anonymous(this="string_to_array", expressions=node.expressions)])
        if name in ("scale", "min_scale", "trim_scale") and len(node.expressions) == 1:
            return _numeric_scale(name, node.expressions[0])
        if name == "parse_ident" and len(node.expressions) in (1, 2):
            return exp.Anonymous(this=PARSE_IDENT, expressions=[*node.expressions, exp.true()][:2])
        if name == "trim_array" and len(node.expressions) == 2:
            return _trimmed_array(*node.expressions)
        if name == "isfinite" and len(node.expressions) == 1:
            value = node.expressions[0]
            return exp.Case(
                ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null())],
                default=exp.true(),
            )
        return node

    return transform_up(tree, rewrite)
