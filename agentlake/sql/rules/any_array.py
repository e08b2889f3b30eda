"""``x = ANY(ARRAY[a, b])`` is an IN list; DataFusion plans IN far better than array_has."""

from __future__ import annotations

from sqlglot import exp

from . import transform_up


def any_array(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        quantifier = node.expression if isinstance(node, (exp.EQ, exp.NEQ)) else None
        if (
            isinstance(quantifier, exp.Anonymous)
            and quantifier.name.upper() == "ALL"
            and len(quantifier.expressions) == 1
        ):
            quantifier = exp.All(this=quantifier.expressions[0])  # sqlglot reads `<> ALL(ARRAY[...])` as a call
        if not isinstance(quantifier, (exp.Any, exp.All)):
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
