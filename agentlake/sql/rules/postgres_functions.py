"""PostgreSQL spellings DataFusion lacks or reads differently.

- JSON operators (``->``, ``->>``, ``#>``, ``#>>``, ``@>``) become the JSON functions
  agentlake registers (``json_get`` ...); ``@>`` on arrays stays array containment;
- ``to_hex``; array subscripts stay 1-based; ``a && b`` of arrays is ``array_has_any``;
- ``3.7::int`` rounds as PostgreSQL does (DataFusion truncates);
- ``3 * INTERVAL '1 hour'`` and ``INTERVAL '1 day' / 2`` become PostgreSQL's interval arithmetic
  (:mod:`.interval_arithmetic`; DataFusion cannot multiply intervals);
- ``x > ANY (subquery)`` / ``ALL`` become comparisons with the subquery's min or max;
- ``make_date``, ``make_timestamp``, ``make_timestamptz``, ``make_time`` and ``make_interval`` call the local
  executor's constructors (``executors/local/date_constructors.py``) with every argument given;
- ``chr`` checks its code point as PostgreSQL does (``executors/local/character_codes.py``).
"""

from __future__ import annotations

import re

from sqlglot import exp

from ...errors import ProgrammingError
from ..array_text import array_elements
from ..trees import is_array_value
from . import transform_up
from .column_names import PG_NAME
from .interval_arithmetic import scaled_interval

T = exp.DataType.Type
MAKE_TIMESTAMPTZ = "pg_make_timestamptz"
MAKE_INTERVAL = "pg_make_interval"
MAKE_DATE = "pg_make_date"
CHR = "pg_chr"
_INTERVAL_FIELDS = ("year", "month", "week", "day", "hour", "minute", "second")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_INTEGER = {T.INT, T.BIGINT, T.SMALLINT, T.TINYINT}
_ANY_ALL = {  # (operator, quantifier) -> aggregate that decides
    (exp.GT, exp.Any): "min",
    (exp.GTE, exp.Any): "min",
    (exp.LT, exp.Any): "max",
    (exp.LTE, exp.Any): "max",
    (exp.GT, exp.All): "max",
    (exp.GTE, exp.All): "max",
    (exp.LT, exp.All): "min",
    (exp.LTE, exp.All): "min",
}


def _path_keys(path: exp.Expression) -> list[exp.Expression]:
    if isinstance(path, exp.JSONPath):
        keys = []
        for part in path.expressions:
            if isinstance(part, exp.JSONPathKey):
                keys.append(exp.Literal.string(str(part.this)))
            elif isinstance(part, exp.JSONPathSubscript):
                keys.append(exp.Literal.number(int(part.this)))
        return keys
    return [path]


_TEMPLATE = [
    ("YYYY", "%Y"),
    ("HH24", "%H"),
    ("HH12", "%I"),
    ("Month", "%B"),
    ("Mon", "%b"),
    ("Day", "%A"),
    ("Dy", "%a"),
    ("MM", "%m"),
    ("DD", "%d"),
    ("HH", "%I"),
    ("MI", "%M"),
    ("SS", "%S"),
    ("MS", "%3f"),
    ("US", "%6f"),
    ("AM", "%p"),
    ("PM", "%p"),
    ("YY", "%y"),
    ("TZ", "%Z"),
    ("DDD", "%j"),
]


def chrono_format(template: str) -> str:
    """PostgreSQL's to_char template in the strftime spelling DataFusion's to_char reads."""
    out, i = [], 0
    while i < len(template):
        for pg, chrono in _TEMPLATE:
            if template.startswith(pg, i):
                out.append(chrono)
                i += len(pg)
                break
        else:
            out.append("%%" if template[i] == "%" else template[i])
            i += 1
    return "".join(out)


def _is_fraction(node: exp.Expression) -> bool:
    while isinstance(node, (exp.Paren, exp.Neg)):
        node = node.this
    return isinstance(node, exp.Literal) and not node.is_string and "." in node.this


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _seconds(node: exp.Expression | None) -> exp.Expression:
    return exp.Cast(this=node or exp.Literal.number(0), to=exp.DataType.build("DOUBLE"))


_INTERVAL_PARAMETERS = dict(zip(_INTERVAL_FIELDS, ("years", "months", "weeks", "days", "hours", "mins", "secs")))
"""make_interval's parameter names in PostgreSQL, by the field sqlglot puts each argument in."""


