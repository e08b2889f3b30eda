"""Casts to types DataFusion lacks: vector, json/jsonb, jsonpath, uuid, timestamptz (``::jsonb`` checks the
text and keeps it as PostgreSQL prints it)."""
from __future__ import annotations

from sqlglot import exp

from . import transform_up

T = exp.DataType.Type
_UTC = 'Timestamp(Microsecond, Some("UTC"))'


def _is_user_type(to: exp.DataType, name: str) -> bool:
    return to.this == T.USERDEFINED and str(to.args.get("kind", "")).lower() == name


def _is_vector(to: exp.DataType) -> bool:
    return to.this == T.VECTOR or _is_user_type(to, "vector")


def pg_casts(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Cast):
            return node
        to = node.to
        if _is_vector(to):
            vector = exp.Anonymous(this="to_vector", expressions=[node.this])
            dims = to.expressions  # vector(n): checked, as PostgreSQL checks a type modifier
            return exp.Anonymous(this="vector_with_dimensions", expressions=[vector, dims[0].this]) if dims else vector
        if to.this == T.JSONB:
            return exp.Anonymous(this="jsonb_in", expressions=[node.this])
        if to.this in (T.JSON, T.UUID, T.NAME, T.CHAR) or _is_user_type(to, "jsonpath"):
            return exp.Cast(this=node.this, to=exp.DataType.build("VARCHAR"))
        if to.this in (T.TIMESTAMPTZ, T.TIMESTAMPLTZ):
            inner = exp.Cast(this=node.this, to=exp.DataType.build("TIMESTAMP"))
            return exp.Anonymous(this="arrow_cast", expressions=[inner, exp.Literal.string(_UTC)])
        return node

    return transform_up(tree, rewrite)
