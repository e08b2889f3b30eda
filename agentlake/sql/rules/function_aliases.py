"""A function in FROM with a bare alias names its one column too, as in PostgreSQL:
``FROM unnest(ARRAY[1,2]) v`` and ``FROM generate_series(1, 3) n`` have a column ``v`` / ``n``
(DataFusion would name it after the call)."""

from __future__ import annotations

from sqlglot import exp

from . import transform_up


def _name_column(node: exp.Expression) -> None:
    alias = node.args.get("alias")
    if isinstance(alias, exp.TableAlias) and alias.this is not None and not alias.columns:
        alias.set("columns", [alias.this.copy()])


def function_aliases(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Unnest) and len(node.expressions) == 1 and isinstance(node.parent, exp.From):
            _name_column(node)
        elif isinstance(node, exp.Table) and isinstance(node.this, (exp.ExplodingGenerateSeries, exp.GenerateSeries)):
            _name_column(node)
        return node

    return transform_up(tree, rewrite)
