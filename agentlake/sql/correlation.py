"""Telling a subquery's own columns from those it reads from the query around it.

The subquery rewrites (``rules/correlated_subqueries.py``, ``rules/lateral_subqueries.py``) turn
correlated subqueries into joins DataFusion can plan; they share these answers to "which columns
are outer", "which conditions correlate" and "does each row of this select come from one source row".
Only qualified columns are recognised as outer: without the schema an unqualified name cannot be
told apart from an inner one.
"""

from __future__ import annotations

from sqlglot import exp


def plain(select: exp.Select) -> bool:
    """A single SELECT without grouping, aggregates or windows: each row it returns is a source row."""
    if select.args.get("group") or select.args.get("having") or select.args.get("qualify"):
        return False
    for projection in select.expressions:
        if any(isinstance(n, (exp.AggFunc, exp.Window, exp.Star)) and scope_of(n) is select for n in projection.walk()):
            return False
    return not any(isinstance(p, exp.Star) for p in select.expressions)


def scope_of(node: exp.Expression) -> exp.Select | None:
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        parent = parent.parent
    return parent


def literal_limit(select: exp.Select) -> int | None:
    """The literal LIMIT of a select; -1 for one that is not a literal; None for none."""
    limit = select.args.get("limit")
    if limit is None:
        return None
    count = limit.expression
    return int(count.this) if isinstance(count, exp.Literal) and count.is_int else -1


def defined_names(select: exp.Expression) -> set[str]:
    """Every relation name and alias a query defines inside itself: its FROM items and CTEs."""
    names = set()
    for node in select.find_all(exp.Table, exp.Subquery, exp.CTE, exp.Unnest, exp.Lateral):
        name = node.alias or (node.name if isinstance(node, exp.Table) else "")
        if name:
            names.add(name.lower())
    return names


def outer_names(select: exp.Expression) -> set[str]:
    """Qualifiers of the columns a subquery reads from the query around it."""
    defined = defined_names(select)
    return {c.table.lower() for c in select.find_all(exp.Column) if c.table and c.table.lower() not in defined}


def is_outer(node: exp.Expression, outer: set[str]) -> bool:
    return any(c.table.lower() in outer for c in node.find_all(exp.Column) if c.table)


def take_correlations(anchor: exp.Select, outer: set[str]) -> list[tuple[exp.Expression, exp.Expression]] | None:
    """Removes the ``inner = outer`` conjuncts of a WHERE and returns them as (inner, outer) pairs;
    None, leaving the select as it was, when outer columns appear anywhere else."""
    where = anchor.args.get("where")
    if where is None:
        return None
    kept, moved = [], []
    for conjunct in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
        pair = _correlation_pair(conjunct, outer)
        if pair is None:
            kept.append(conjunct)
        else:
            moved.append(pair)
    outside_where = [e for k, e in anchor.args.items() if k != "where" and isinstance(e, exp.Expression)]
    outside_where += [p for k, v in anchor.args.items() if isinstance(v, list) for p in v]
    if not moved or any(is_outer(e, outer) for e in (*kept, *outside_where)):
        return None
    anchor.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
    return moved


def _correlation_pair(conjunct: exp.Expression, outer: set[str]) -> tuple[exp.Expression, exp.Expression] | None:
    if not isinstance(conjunct, exp.EQ):
        return None
    left, right = conjunct.this, conjunct.expression
    if is_outer(right, outer) and not is_outer(left, outer):
        return left, right
    if is_outer(left, outer) and not is_outer(right, outer):
        return right, left
    return None
