"""``x = ANY(ARRAY[a, b])`` is an IN list; DataFusion plans IN far better than array_has."""
from __future__ import annotations

from sqlglot import exp

from . import transform_up


def any_array(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any) and isinstance(node.expression.this, exp.Array):
            return exp.In(this=node.this, expressions=list(node.expression.this.expressions))
        return node

    return transform_up(tree, rewrite)