def _check_interval_names(node: exp.MakeInterval) -> None:
    """42883 for a named argument make_interval has no parameter of (sqlglot files an unknown name
    under the next field, so ``nope => 1`` would have been years)."""
    for field, value in node.args.items():
        if isinstance(value, exp.Kwarg) and value.this.name.lower() != _INTERVAL_PARAMETERS.get(field):
            raise ProgrammingError(f"function make_interval({value.this.name} => ...) does not exist", sqlstate="42883")


def _date_constructor(node: exp.Expression) -> exp.Expression | None:
    """The constructor call for ``make_timestamp`` and its kin (named as written), or None."""
    if isinstance(node, exp.TimestampFromParts) and node.args.get("sec") is not None and not node.args.get("zone"):
        parts = [node.args.get(k) for k in ("year", "month", "day", "hour", "min")]
        call, name = _call("make_timestamp", *parts, _seconds(node.args["sec"])), "make_timestamp"
    elif isinstance(node, exp.TimeFromParts) and not node.args.get("nano"):
        call, name = _call("make_time", node.args["hour"], node.args["min"], _seconds(node.args["sec"])), "make_time"
    elif isinstance(node, exp.MakeInterval):  # positional, or named (secs => 1.5): sqlglot maps both
        _check_interval_names(node)
        given = {k: v.expression if isinstance(v, exp.Kwarg) else v for k, v in node.args.items() if v is not None}
        fields = [given.get(k) or exp.Literal.number(0) for k in _INTERVAL_FIELDS[:-1]]
        call, name = _call(MAKE_INTERVAL, *fields, _seconds(given.get("second"))), "make_interval"
    elif isinstance(node, exp.Anonymous) and node.name.lower() == "make_date" and len(node.expressions) == 3:
        call, name = _call(MAKE_DATE, *node.expressions), "make_date"
    elif (
        isinstance(node, exp.Anonymous) and node.name.lower() == "make_timestamptz" and len(node.expressions) in (6, 7)
    ):
        *parts, seconds = node.expressions[:6]
        zone = node.expressions[6] if len(node.expressions) == 7 else exp.Literal.string("UTC")  # the session's zone
        call, name = _call(MAKE_TIMESTAMPTZ, *parts, _seconds(seconds), zone), "make_timestamptz"
    else:
        return None
    call.meta[PG_NAME] = name
    return call


def _rewrite(node: exp.Expression) -> exp.Expression:
    constructed = _date_constructor(node)
    if constructed is not None:
        return constructed
    if isinstance(node, exp.Chr) and len(node.expressions) == 1 and not node.args.get("charset"):
        character = _call(CHR, node.expressions[0])
        character.meta[PG_NAME] = "chr"
        return character
    if isinstance(node, exp.JSONExtractScalar):
        return _call("json_get_text", node.this, *_path_keys(node.expression))
    if isinstance(node, exp.JSONExtract):
        return _call("json_get", node.this, *_path_keys(node.expression))
    if isinstance(node, exp.JSONBExtractScalar):
        return _call("json_get_path_text", node.this, node.expression)
    if isinstance(node, exp.JSONBExtract):
        return _call("json_get_path", node.this, node.expression)
    if isinstance(node, (exp.ArrayContainsAll, exp.ArrayContainedBy)):
        if is_array_value(node.this) or is_array_value(node.expression):
            # ARRAY[1, 2] @> '{2}': a quoted constant beside an array is one
            return _null_strict(type(node)(this=_quoted_array(node.this), expression=_quoted_array(node.expression)))
        if (
            isinstance(node, exp.ArrayContainsAll)
            and isinstance(node.expression, exp.Literal)
            and node.expression.is_string
        ):
            return _call("json_contains", node.this, node.expression)
        return _null_strict(node)
    if isinstance(node, exp.ToChar) and isinstance(node.args.get("format"), exp.Literal):
        return _call("to_char", node.this, exp.Literal.string(chrono_format(node.args["format"].this)))
    if isinstance(node, exp.TimeToStr) and isinstance(node.args.get("format"), exp.Literal):
        return _call("to_char", node.this, node.args["format"])  # sqlglot already holds it in strftime form
    if isinstance(node, exp.Hex):
        return _call("to_hex", node.this)
    if isinstance(node, exp.Anonymous) and node.name.lower() in ("to_timestamp", "to_date"):
        return _parsed_time(node)
    if isinstance(node, exp.Substring) and _is_text(node.args.get("start")) and node.args.get("length") is None:
        # substring(s FROM 'regex'): the first parenthesized part of the first match, else the match
        return _call("array_element", _call("regexp_match", node.this, node.args["start"]), exp.Literal.number(1))
    if isinstance(node, (exp.GenerateSeries, exp.ExplodingGenerateSeries)):
        _typed_series_end(node)
        return node
    if isinstance(node, exp.ArrayOverlaps):  # arrays; text search's && was rewritten before
        return _call("array_has_any", _quoted_array(node.this), _quoted_array(node.expression))
    if isinstance(node, exp.Cast) and node.to.this in _INTEGER and _is_fraction(node.this):
        return exp.Cast(this=_call("round", node.this), to=node.to)
    if isinstance(node, (exp.Mul, exp.Div)):
        return scaled_interval(node)
    quantified = node.expression if isinstance(node, exp.Binary) else None
    if isinstance(quantified, (exp.Any, exp.All)):
        inner = quantified.this.this if isinstance(quantified.this, exp.Subquery) else quantified.this
        aggregate = _ANY_ALL.get((type(node), type(quantified)))
        if aggregate is not None and isinstance(inner, exp.Select):
            return _quantified(node, inner, aggregate, isinstance(quantified, exp.All))
    return node


