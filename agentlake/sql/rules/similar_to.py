"""``x SIMILAR TO p [ESCAPE e]`` as ``x ~ regex``, the regex translated from ``p`` by
``sql.similar_patterns``.

DataFusion reads the pattern of SIMILAR TO as a plain, unanchored regular expression, so
``'ada' SIMILAR TO 'a%'`` was false and ``'xada' SIMILAR TO 'a.*'`` true. A constant pattern is
translated here; any other expression by ``pg_similar_regex`` as the statement runs.
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import NotSupportedError
from ..similar_patterns import invalid_escape, similar_to_regex
from . import transform_up


def _escape_character(node: exp.Expression) -> str | None:
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise NotSupportedError("SIMILAR TO ... ESCAPE takes a constant escape character here")
    if len(node.this) > 1:
        raise invalid_escape()
    return node.this or None


def _regex(pattern: exp.Expression, escape: str | None) -> exp.Expression:
    if isinstance(pattern, exp.Literal) and pattern.is_string:
        return exp.Literal.string(similar_to_regex(pattern.this, escape))
    return exp.Anonymous(this="pg_similar_regex", expressions=[pattern.copy(), exp.Literal.string(escape or "")])


def similar_to(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        escape: str | None = "\\"
        if isinstance(node, exp.Escape) and isinstance(node.this, exp.SimilarTo):
            escape, match = _escape_character(node.expression), node.this
        elif isinstance(node, exp.SimilarTo) and not isinstance(node.parent, exp.Escape):
            match = node
        else:
            return node
        if isinstance(match.expression, exp.Null):
            return exp.cast(exp.Null(), exp.DataType.Type.BOOLEAN)
        return exp.RegexpLike(this=match.this.copy(), expression=_regex(match.expression, escape))

    return transform_up(tree, rewrite)
