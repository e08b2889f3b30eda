"""Rewrite rules, one per module; ``agentlake.sql.rewrite`` lists them in order."""

from __future__ import annotations

from typing import Callable

from sqlglot import exp


def transform_up(tree: exp.Expression, fn: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply ``fn`` to every node, children before parents, so nested rewrites compose."""
    for node in list(tree.walk(bfs=False))[::-1]:
        new = fn(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree
