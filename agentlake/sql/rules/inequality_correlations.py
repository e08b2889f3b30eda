"""Scalar subqueries correlated by more than equalities, rewritten into ones DataFusion decorrelates.

DataFusion plans a correlated scalar subquery only when every condition reading the outer query
is an equality; ``(SELECT count(*) FROM emp x WHERE x.salary > e.salary)``, a rank or a running
total written as a subquery, was 0A000. PostgreSQL evaluates such a subquery once per outer row.
The same answers come from evaluating it once per distinct outer value: the subquery joins the
distinct values of the outer columns it reads (``SELECT DISTINCT e.salary FROM emp e``), its
conditions read them there, and one equality per column ties them to the outer row, which
DataFusion turns into a grouped join:

    (SELECT count(*) FROM emp x CROSS JOIN (SELECT DISTINCT e.salary AS __outer_0 FROM emp e)
     __outer WHERE x.salary > __outer.__outer_0 AND __outer.__outer_0 = e.salary)

An outer row whose value is NULL matches no distinct value, and so sees no rows, which is
PostgreSQL's answer only when a NULL there makes the condition not true. So the rewrite is made
only when each condition reading the outer query is a comparison (or BETWEEN) whose outer columns
reach it through arithmetic and casts alone (no COALESCE, CASE, IS NULL or OR), where the outer
columns appear only there and in what the subquery selects, and only when they come from one FROM
item (a table or a subquery) of the query around it; any other subquery is left as it was. Runs after :mod:`.correlated_subqueries`, which makes scalar subqueries
aggregates.
"""

from __future__ import annotations

from sqlglot import exp

from ..correlation import defined_names, outer_names, scope_of
from ..integer_arithmetic import CHECKED_FUNCTIONS

OUTER = "__outer"
_OUTER_COLUMN = "__outer_{}"
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.Between)
_NULL_PROPAGATING = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Paren, exp.Cast)


def inequality_correlations(tree: exp.Expression) -> exp.Expression:
    for subquery in list(tree.find_all(exp.Subquery)):
        if isinstance(subquery.this, exp.Select) and not isinstance(subquery.parent, (exp.From, exp.Join)):
            _decorrelate(subquery.this)
    return tree


def _decorrelate(select: exp.Select) -> None:
    outer = outer_names(select)
    where = select.args.get("where")
    if len(outer) != 1 or where is None or not select.args.get("from_"):
        return
    (alias,) = outer
    conjuncts = where.this.flatten() if isinstance(where.this, exp.And) else [where.this]
    correlated = [c for c in conjuncts if _reads(c, alias)]
    read_there = ("where", "expressions")  # its conditions, and what it selects (of the rows they keep)
    elsewhere = [e for k, e in select.args.items() if k not in read_there and isinstance(e, exp.Expression)]
    elsewhere += [p for k, v in select.args.items() if k not in read_there and isinstance(v, list) for p in v]
    if (
        any(_reads(e, alias) for e in elsewhere)
        or all(_is_equality(c, alias) for c in correlated)
        or not all(_null_rejecting(c, alias) for c in correlated)
    ):
        return
    source = _outer_source(select, alias)
    if source is None:
        return
    outer_columns = [c for c in select.find_all(exp.Column) if c.table.lower() == alias]
    names = sorted({c.name for c in outer_columns})
    columns = {name: _OUTER_COLUMN.format(i) for i, name in enumerate(names)}
    values = exp.select(*[exp.alias_(exp.column(name, table=alias), column) for name, column in columns.items()]).from_(
        source.copy()
    )
    values.set("distinct", exp.Distinct())
    for column in outer_columns:
        column.replace(exp.column(columns[column.name], table=OUTER))
    ties = [exp.EQ(this=exp.column(c, table=OUTER), expression=exp.column(n, table=alias)) for n, c in columns.items()]
    select.join(
        exp.Subquery(this=values, alias=exp.TableAlias(this=exp.to_identifier(OUTER))), join_type="CROSS", copy=False
    )
    select.set(
        "where", exp.Where(this=exp.and_(exp.Paren(this=where.this), *ties))
    )  # DataFusion misreads a bare BETWEEN before AND


def _reads(node: exp.Expression, alias: str) -> bool:
    return any(c.table.lower() == alias for c in node.find_all(exp.Column))


def _is_equality(conjunct: exp.Expression, alias: str) -> bool:
    """``inner = outer``, which DataFusion decorrelates itself."""
    return isinstance(conjunct, exp.EQ) and _reads(conjunct.this, alias) != _reads(conjunct.expression, alias)


def _null_rejecting(conjunct: exp.Expression, alias: str) -> bool:
    """Whether a NULL in any outer column makes ``conjunct`` not true: a comparison reached from each
    outer column through arithmetic (integer arithmetic's checked functions too) and casts only."""
    if not isinstance(conjunct, _COMPARISONS):
        return False
    for column in conjunct.find_all(exp.Column):
        if column.table.lower() != alias:
            continue
        node = column.parent
        while node is not conjunct:
            checked = isinstance(node, exp.Anonymous) and node.name.lower() in CHECKED_FUNCTIONS
            if not (checked or isinstance(node, _NULL_PROPAGATING)):
                return False
            node = node.parent
    return True


def _outer_source(select: exp.Select, alias: str) -> exp.Expression | None:
    """The FROM item of an enclosing query that ``alias`` names: a table or a subquery (not LATERAL);
    None when it is another kind of item or cannot be found."""
    scope = scope_of(select)
    while scope is not None:
        items = [scope.args["from_"].this] if scope.args.get("from_") else []
        items += [join.this for join in scope.args.get("joins") or []]
        for item in items:
            if item.alias_or_name.lower() == alias:
                return item if isinstance(item, (exp.Table, exp.Subquery)) else None
        if alias in defined_names(scope):
            return None  # defined deeper in that query (a CTE's own table): not a FROM item of it
        scope = scope_of(scope)
    return None
