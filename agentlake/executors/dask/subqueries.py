"""Plans for uncorrelated scalar subqueries, found in the SQL text.

DataFusion 55 keeps an uncorrelated scalar subquery as an expression, and its Python
binding returns no input plan for it (``Subquery.input()`` is empty). So the SQL is
parsed with sqlglot, every scalar subquery that plans on its own (with the query's
CTEs) is planned separately, and the compiler matches them to the expressions by
output column name, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OUTER_FIELD = re.compile(r'schema: DFSchema \{ inner: Schema \{ fields: \[Field \{ name: "((?:[^"\\]|\\.)*)"')


@dataclass
class ScalarSubqueries:
    """Candidate plans by output name; each is handed out once, in SQL order."""

    plans: list[tuple[str, object]] = field(default_factory=list)
    _used: set[int] = field(default_factory=set)

    def take(self, subquery_text: str) -> object | None:
        """The next unused plan whose output is named as the subquery's (given as its plan text)."""
        found = _OUTER_FIELD.findall(subquery_text)
        name = found[-1] if found else None
        for i, (candidate, plan) in enumerate(self.plans):
            if i not in self._used and candidate == name:
                self._used.add(i)
                return plan
        return None


def find_scalar_subqueries(session, query: str) -> ScalarSubqueries:
    """Plan each uncorrelated scalar subquery of ``query`` on its own."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(query, read="postgres")
    except sqlglot.errors.ParseError:
        return ScalarSubqueries()
    ctes = tree.args.get("with_", tree.args.get("with"))
    found = ScalarSubqueries()
    for sub in tree.find_all(exp.Subquery):
        if isinstance(sub.parent, (exp.From, exp.Join, exp.In, exp.Exists, exp.Union, exp.CTE)):
            continue
        select = sub.this.copy()
        if ctes is not None and isinstance(select, exp.Select):
            select.set("with_" if "with_" in tree.args else "with", ctes.copy())
        try:
            df = session.sql(select.sql(dialect="postgres"))
            plan = df.optimized_logical_plan()
        except Exception:  # correlated (refers to outer columns): DataFusion decorrelates those itself
            continue
        found.plans.append((df.schema().names[0], plan))
    return found
