"""PostgreSQL's ``array_fill(value, ARRAY[n])``: a one-dimensional array of n copies, DataFusion's
``array_repeat``. Several dimensions or lower bounds are refused (0A000), not answered otherwise."""

from __future__ import annotations

from sqlglot import exp

from ...errors import NotSupportedError
from . import transform_up


def array_fill(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Anonymous) and node.name.lower() == "array_fill"):
            return node
        args = node.expressions
        if len(args) != 2 or not isinstance(args[1], exp.Array) or len(args[1].expressions) != 1:
            raise NotSupportedError("array_fill is supported with one dimension, as array_fill(value, ARRAY[n])")
        return exp.Anonymous(this="array_repeat", expressions=[args[0], args[1].expressions[0]])

    return transform_up(tree, rewrite)
