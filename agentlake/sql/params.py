"""Parsing with a cache, and server-side binding of parameters into the AST.

Placeholders are psycopg's (``%s``, ``%(name)s``, ``%%`` for a percent sign)
and the wire protocol's (``$1``). Values become typed literal nodes of a copy
of the cached AST — never text spliced into SQL — and keep the original Python
value in ``node.meta["param"]`` so the engine can use it without re-parsing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache

import numpy as np
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers

from ..errors import ProgrammingError
from .diagnostics import syntax_error
from .dialect import AgentlakePostgres
from .trees import clone

PARAM_META = "param"


_DOLLAR_QUOTE = re.compile(r"\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$")  # $$...$$ and $tag$...$tag$ strings


def _normalize(sql: str, pyformat: bool = True) -> tuple[str, tuple[str, ...] | None, int]:
    """Turn psycopg placeholders (with ``pyformat``) into $n outside quotes and comments, and set
    every $n apart: sqlglot reads ``($1,$2)`` as the start of a dollar-quoted string.

    Returns the new text, the names of %(name)s placeholders in order of first
    use (None when positional), and the number of positional %s seen.
    """
    out, names, positional = [], [], 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = i + 1
            while end < n:
                if sql[end] == ch:
                    if end + 1 < n and sql[end + 1] == ch:
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif ch == "$" and _DOLLAR_QUOTE.match(sql, i):
            tag = _DOLLAR_QUOTE.match(sql, i).group(0)
            end = sql.find(tag, i + len(tag))
            end = n if end < 0 else end + len(tag)
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif ch == "$" and sql[i + 1 : i + 2].isdigit() and not (i and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            end = i + 1
            while end < n and sql[end].isdigit():
                end += 1
            out.append(f" {sql[i:end]} ")
            i = end
        elif pyformat and ch == "%" and i + 1 < n:
            nxt = sql[i + 1]
            if nxt == "%":
                out.append("%")
                i += 2
            elif nxt == "s":
                positional += 1
                out.append(f" ${positional} ")  # spaced: `$1,$2` would tokenize as one word
                i += 2
            elif nxt == "(":
                close = sql.find(")s", i)
                if close < 0:
                    raise ProgrammingError("unterminated %(name)s placeholder", sqlstate="42601")
                name = sql[i + 2 : close]
                if name not in names:
                    names.append(name)
                out.append(f" ${names.index(name) + 1} ")
                i = close + 2
            else:
                out.append(ch)
                i += 1
        else:
            out.append(ch)
            i += 1
    if names and positional:
        raise ProgrammingError("cannot mix %s and %(name)s placeholders", sqlstate="42601")
    return "".join(out), (tuple(names) if names else None), positional


@lru_cache(maxsize=1024)
def _parse_cached(sql: str) -> tuple[exp.Expression, ...]:
    try:
        statements = [s for s in sqlglot.parse(sql, read=AgentlakePostgres) if s is not None]
        for statement in statements:
            _refuse_incomplete_writes(statement, sql)
        return tuple(normalize_identifiers(s, dialect="postgres") for s in statements)
    except (ParseError, TokenError) as err:
        raise syntax_error(err, sql) from None


def _refuse_incomplete_writes(statement: exp.Expression, sql: str) -> None:
    """``DELETE t`` (MySQL's form, which sqlglot reads with no target) and an INSERT with no rows
    (``INSERT INTO t``), which sqlglot accepts, are syntax errors in PostgreSQL."""
    if isinstance(statement, exp.Insert) and statement.expression is None and not statement.args.get("default"):
        raise ProgrammingError("syntax error at end of input", sqlstate="42601", position=len(sql.rstrip(" ;\n")) + 1)
    if isinstance(statement, exp.Delete) and not isinstance(statement.this, exp.Expression):
        tables = statement.args.get("tables") or []
        near = tables[0].sql(dialect=AgentlakePostgres) if tables else "DELETE"
        at = sql.find(near)
        raise ProgrammingError(
            f'syntax error at or near "{near}"', sqlstate="42601", position=at + 1 if at >= 0 else None
        )


@lru_cache(maxsize=1024)
def _prepared(
    sql: str, uses_pyformat: bool
) -> tuple[tuple[tuple[exp.Expression, int], ...], tuple[str, ...] | None, int]:
    """Parsed statements (each with its highest placeholder number, 0 for none), %(name)s names, count of %s."""
    text, names, positional = _normalize(sql, uses_pyformat) if uses_pyformat or "$" in sql else (sql, None, 0)
    return tuple((s, _highest_placeholder(s)) for s in _parse_cached(text)), names, positional


def _highest_placeholder(tree: exp.Expression) -> int:
    return max((number for node in tree.walk() if (number := placeholder_number(node)) is not None), default=0)


def parse_statements(sql: str) -> list[exp.Expression]:
    """Statements of a SQL string, placeholders unbound (cached; callers must not mutate the result)."""
    return [statement for statement, _ in _prepared(sql, False)[0]]


def _placeholder_index(node: exp.Expression) -> int | None:
    """The number a placeholder node's text gives (1 for ``$1``); only meaningful for placeholder nodes."""
    text = (
        node.name
        if isinstance(node, exp.Placeholder)
        else node.this.name
        if isinstance(node.this, exp.Expression)
        else str(node.this)
    )
    return int(text) if str(text).isdigit() else None


def placeholder_number(node: exp.Expression) -> int | None:
    """n for a ``$n`` placeholder node; None for every other node (a literal ``'5'`` included, which
    the number in its text alone would read as ``$5``)."""
    return _placeholder_index(node) if isinstance(node, (exp.Parameter, exp.Placeholder)) else None


def _bound(placeholder: exp.Expression, value) -> exp.Expression:
    """The literal a placeholder binds to. A subscript (``a[$1]``) is read as sqlglot reads a
    constant one, which it takes 1 off at parsing (PostgreSQL's arrays are 1-based, its generator
    adds the 1 back): a bound 1 would otherwise have read the second element."""
    subscript = isinstance(placeholder.parent, exp.Bracket) and placeholder.arg_key == "expressions"
    if subscript and isinstance(value, int) and not isinstance(value, bool):
        return literal(value - 1)
    return literal(value)


def bind(sql: str, params: Sequence | Mapping | None = None) -> list[exp.Expression]:
    """Parse (cached) and bind parameters; returns fresh statement trees the caller may change."""
    statements, values, names, positional = _statements_and_values(sql, params)
    used = 0

    def bound_value(node: exp.Expression) -> exp.Expression | None:
        nonlocal used
        index = placeholder_number(node)
        if index is None:
            return None
        if index > len(values):
            raise ProgrammingError(
                f"the query has {max(index, positional)} placeholders but {len(values)} parameters were passed",
                sqlstate="08P01",
            )
        used = max(used, index)
        return _bound(node, values[index - 1])

    bound = [
        clone(statement, substitute=bound_value if has_placeholders else None)
        for statement, has_placeholders in statements
    ]
    if positional and len(values) != positional or (names is None and not positional and used != len(values)):
        raise ProgrammingError(
            f"the query has {positional or used} placeholders but {len(values)} parameters were passed",
            sqlstate="08P01",
        )
    return bound


def bind_tree(node: exp.Expression, values: Sequence) -> exp.Expression:
    """A copy of ``node`` (a part of a statement :func:`unbound` gave) with each ``$n`` placeholder
    bound to ``values[n - 1]``, as :func:`bind` binds a whole statement."""

    def bound_value(placeholder: exp.Expression) -> exp.Expression | None:
        index = placeholder_number(placeholder)
        return _bound(placeholder, values[index - 1]) if index is not None else None

    return clone(node, substitute=bound_value)


def unbound(sql: str, params: Sequence | Mapping | None = None) -> tuple[list[exp.Expression], list] | None:
    """The cached statements of ``sql`` with their placeholders in place, and the parameter values in
    placeholder order ($1 first); None where their numbers differ, as binding refuses. For paths
    that read a parameter or two (a key lookup's key) instead of copying the tree to bind them all;
    the trees are shared, so callers must not change them."""
    statements, values, _names, _positional = _statements_and_values(sql, params)
    if max((highest for _, highest in statements), default=0) != len(values):
        return None
    return [statement for statement, _ in statements], values


def _statements_and_values(sql: str, params: Sequence | Mapping | None) -> tuple[tuple, list, tuple | None, int]:
    """The cached statements (each with its highest placeholder number), the parameter values in
    placeholder order, the %(name)s names and the count of %s."""
    uses_pyformat = params is not None and "%" in sql  # as psycopg: without parameters the text is left alone
    statements, names, positional = _prepared(sql, uses_pyformat)
    if params is None:
        params = () if names is None else {}
    if names is not None:
        if not isinstance(params, Mapping):
            raise ProgrammingError("named placeholders need a mapping of parameters", sqlstate="08P01")
        missing = [name for name in names if name not in params]
        if missing:
            raise ProgrammingError(f"missing parameter {missing[0]!r}", sqlstate="42P02")
        return statements, [params[name] for name in names], names, positional
    if isinstance(params, Mapping):
        raise ProgrammingError("positional placeholders need a sequence of parameters", sqlstate="08P01")
    return statements, list(params), names, positional


def _cast(text: str, to: str) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(text), to=exp.DataType.build(to, dialect="postgres"))


