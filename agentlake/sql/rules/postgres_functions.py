"""PostgreSQL spellings DataFusion lacks or reads differently.

- JSON operators (``->``, ``->>``, ``#>``, ``#>>``, ``@>``) become the JSON functions
  agentlake registers (``json_get`` ...); ``@>`` on arrays stays array containment;
- ``to_hex``; array subscripts stay 1-based;
- ``3.7::int`` rounds as PostgreSQL does (DataFusion truncates);
- ``INTERVAL '1 hour' * 3`` is folded (DataFusion cannot multiply intervals);
- ``x > ANY (subquery)`` / ``ALL`` become comparisons with the subquery's min or max.
"""
from __future__ import annotations

from sqlglot import exp

T = exp.DataType.Type
_INTEGER = {T.INT, T.BIGINT, T.SMALLINT, T.TINYINT}
_ANY_ALL = {  # (operator, quantifier) -> aggregate that decides
    (exp.GT, exp.Any): "min", (exp.GTE, exp.Any): "min", (exp.LT, exp.Any): "max", (exp.LTE, exp.Any): "max",
    (exp.GT, exp.All): "max", (exp.GTE, exp.All): "max", (exp.LT, exp.All): "min", (exp.LTE, exp.All): "min",
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


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.JSONExtractScalar):
        return _call("json_get_text", node.this, *_path_keys(node.expression))
    if isinstance(node, exp.JSONExtract):
        return _call("json_get", node.this, *_path_keys(node.expression))
    if isinstance(node, exp.JSONBExtractScalar):
        return _call("json_get_path_text", node.this, node.expression)
    if isinstance(node, exp.JSONBExtract):
        return _call("json_get_path", node.this, node.expression)
    if isinstance(node, exp.ArrayContainsAll) and isinstance(node.expression, exp.Literal) and node.expression.is_string:
        return _call("json_contains", node.this, node.expression)
    if isinstance(node, exp.Hex):
        return _call("to_hex", node.this)
    if isinstance(node, exp.Cast) and node.to.this in _INTEGER and isinstance(node.this, exp.Literal) \
            and not node.this.is_string and "." in node.this.this:
        return exp.Cast(this=_call("round", node.this), to=node.to)
    if isinstance(node, exp.Mul) and isinstance(node.this, exp.Interval) and isinstance(node.expression, exp.Literal) \
            and not node.expression.is_string and isinstance(node.this.this, exp.Literal):
        factor = float(node.expression.this)
        amount = float(node.this.this.this) * factor
        unit = node.this.args.get("unit")
        text = f"{amount:g} {unit.name if unit is not None else ''}".strip()
        return exp.Interval(this=exp.Literal.string(text))
    quantified = node.expression if isinstance(node, exp.Binary) else None
    if isinstance(quantified, (exp.Any, exp.All)) and isinstance(quantified.this, exp.Subquery):
        aggregate = _ANY_ALL.get((type(node), type(quantified)))
        if aggregate is not None:
            inner = quantified.this.this
            column = inner.expressions[0]
            name = column.alias_or_name or "v"
            wrapped = exp.select(_call(aggregate, exp.column(name, table="_q"))).from_(
                exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("_q"))))
            return type(node)(this=node.this, expression=exp.Subquery(this=wrapped))
    return node


def postgres_functions(tree: exp.Expression) -> exp.Expression:
    return tree.transform(_rewrite, copy=False)
