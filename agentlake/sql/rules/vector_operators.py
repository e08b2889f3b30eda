"""pgvector operators become the distance functions the vector layer registers, and text
literals passed where a vector is expected become vectors, as PostgreSQL resolves them."""

from __future__ import annotations

from sqlglot import exp

from ..dialect import VECTOR_OPERATORS
from . import transform_up


def _vector_operand(node: exp.Expression) -> exp.Expression:
    """A text literal beside a vector operator is a vector literal (``embedding <-> '[1,2,3]'``), as in pgvector."""
    if isinstance(node, exp.Literal) and node.is_string:
        return exp.Anonymous(this="to_vector", expressions=[node])
    return node


VECTOR_PARAMETERS = {
    "l2_distance": 2,
    "inner_product": 2,
    "negative_inner_product": 2,
    "l1_distance": 2,
    "vector_dims": 1,
    "vector_norm": 1,
    "l2_normalize": 1,
    "subvector": 1,
}
"""Functions whose leading arguments (this many) are vectors: ``l2_distance(embedding, '[1,2,3]')``."""


def vector_operators(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous):
            vectors = VECTOR_PARAMETERS.get(node.name.lower(), 0)
            if vectors:
                node.set(
                    "expressions", [_vector_operand(a) if i < vectors else a for i, a in enumerate(node.expressions)]
                )
            return node
        function = VECTOR_OPERATORS.get(type(node))
        if function is None:
            return node
        return exp.Anonymous(this=function, expressions=[_vector_operand(node.this), _vector_operand(node.expression)])

    return transform_up(tree, rewrite)