def _decimal(value: Decimal) -> exp.Expression:
    """numeric(p, s) fitted to the value, so it stays exact instead of becoming a float."""
    if not value.is_finite():
        return _cast(str(value), "DOUBLE PRECISION")
    return decimal_literal(value)


def decimal_literal(value: Decimal) -> exp.Expression:
    """A finite decimal as a cast to numeric(p, s) fitted to it: its own digits and scale, as
    PostgreSQL's numeric keeps them (``1.50`` stays ``1.50``, ``1e3`` is ``1000``)."""
    digits, exponent = value.as_tuple().digits, value.as_tuple().exponent
    scale = max(-exponent, 0)
    precision = min(max(len(digits) + max(exponent, 0), scale + 1), 38)
    return _cast(format(value, "f"), f"NUMERIC({precision}, {min(scale, precision)})")


def _vector(values) -> exp.Expression:
    """Bound vectors travel as float4 bytes: formatting hundreds of floats as text costs more than the search."""
    data = np.asarray(values, dtype="<f4").reshape(-1).tobytes()
    return exp.Anonymous(this="vector_from_float4", expressions=[exp.HexString(this=data.hex())])


def _tensor(value: np.ndarray) -> exp.Expression:
    """A numpy array of any rank binds as a tensor: its bytes, dtype and shape (not text)."""
    dtype = "bool" if value.dtype == bool else value.dtype.name
    data = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<") if dtype != "bool" else bool).tobytes()
    return exp.Anonymous(
        this="tensor_from_bytes",
        expressions=[
            exp.HexString(this=data.hex()),
            exp.Literal.string(dtype),
            exp.Literal.string(json.dumps(list(value.shape))),
        ],
    )


