"""Standard or PostgreSQL syntax that DataFusion 55 refuses, respelled as what it plans.

- ``FETCH FIRST n ROWS ONLY`` is ``LIMIT n`` (DataFusion: "FETCH clause is not supported");
- ``FOR NO KEY UPDATE`` and ``FOR KEY SHARE`` are ``FOR UPDATE`` and ``FOR SHARE``, the row locks
  DataFusion's parser knows (a conflicting commit is 40001 either way, as under PostgreSQL's
  REPEATABLE READ);
- ``a # b`` (xor) is ``(a | b) - (a & b)`` and ``~a`` is ``-1 - a`` (DataFusion's parser has no
  ``#``, and no planner for ``~`` of a number);
- ``gen_random_uuid()`` is DataFusion's ``uuid()``; ``LOCALTIMESTAMP``/``LOCALTIME`` are
  ``now()`` without a zone (DataFusion reads them as column names);
- ``'{1,2}'::int[]`` (PostgreSQL's array literal) becomes ``ARRAY[...]`` of cast elements;
- ``x LIKE ANY (ARRAY[...])`` / ``ALL`` become OR / AND of LIKEs (DataFusion: "ANY in LIKE");
- ``x op ANY ('{a,b}')``: the untyped literal is an array of untyped elements (DataFusion read it
  as text and found no array_has for it), as is a list a client binds untyped;
- a window frame's ``EXCLUDE NO OTHERS`` is its default, written away (DataFusion's parser has no
  EXCLUDE); ``EXCLUDE CURRENT ROW``, ``GROUP`` and ``TIES`` are refused (0A000), not misread;
- ``x BETWEEN SYMMETRIC a AND b`` is ``x BETWEEN a AND b OR x BETWEEN b AND a``, as the standard
  defines it (DataFusion's parser refuses SYMMETRIC);
- ``WITH t AS [NOT] MATERIALIZED (...)``: a CTE is planned where it is read (DataFusion's parser
  refuses the words), which is NOT MATERIALIZED's meaning, and MATERIALIZED's too for a query of
  no volatile function (its answer is the same however often it runs); over ``random()`` and kin,
  whose values a materialized CTE would share between its readers, it is refused (0A000);
- ``(a, b) IS NULL`` is true when every field is NULL and ``(a, b) IS NOT NULL`` when none is (so
  ``(1, NULL)`` is neither), as the standard defines them for rows;
- ``string_agg(DISTINCT x, s)`` and ``array_agg(DISTINCT x)`` list their values in order, as
  PostgreSQL's (which removes duplicates by sorting) do: ``ORDER BY x`` is written out where no
  order is (DataFusion's hashing listed them as they came).
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import DataError, NotSupportedError
from ..array_text import array_elements
from . import transform_up
from .any_array import quantifier_of


def _array_literal(node: exp.Cast) -> exp.Expression:
    elements = array_elements(node.this.this)
    if elements is None or not node.to.expressions:
        return node
    element_type = node.to.expressions[0]
    return exp.Array(
        expressions=[
            exp.Null() if e is None else exp.Cast(this=exp.Literal.string(e), to=element_type.copy()) for e in elements
        ]
    )


_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE, exp.Like, exp.ILike)


def _unparenthesized(node: exp.Expression) -> exp.Expression:
    return node.unnest() if isinstance(node, exp.Paren) else node


def _each_element(node: exp.Expression, quantifier: exp.Any | exp.All, elements: list) -> exp.Expression:
    """``x op ANY (a, b)`` as ``x op a OR x op b`` (AND for ALL): what the quantifiers mean, NULLs
    alike; the comparison's other arguments (NOT, ESCAPE) kept."""
    tests = []
    for element in elements:
        test = node.copy()
        test.set("expression", element.copy())
        tests.append(test)
    return exp.Paren(this=exp.or_(*tests) if isinstance(quantifier, exp.Any) else exp.and_(*tests))


def _quantified_text(node: exp.Expression, quantifier: exp.Any | exp.All) -> exp.Expression:
    """``x op ANY('{a,b}')``: an untyped literal (or a parameter a client sent untyped, as psycopg
    sends a list of strings) is an array of the left side's type, each element an untyped literal
    too. ``=`` ANY and ``<>`` ALL keep the quantifier over ``ARRAY['a', 'b']`` (an IN list, later);
    any other comparison is each element's, which compares each as the left side's type."""
    text = _unparenthesized(quantifier.this).this
    elements = array_elements(text)
    if elements is None:
        raise DataError(f'malformed array literal: "{text}"', sqlstate="22P02")
    literals = [exp.Null() if e is None else exp.Literal.string(e) for e in elements]
    if isinstance(node, (exp.EQ, exp.NEQ)):
        node.set("expression", type(quantifier)(this=exp.Array(expressions=literals)))
        return node
    if not literals:  # ANY of nothing is false and ALL of nothing true, whatever the left side
        return exp.false() if isinstance(quantifier, exp.Any) else exp.true()
    return _each_element(node, quantifier, literals)


