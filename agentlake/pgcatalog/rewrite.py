"""sqlglot rewrite rules that turn PostgreSQL catalog idioms into SQL DataFusion plans.

Clients write ``pg_catalog.f(...)``, ``OPERATOR(pg_catalog.~)``, ``'t'::regclass``,
``oid::regtype::text`` and ``x = ANY (ARRAY[...])``; each rule below maps one
idiom onto tables and UDFs registered by :func:`register_pg_catalog`. Rules are
pure functions ``tree -> tree`` and are registered with the SQL front end.
"""
from __future__ import annotations

from typing import Callable

from sqlglot import exp

from .tables import RELATIONS

Rule = Callable[[exp.Expression], exp.Expression]
_REGEX_OPERATORS = {"~": (exp.RegexpLike, False), "!~": (exp.RegexpLike, True),
                    "~*": (exp.RegexpILike, False), "!~*": (exp.RegexpILike, True)}
_SESSION_FUNCTIONS = {exp.CurrentUser: "current_user", exp.SessionUser: "session_user"}


def _type_name(to: exp.Expression) -> str:
    """Lower-case name of a cast target: regclass, regtype, oid, text, name, ..."""
    if isinstance(to, exp.ObjectIdentifier):
        return to.name.lower()
    if isinstance(to, exp.DataType):
        kind = to.args.get("kind")
        if kind is not None:
            return kind.sql().lower().split(".")[-1]
        return to.this.value.lower() if hasattr(to.this, "value") else str(to.this).lower()
    return to.sql().lower()


def strip_catalog_prefix(tree: exp.Expression) -> exp.Expression:
    """``pg_catalog.f(x)`` -> ``f(x)``: catalog functions are registered unqualified."""
    def fix(node):
        if isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier) \
                and node.this.name.lower() == "pg_catalog" and isinstance(node.expression, exp.Func):
            return node.expression
        return node
    return tree.transform(fix)


def qualify_catalog_tables(tree: exp.Expression) -> exp.Expression:
    """Unqualified ``pg_type`` means ``pg_catalog.pg_type``, as with PostgreSQL's search_path."""
    for table in tree.find_all(exp.Table):
        if not table.args.get("db") and table.name.lower() in RELATIONS:
            table.set("db", exp.to_identifier("pg_catalog"))
    return tree


def regex_operators(tree: exp.Expression) -> exp.Expression:
    """``a OPERATOR(pg_catalog.~) b`` (psql) -> a regular-expression match; drops COLLATE pg_catalog.default."""
    def fix(node):
        if isinstance(node, exp.Collate) and node.expression.sql().lower().replace('"', "") in (
                "pg_catalog.default", "default", "c", "pg_catalog.c"):
            return node.this
        if isinstance(node, exp.Operator):
            op = str(node.args.get("operator", "")).lower().replace("pg_catalog.", "").strip()
            found = _REGEX_OPERATORS.get(op)
            if found:
                cls, negate = found
                match = cls(this=node.this, expression=node.expression)
                return exp.Not(this=match) if negate else match
        return node
    return tree.transform(fix)


def object_casts(tree: exp.Expression) -> exp.Expression:
    """``::regtype``, ``::regclass`` (and their ``::text``), ``::oid``, ``::name`` onto UDFs and plain casts."""
    def fix(node):
        if not isinstance(node, exp.Cast):
            return node
        target = _type_name(node.args["to"])
        inner = node.this
        inner_target = _type_name(inner.args["to"]) if isinstance(inner, exp.Cast) else None
        if target in ("text", "varchar", "name") and inner_target in ("regtype", "regclass"):
            fn = "pg_regtype_text" if inner_target == "regtype" else "pg_regclass_text"
            return exp.Anonymous(this=fn, expressions=[_as_oid(inner.this, inner_target)])
        if target in ("regtype", "regclass"):
            return _as_oid(inner, target)
        if target == "oid":
            return exp.Cast(this=inner, to=exp.DataType.build("BIGINT"))
        if target in ("name", "char", '"char"'):
            return exp.Cast(this=inner, to=exp.DataType.build("TEXT"))
        return node
    return tree.transform(fix)


