"""Interval literals as PostgreSQL reads them (``sql/interval_input.py``), spelled for DataFusion.

``interval '29 days 23:59:59.999999'``, ``'1 hour ago'::interval`` and ``interval 'P1DT2H'`` reach
DataFusion as ``'0 months 29 days 86399999999 microseconds'`` and the like, which it reads exactly.
"""

from __future__ import annotations

from sqlglot import exp

from ..interval_input import parse_interval
from . import transform_up


def interval_literals(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Interval) and node.args.get("unit") is None:
            text = node.this
        elif isinstance(node, exp.Cast) and node.to.this == exp.DataType.Type.INTERVAL and not node.to.expressions:
            text = node.this
        else:
            return node
        if not (isinstance(text, exp.Literal) and text.is_string):
            return node
        return exp.Interval(this=exp.Literal.string(parse_interval(text.this).datafusion_text()))

    return transform_up(tree, rewrite)
