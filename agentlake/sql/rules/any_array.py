"""``x = ANY(ARRAY[a, b])`` is an IN list; DataFusion plans IN far better than array_has."""

from __future__ import annotations

from sqlglot import exp

from . import transform_up


def quantifier_of(node: exp.Expression) -> exp.Any | exp.All | None:
    """The ANY or ALL a binary operator's right side is, or None (sqlglot reads ``<> ALL(...)``'s
    ALL as a function call: it is returned as an ``exp.All``)."""
    right = node.expression if isinstance(node, exp.Binary) else None
    if isinstance(right, exp.Anonymous) and right.name.upper() == "ALL" and len(right.expressions) == 1:
        return exp.All(this=right.expressions[0])
    return right if isinstance(right, (exp.Any, exp.All)) else None


def any_array(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        quantifier = quantifier_of(node) if isinstance(node, (exp.EQ, exp.NEQ)) else None
        if quantifier is None:
            return node
        array = quantifier.this.unnest() if isinstance(quantifier.this, exp.Paren) else quantifier.this
        if isinstance(array, exp.Cast) and isinstance(array.this, exp.Array) and not array.this.expressions:
            array = array.this  # ARRAY[]::int[]
        if not isinstance(array, exp.Array):
            return node
        if not array.expressions:  # ANY of nothing is false and ALL of nothing true, for NULL too
            if isinstance(node, exp.EQ) and isinstance(quantifier, exp.Any):
                return exp.false()
            return exp.true() if isinstance(node, exp.NEQ) and isinstance(quantifier, exp.All) else node
        if isinstance(node, exp.EQ) and isinstance(quantifier, exp.Any):
            return exp.In(this=node.this, expressions=list(array.expressions))
        if isinstance(node, exp.NEQ) and isinstance(quantifier, exp.All):  # x <> ALL(...) is NOT IN, NULLs alike
            return exp.Not(this=exp.In(this=node.this, expressions=list(array.expressions)))
        return node

    return transform_up(tree, rewrite)