def _as_oid(value: exp.Expression, kind: str) -> exp.Expression:
    if isinstance(value, exp.Cast) and _type_name(value.args["to"]) in ("regtype", "regclass", "oid"):
        value = value.this
    if isinstance(value, (exp.Literal, exp.Parameter, exp.Placeholder)) and not (
            isinstance(value, exp.Literal) and not value.is_string):
        fn = "to_regtype" if kind == "regtype" else "pg_regclass_oid"
        return exp.Anonymous(this=fn, expressions=[value])
    return value


def any_array(tree: exp.Expression) -> exp.Expression:
    """``x = ANY (ARRAY[a, b])`` -> ``x IN (a, b)``; ``x = ANY (col)`` -> ``array_has(col, x)``; ``<> ALL`` likewise."""
    def fix(node):
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
            target = node.expression.this
            target = target.this if isinstance(target, exp.Paren) else target
            if isinstance(target, exp.Array):
                return exp.In(this=node.this, expressions=target.expressions)
            return exp.Anonymous(this="array_has", expressions=[target, node.this])
        if isinstance(node, exp.NEQ) and isinstance(node.expression, exp.Anonymous) \
                and node.expression.name.upper() == "ALL" and node.expression.expressions:
            target = node.expression.expressions[0]
            if isinstance(target, exp.Array):
                return exp.Not(this=exp.In(this=node.this, expressions=target.expressions))
        return node
    return tree.transform(fix)


def session_functions(tree: exp.Expression) -> exp.Expression:
    """``current_user``, ``session_user``, ``current_schema`` become calls of the session's UDFs."""
    def fix(node):
        name = _SESSION_FUNCTIONS.get(type(node))
        if name is None and type(node).__name__ == "CurrentSchema":
            name = "current_schema"
        return exp.Anonymous(this=name, expressions=[]) if name else node
    return tree.transform(fix)


def aggregate_correlated_subqueries(tree: exp.Expression) -> exp.Expression:
    """DataFusion plans a correlated scalar subquery only when it is aggregated; PostgreSQL's
    (``(SELECT pg_get_expr(...) FROM pg_attrdef WHERE adrelid = a.attrelid)``) return one row, so MAX keeps them equal."""
    for sub in list(tree.find_all(exp.Subquery)):
        select = sub.this
        if not isinstance(select, exp.Select) or len(select.expressions) != 1 or isinstance(
                sub.parent, (exp.In, exp.Exists, exp.From, exp.Join)):
            continue
        if select.args.get("group") or select.args.get("limit") or select.find(exp.AggFunc):
            continue
        local = {t.alias_or_name for t in select.find_all(exp.Table)}
        if not any(c.table and c.table not in local for c in select.find_all(exp.Column)):
            continue
        item = select.expressions[0]
        alias = item.alias if isinstance(item, exp.Alias) else None
        value = item.this if isinstance(item, exp.Alias) else item
        wrapped = exp.Max(this=value)
        select.set("expressions", [exp.alias_(wrapped, alias) if alias else wrapped])
    return tree


RULES: list[Rule] = [strip_catalog_prefix, qualify_catalog_tables, regex_operators, object_casts, any_array,
                     session_functions, aggregate_correlated_subqueries]


def rewrite(tree: exp.Expression) -> exp.Expression:
    """Apply every catalog rule (used where the SQL front end's rule registry is absent)."""
    for rule in RULES:
        tree = rule(tree)
    return tree


def install_rules() -> bool:
    """Register the rules with the SQL front end; False when the front end has no registry yet."""
    try:
        from agentlake.sql.rewrite import register_rule
    except ImportError:
        return False
    for rule in RULES:
        register_rule(rule)
    return True
