"""pgvector operators become the distance functions the vector layer registers."""
from __future__ import annotations

from sqlglot import exp

from . import transform_up

from ..dialect import VECTOR_OPERATORS


def vector_operators(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        function = VECTOR_OPERATORS.get(type(node))
        if function is None:
            return node
        return exp.Anonymous(this=function, expressions=[node.this, node.expression])

    return transform_up(tree, rewrite)