def literal(value) -> exp.Expression:
    """A literal node for a Python value, remembering the value itself."""
    node = _literal_node(value)
    node.meta[PARAM_META] = value
    return node


def _literal_node(value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, (bool, np.bool_)):
        return exp.Boolean(this=bool(value))
    if isinstance(value, (int, np.integer)):
        return exp.Literal.number(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            return _cast("NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity"), "DOUBLE PRECISION")
        return exp.Literal.number(repr(value))
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return exp.HexString(this=bytes(value).hex())
    if isinstance(value, dt.datetime):
        return _cast(value.isoformat(sep=" "), "TIMESTAMPTZ" if value.tzinfo else "TIMESTAMP")
    if isinstance(value, dt.date):
        return _cast(value.isoformat(), "DATE")
    if isinstance(value, dt.time):
        return _cast(value.isoformat(), "TIME")
    if isinstance(value, dt.timedelta):
        # Days stay days (PostgreSQL keeps them apart from seconds across DST changes).
        return exp.Interval(
            this=exp.Literal.string(f"{value.days} days {value.seconds} seconds {value.microseconds} microseconds")
        )
    if isinstance(value, uuid.UUID):
        return exp.Literal.string(str(value))
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            return _tensor(value)
        return (
            _vector(value) if value.dtype.kind == "f" else exp.Array(expressions=[literal(v) for v in value.tolist()])
        )
    if hasattr(value, "to_list") and hasattr(value, "dimensions"):  # pgvector.Vector
        return _vector(value.to_list())
    if isinstance(value, (list, tuple)):
        if (
            value
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            and any(isinstance(v, float) for v in value)
        ):
            return _vector(value)
        return exp.Array(expressions=[literal(v) for v in value])
    if isinstance(value, Mapping):
        return _cast(json.dumps(value), "JSONB")
    raise ProgrammingError(f"cannot bind a parameter of type {type(value).__name__}", sqlstate="22023")