def _quantified(node: exp.Expression) -> exp.Expression:
    """A comparison with ANY or ALL that DataFusion does not plan: over an untyped literal, or a
    LIKE over ``ARRAY[...]`` (DataFusion: "ANY in LIKE")."""
    quantifier = quantifier_of(node) if isinstance(node, _COMPARISONS) else None
    if quantifier is None:
        return node
    operand = _unparenthesized(quantifier.this)
    if isinstance(operand, exp.Literal) and operand.is_string:
        return _quantified_text(node, quantifier)
    if isinstance(node, (exp.Like, exp.ILike)) and isinstance(operand, exp.Array) and operand.expressions:
        return _each_element(node, quantifier, operand.expressions)
    return node


_VOLATILE_CALLS = frozenset(
    {"random", "gen_random_uuid", "uuid_generate_v4", "nextval", "setval", "clock_timestamp", "timeofday"}
)


def is_volatile(query: exp.Expression) -> bool:
    """Whether ``query`` calls a function whose every call may answer differently."""
    return any(
        isinstance(node, (exp.Rand, exp.Uuid))
        or (isinstance(node, exp.Anonymous) and node.name.lower() in _VOLATILE_CALLS)
        for node in query.walk()
    )


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Fetch) and isinstance(node.parent, exp.Select) and node.args.get("count") is not None:
        options = node.args.get("limit_options")
        if options is None or not (options.args.get("percent") or options.args.get("with_ties")):
            return exp.Limit(expression=node.args["count"])
    if isinstance(node, exp.BitwiseXor):  # a # b: exact, the bits of a | b less those of a & b
        either = exp.Paren(this=exp.BitwiseOr(this=node.this.copy(), expression=node.expression.copy()))
        both = exp.Paren(this=exp.BitwiseAnd(this=node.this.copy(), expression=node.expression.copy()))
        return exp.Paren(this=exp.Sub(this=either, expression=both))
    if isinstance(node, exp.BitwiseNot):  # ~a is -1 - a in two's complement, never out of range
        return exp.Paren(this=exp.Sub(this=exp.Literal.number(-1), expression=exp.Paren(this=node.this.copy())))
    if isinstance(node, exp.Lock) and node.args.get("key"):
        node.set("key", None)  # FOR NO KEY UPDATE / FOR KEY SHARE: the lock DataFusion's parser knows
        return node
    if isinstance(node, exp.Uuid):
        return exp.Anonymous(this="uuid", expressions=[])
    if isinstance(node, exp.Localtimestamp):
        return exp.Cast(this=exp.Anonymous(this="now", expressions=[]), to=exp.DataType.build("TIMESTAMP"))
    if isinstance(node, exp.Localtime):
        return exp.Cast(this=exp.Anonymous(this="now", expressions=[]), to=exp.DataType.build("TIME"))
    if (
        isinstance(node, exp.Cast)
        and node.to.this == exp.DataType.Type.ARRAY
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
    ):
        return _array_literal(node)
    if isinstance(node, _COMPARISONS):
        return _quantified(node)
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        if node.args["materialized"] and is_volatile(node.this):
            raise NotSupportedError(
                "WITH ... AS MATERIALIZED over a volatile function is not supported: its readers would not share"
                " one evaluation here",
                sqlstate="0A000",
            )
        node.set("materialized", None)
        return node
    if isinstance(node, exp.WindowSpec) and node.args.get("exclude") is not None:
        excluded = node.args["exclude"].name.upper()
        if excluded != "NO OTHERS":
            raise NotSupportedError(f"window frame EXCLUDE {excluded} is not supported", sqlstate="0A000")
        node.set("exclude", None)
        return node
    if isinstance(node, exp.Between) and node.args.get("symmetric"):
        low, high = node.args["low"], node.args["high"]
        forward = exp.Between(this=node.this.copy(), low=low.copy(), high=high.copy())
        backward = exp.Between(this=node.this.copy(), low=high.copy(), high=low.copy())
        return exp.Paren(this=exp.or_(forward, backward))
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null) and _row_fields(node.this) is not None:
        tests = [
            exp.Is(this=f.copy(), expression=exp.Null(), negate=node.args.get("negate")) for f in _row_fields(node.this)
        ]
        return exp.Paren(this=exp.and_(*tests))
    if isinstance(node, (exp.GroupConcat, exp.ArrayAgg)) and isinstance(node.this, exp.Distinct):
        values = node.this.expressions
        if len(values) == 1:
            node.set("this", exp.Order(this=node.this, expressions=[exp.Ordered(this=values[0].copy())]))
    return node


def _row_fields(node: exp.Expression) -> list[exp.Expression] | None:
    """The fields of a row constructor, ``(a, b)`` or ``ROW(a, b)``; None for anything else."""
    if isinstance(node, exp.Tuple):
        return node.expressions
    if isinstance(node, exp.Anonymous) and node.name.upper() == "ROW":
        return node.expressions
    return None


def postgres_spellings(tree: exp.Expression) -> exp.Expression:
    return transform_up(tree, _rewrite)