def _quantified(node: exp.Binary, inner: exp.Select, aggregate: str, is_all: bool) -> exp.Expression:
    """``x > ALL (S)`` is ``x > max(S)``, and true when S is empty; ``ANY`` is false when S is empty."""
    name = inner.expressions[0].alias_or_name or "v"
    source = exp.Subquery(this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier("_q")))
    extreme = exp.Subquery(this=exp.select(_call(aggregate, exp.column(name, table="_q"))).from_(source))
    compared = type(node)(this=node.this, expression=extreme)
    if not is_all:
        return compared
    empty = exp.EQ(
        this=exp.Subquery(this=exp.select("count(*)").from_(source.copy())), expression=exp.Literal.number(0)
    )
    return exp.Paren(this=exp.or_(empty, compared))


def _parsed_time(node: exp.Anonymous) -> exp.Expression:
    """to_timestamp(text, template), to_timestamp(seconds) and to_date(text, template) with the
    template in the strftime spelling DataFusion's parsers read; to_timestamp's result is a
    timestamptz (the session is at UTC)."""
    args = list(node.expressions)
    if len(args) == 2 and isinstance(args[1], exp.Literal) and args[1].is_string:
        args[1] = exp.Literal.string(chrono_format(args[1].this))
    parsed = _call(node.name.lower(), *args)
    if node.name.lower() == "to_date":
        return parsed
    return _call("arrow_cast", parsed, exp.Literal.string('Timestamp(Microsecond, Some("UTC"))'))


def _is_text(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _typed_series_end(node: exp.Expression) -> None:
    """generate_series('2026-01-01'::timestamp, '2026-01-03', ...): a quoted end takes the start's
    type, as PostgreSQL reads it (DataFusion wants a timestamp there)."""
    start, end = node.args.get("start"), node.args.get("end")
    if isinstance(start, exp.Cast) and start.to.is_type(*exp.DataType.TEMPORAL_TYPES) and _is_text(end):
        end.replace(exp.Cast(this=end.copy(), to=start.to.copy()))


def _null_strict(node: exp.Binary) -> exp.Expression:
    """Array containment, NULL where either array is: DataFusion finds an empty array in NULL, and
    NULL in any array, where PostgreSQL's strict operators give NULL (a NULL row is no match)."""
    either_null = exp.or_(
        exp.Is(this=node.this.copy(), expression=exp.Null()), exp.Is(this=node.expression.copy(), expression=exp.Null())
    )
    return exp.Case(ifs=[exp.If(this=either_null, true=exp.Null())], default=node)


def _quoted_array(node: exp.Expression) -> exp.Expression:
    """A quoted array (``'{a,b}'``) beside an array operator, as the array it spells: its elements
    numbers where every one reads as a number, else text (PostgreSQL reads it as the other side's
    type, which is not known here)."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        return node
    elements = array_elements(node.this)
    if elements is None:
        return node
    numbers = all(e is not None and _NUMBER.fullmatch(e.strip()) for e in elements) and elements
    return exp.Array(
        expressions=[
            exp.Null() if e is None else exp.Literal.number(e.strip()) if numbers else exp.Literal.string(e)
            for e in elements
        ]
    )


def postgres_functions(tree: exp.Expression) -> exp.Expression:
    return transform_up(tree, _rewrite)
