"""``(a, b) IN (SELECT x, y ...)``: a row compared with a subquery's rows, which DataFusion refuses
("the subquery should only return one column", XX000), as the EXISTS PostgreSQL's IN means:

    EXISTS (SELECT 1 FROM (SELECT x, y ...) AS _row_in(c1, c2) WHERE _row_in.c1 = a AND _row_in.c2 = b)

The two agree wherever IN is true or false; they differ only on NULLs under NOT (NOT IN is
unknown when a compared value is NULL, NOT EXISTS true), so ``NOT (a, b) IN`` is refused (0A000)
rather than answered differently.
"""

from __future__ import annotations

from sqlglot import exp

from ...errors import NotSupportedError
from . import transform_up


def _row_exists(node: exp.In) -> exp.Exists:
    values = node.this.expressions
    names = [f"c{i + 1}" for i in range(len(values))]
    derived = exp.Subquery(
        this=node.args["query"].this.copy(),
        alias=exp.TableAlias(this=exp.to_identifier("_row_in"), columns=[exp.to_identifier(n) for n in names]),
    )
    condition = exp.and_(*(exp.EQ(this=exp.column(n, "_row_in"), expression=v.copy()) for n, v in zip(names, values)))
    return exp.Exists(this=exp.select("1").from_(derived).where(condition))


def row_in_subqueries(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.In) and isinstance(node.this, exp.Tuple) and node.args.get("query")):
            return node
        if isinstance(node.parent, exp.Not):
            raise NotSupportedError("NOT IN of a row and a subquery is not supported: write NOT EXISTS")
        return _row_exists(node)

    return transform_up(tree, rewrite)
