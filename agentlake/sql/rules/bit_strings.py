"""PostgreSQL's bit strings, kept as their text (``B'101'`` is ``'101'``): pgvector's ``<~>`` and
``<%>`` become its distance functions, and casts to ``bit(n)``/``varbit(n)`` pad or truncate as
PostgreSQL's explicit casts do (``bit`` alone is ``bit(1)``)."""

from __future__ import annotations

from sqlglot import exp

from ..dialect import BIT_OPERATORS
from . import transform_up

T = exp.DataType.Type


def _bit_type(to: exp.DataType) -> tuple[bool, int | None] | None:
    """(varying, length) of a bit type, or None for any other type."""
    if to.this == T.BIT:
        varying = False
    elif to.this == T.USERDEFINED and str(to.args.get("kind", "")).lower() == "varbit":
        varying = True
    else:
        return None
    params = [p.this if isinstance(p, exp.DataTypeParam) else p for p in to.expressions]
    return varying, int(params[0].name) if params else (None if varying else 1)


def bit_strings(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.BitString):
            return exp.Literal.string(node.name)
        function = BIT_OPERATORS.get(type(node))
        if function is not None:
            return exp.Anonymous(this=function, expressions=[node.this, node.expression])
        if isinstance(node, exp.Cast):
            bit = _bit_type(node.to)
            if bit is not None:
                varying, length = bit
                text = exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
                if length is None:
                    return text
                return exp.Anonymous(
                    this="bit_cast", expressions=[text, exp.Literal.number(length), exp.Boolean(this=varying)]
                )
        return node

    return transform_up(tree, rewrite)
