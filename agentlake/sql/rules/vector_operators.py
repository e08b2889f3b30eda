"""pgvector operators become the distance functions the vector layer registers."""
from __future__ import annotations

from sqlglot import exp

from . import transform_up

from ..dialect import VECTOR_OPERATORS


def _vector_operand(node: exp.Expression) -> exp.Expression:
    """A text literal beside a vector operator is a vector literal (``embedding <-> '[1,2,3]'``), as in pgvector."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Anonymous(this="to_vector", expressions=[node])
    return node


def vector_operators(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        function = VECTOR_OPERATORS.get(type(node))
        if function is None:
            return node
        return exp.Anonymous(this=function, expressions=[_vector_operand(node.this), _vector_operand(node.expression)])

    return transform_up(tree, rewrite)
