"""sqlglot rewrite rules that turn PostgreSQL catalog idioms into SQL DataFusion plans.

Clients write ``pg_catalog.f(...)``, ``OPERATOR(pg_catalog.~)``, ``'t'::regclass``,
``oid::regtype::text`` and ``x = ANY (ARRAY[...])``; each rule below maps one
idiom onto tables and UDFs registered by :func:`register_pg_catalog`. Rules are
functions ``tree -> tree`` registered with the SQL front end; like the front end's own, they
change the tree they are given (``sql.rewrite.rewrite`` hands them a private copy), since a
copy per rule per statement cost more than the rewriting.
"""

from __future__ import annotations

from typing import Callable

from sqlglot import exp

from ..sql.rules.column_names import PG_NAME, pg_name
from .advisory import ADVISORY_LOCK_FUNCTIONS
from .function_names import OID_FUNCTIONS, REGCLASS_FUNCTIONS
from .tables import ALWAYS_EMPTY, RELATIONS, TABLE_OIDS

Rule = Callable[[exp.Expression], exp.Expression]
_REGEX_OPERATORS = {
    "~": (exp.RegexpLike, False),
    "!~": (exp.RegexpLike, True),
    "~*": (exp.RegexpILike, False),
    "!~*": (exp.RegexpILike, True),
}
_SESSION_FUNCTIONS = {exp.CurrentUser: "pg_current_user", exp.SessionUser: "pg_session_user"}


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


_REG_TEXT = {
    "regtype": "pg_regtype_text",
    "regclass": "pg_regclass_text",
    "regnamespace": "pg_regnamespace_text",
    "regproc": "pg_regproc_text",
}
_BUILTIN_TYPES = {
    "int4": "INT",
    "int8": "BIGINT",
    "int2": "SMALLINT",
    "float8": "DOUBLE",
    "float4": "REAL",
    "bool": "BOOLEAN",
}


def _reads_catalog(tree: exp.Expression) -> bool:
    """Whether a query reads pg_catalog or information_schema (rules that bend semantics apply only there)."""
    return any((t.db or "").lower() in ("pg_catalog", "information_schema") for t in tree.find_all(exp.Table))


def strip_catalog_prefix(tree: exp.Expression) -> exp.Expression:
    """``pg_catalog.f(x)`` -> ``f(x)``, in expressions and in FROM (``pg_catalog.unnest(a) x``):
    catalog functions are registered unqualified. Calls nest (psql's
    ``pg_catalog.pg_size_pretty(pg_catalog.pg_table_size(oid))``), so every one is found first."""
    for node in list(tree.find_all(exp.Dot, exp.Table)):
        if isinstance(node, exp.Dot):
            if _is_catalog_name(node.this) and isinstance(node.expression, exp.Func):
                node.replace(node.expression)
        elif isinstance(node.this, exp.Func) and _is_catalog_name(node.args.get("db")):
            node.set("db", None)
    return tree


def _is_catalog_name(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Identifier) and node.name.lower() == "pg_catalog"


def qualify_catalog_tables(tree: exp.Expression) -> exp.Expression:
    """Unqualified ``pg_type`` means ``pg_catalog.pg_type``, as with PostgreSQL's search_path."""
    for table in tree.find_all(exp.Table):
        if not table.args.get("db") and table.name.lower() in RELATIONS:
            table.set("db", exp.to_identifier("pg_catalog"))
    return tree


def default_collation(tree: exp.Expression) -> exp.Expression:
    """``COLLATE pg_catalog.default`` (psql) changes nothing here: strings compare bytewise."""

    def fix(node):
        if isinstance(node, exp.Collate) and node.expression.sql().lower().replace('"', "") in (
            "pg_catalog.default",
            "default",
            "c",
            "pg_catalog.c",
        ):
            return node.this
        return node

    return tree.transform(fix, copy=False)


def _catalog_name(table: exp.Table) -> str | None:
    """The relation's name, lower-cased, where it is in pg_catalog (unqualified: on the search path)."""
    return table.name.lower() if (table.db or "pg_catalog").lower() == "pg_catalog" else None


def _catalog_tables(tree: exp.Expression) -> list[tuple[str, str]]:
    """(alias or name, catalog relation) for every pg_catalog relation the statement reads (an alias
    may stand for different relations in different subqueries)."""
    return [(t.alias_or_name, name) for t in tree.find_all(exp.Table) if (name := _catalog_name(t)) is not None]


def table_oids(tree: exp.Expression) -> exp.Expression:
    """``c.tableoid`` of a catalog's row is that catalog's OID (a system column PostgreSQL keeps on
    every table; psql's ``\\dd`` joins descriptions on it)."""
    catalogs = {alias: TABLE_OIDS[name] for alias, name in _catalog_tables(tree) if name in TABLE_OIDS}
    for column in list(tree.find_all(exp.Column)):
        if column.name.lower() == "tableoid" and column.table in catalogs:
            column.replace(exp.Literal.number(catalogs[column.table]))
    return tree


def partition_ancestors(tree: exp.Expression) -> exp.Expression:
    """``SELECT pg_partition_ancestors(rel)`` (psql's "Referenced by") returns no rows: no table here
    is a partition, and PostgreSQL lists none for a table that is not."""
    for select in list(tree.find_all(exp.Select)):
        items = select.expressions
        if (
            len(items) == 1
            and isinstance(items[0], exp.Anonymous)
            and items[0].name.lower() == "pg_partition_ancestors"
            and not select.args.get("from_")
        ):
            select.set("expressions", [exp.cast(exp.Null(), "bigint").as_("relid")])
            select.set("where", exp.Where(this=exp.false()))
    return tree


def regex_operators(tree: exp.Expression) -> exp.Expression:
    """``a OPERATOR(pg_catalog.~) b`` (psql) -> a regular-expression match."""

    def fix(node):
        if isinstance(node, exp.Operator):
            op = str(node.args.get("operator", "")).lower().replace("pg_catalog.", "").strip()
            found = _REGEX_OPERATORS.get(op)
            if found:
                cls, negate = found
                match = cls(this=node.this, expression=node.expression)
                return exp.Not(this=match) if negate else match
        return node

    return tree.transform(fix, copy=False)


_SEQUENCE_FUNCTIONS = frozenset({"nextval", "currval", "setval"})


def _names_a_sequence(cast: exp.Cast) -> bool:
    """Whether ``cast`` is the first argument of a sequence function (``nextval('s'::regclass)``,
    as column defaults spell it)."""
    call = cast.parent
    return isinstance(call, exp.Anonymous) and call.name.lower() in _SEQUENCE_FUNCTIONS and call.expressions[0] is cast


def object_casts(tree: exp.Expression) -> exp.Expression:
    """``::regtype``, ``::regclass`` (and their ``::text``), ``::oid``, ``::name`` onto UDFs and plain casts;
    to_regtype() shown or cast to text prints the type's name."""

    def fix(node):
        done = replace(node)
        return done if done is node else done.transform(fix, copy=False)  # the casts a replacement holds

    def replace(node):
        if _is_to_regtype(node) and _is_output_column(node):  # shown, its result is the type's name
            return _named(exp.Anonymous(this="pg_regtype_text", expressions=[node.copy()]), node)
        if not isinstance(node, exp.Cast):
            return node
        target = _type_name(node.args["to"])
        inner = node.this
        inner_target = _type_name(inner.args["to"]) if isinstance(inner, exp.Cast) else None
        if target == "regclass" and _names_a_sequence(node):
            return exp.Cast(this=inner, to=exp.DataType.build("TEXT"))  # the sequence functions read names
        if target in ("text", "varchar", "name") and inner_target in _REG_TEXT:
            text = exp.Anonymous(this=_REG_TEXT[inner_target], expressions=[_as_oid(inner.this, inner_target)])
            return _named(text, node)
        if target in ("text", "varchar", "name") and _is_to_regtype(inner):  # to_regtype(x)::text
            return _named(exp.Anonymous(this="pg_regtype_text", expressions=[inner]), node)
        if target in _REG_TEXT:
            if _is_output_column(node):  # shown, a regclass is its relation's name, as PostgreSQL prints it
                return _named(exp.Anonymous(this=_REG_TEXT[target], expressions=[_as_oid(inner, target)]), node)
            return _as_oid(inner, target)
        if target == "oid":
            return exp.Cast(this=inner, to=exp.DataType.build("BIGINT"))
        if _is_object_identifier_array(node.args["to"]):
            return exp.Cast(this=inner, to=exp.DataType.build("BIGINT[]", dialect="postgres"))
        if target in ("name", "char", '"char"') and not node.args["to"].expressions:  # char(n): pg_casts cuts
            return _named(exp.Cast(this=inner, to=exp.DataType.build("TEXT")), node)  # 'x'::name is named "name"
        if node.args["to"].sql().lower().startswith("pg_catalog."):
            return exp.Cast(this=inner, to=exp.DataType.build(_BUILTIN_TYPES.get(target, target), dialect="postgres"))
        return node

    return tree.transform(fix, copy=False)


def _is_to_regtype(node: exp.Expression) -> bool:
    """A call of to_regtype(), which answers an OID here where PostgreSQL's answers a regtype."""
    return isinstance(node, exp.Anonymous) and node.name.lower() == "to_regtype"


def _named(text: exp.Expression, node: exp.Expression) -> exp.Expression:
    """``text`` in place of ``node``, keeping the output column name PostgreSQL gives ``node``."""
    text.meta[PG_NAME] = pg_name(node)
    return text


def _is_output_column(node: exp.Expression) -> bool:
    """Whether ``node`` is a whole item of a select list (aliased or not)."""
    item = node.parent if isinstance(node.parent, exp.Alias) else node
    return isinstance(item.parent, exp.Select) and item.arg_key == "expressions"


def _is_object_identifier_array(to: exp.Expression) -> bool:
    """``oid[]`` and ``regtype[]`` and the like: arrays of object ids, which are BIGINT arrays here."""
    return (
        isinstance(to, exp.DataType)
        and to.this == exp.DataType.Type.ARRAY
        and bool(to.expressions)
        and isinstance(to.expressions[0], exp.ObjectIdentifier)
    )


def _as_oid(value: exp.Expression, kind: str) -> exp.Expression:
    if isinstance(value, exp.Cast) and _type_name(value.args["to"]) in ("regtype", "regclass", "oid"):
        value = value.this
    if isinstance(value, exp.Literal) and value.is_string and value.this.isdigit():
        return exp.Literal.number(value.this)  # '16385'::regclass is that OID, as PostgreSQL reads it
    if _is_text(value):
        fn = "to_regtype" if kind == "regtype" else "pg_regclass_oid"
        return exp.Anonymous(this=fn, expressions=[value])
    return value


_TEXT_CALLS = frozenset({"pg_get_serial_sequence", "quote_ident", "format"})
"""Functions of text a regclass or regtype cast reads as a name (``pg_get_serial_sequence(t, c)::regclass``)."""


def _is_text(value: exp.Expression) -> bool:
    """Whether a value cast to regclass or regtype is text, a name to look up, rather than an OID."""
    if isinstance(value, exp.Literal):
        return value.is_string
    if isinstance(value, (exp.Parameter, exp.Placeholder, exp.DPipe, exp.Concat)):
        return True
    return isinstance(value, exp.Anonymous) and value.name.lower() in _TEXT_CALLS


def any_array(tree: exp.Expression) -> exp.Expression:
    """``x = ANY (ARRAY[a, b])`` -> ``x IN (a, b)``; ``x = ANY (col)`` -> ``array_has(col, x)``; ``<> ALL`` likewise."""

    def fix(node):
        quantified = _quantified_subquery(node)
        if quantified is not None:
            return quantified
        if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
            target = node.expression.this
            target = target.this if isinstance(target, exp.Paren) else target
            if isinstance(target, exp.Array):  # an empty one is the front end's any_array's
                return exp.In(this=node.this, expressions=target.expressions) if target.expressions else node
            if isinstance(target, exp.Literal) and target.is_string:  # '{a,b}': the front end's postgres_spellings'
                return node
            if isinstance(target, exp.Cast) and isinstance(target.this, exp.Array) and not target.this.expressions:
                return node  # ARRAY[]::int[]: the front end's any_array
            contained = exp.Anonymous(this="array_has", expressions=[target, node.this])
            contained.meta[PG_NAME] = "?column?"  # an operator to PostgreSQL
            return contained
        if (
            isinstance(node, exp.NEQ)
            and isinstance(node.expression, exp.Anonymous)
            and node.expression.name.upper() == "ALL"
            and node.expression.expressions
        ):
            target = node.expression.expressions[0]
            if isinstance(target, exp.Array) and target.expressions:
                return exp.Not(this=exp.In(this=node.this, expressions=target.expressions))
        return node

    return tree.transform(fix, copy=False)


def session_functions(tree: exp.Expression) -> exp.Expression:
    """``current_user``, ``session_user``, ``current_schema`` become calls of the session's UDFs."""

    def fix(node):
        name = _SESSION_FUNCTIONS.get(type(node))
        if name is None and type(node).__name__ == "CurrentSchema":
            name = "current_schema"
        if not name:
            return node
        call = exp.Anonymous(this=name, expressions=[])
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            return exp.alias_(call, name.removeprefix("pg_"))  # the column is named current_user, as in PostgreSQL
        return call

    return tree.transform(fix, copy=False)


def _conjuncts(node: exp.Expression | None) -> list[exp.Expression]:
    if node is None:
        return []
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node.this] if isinstance(node, exp.Paren) and isinstance(node.this, exp.And) is False else [node]


def _tables_of(node: exp.Expression) -> set[str]:
    return {c.table for c in node.find_all(exp.Column) if c.table}


def _key_lookup(table: exp.Table, alias: str, conjuncts: list[exp.Expression], local: set[str], column: exp.Column):
    """``(SELECT MAX(t.c) FROM t WHERE t.key = outer...)``: an inner column fetched by its correlation keys."""
    keys = [
        c
        for c in conjuncts
        if isinstance(c, exp.EQ)
        and _tables_of(c) & {alias}
        and not (_tables_of(c) - {alias}) & local
        and _tables_of(c) - {alias}
    ]
    if not keys:
        return None
    lookup = exp.select(exp.Max(this=column.copy())).from_(table.copy()).where(exp.and_(*[k.copy() for k in keys]))
    return exp.Subquery(this=lookup)


_UNIQUE_KEYS = {"pg_sequence": "seqrelid"}
"""Catalog relations a correlated subquery may look a row up in by an expression of the outer row,
with the column that names at most one row."""


def _lookup_key(select: exp.Select, alias: str, key: str) -> exp.EQ | None:
    """The conjunct ``alias.key = <expression of the outer row>`` where that expression is more than
    a column (a column there DataFusion decorrelates itself)."""
    for cond in _conjuncts(select.args["where"].this if select.args.get("where") else None):
        if not isinstance(cond, exp.EQ):
            continue
        for inner, outer in ((cond.this, cond.expression), (cond.expression, cond.this)):
            if (
                isinstance(inner, exp.Column)
                and inner.table == alias
                and inner.name.lower() == key
                and not isinstance(outer, exp.Column)
                and _tables_of(outer)
                and alias not in _tables_of(outer)
            ):
                return cond
    return None


def keyed_lookups(tree: exp.Expression) -> exp.Expression:
    """A select-list subquery reading one row of a catalog relation by its unique key, compared with
    an expression of the outer row, becomes a LEFT JOIN of that relation on its conditions, and the
    subquery a CASE that is NULL where no row joined, as the subquery would be.

    SQLAlchemy reflects an identity column's options so, from ``pg_sequence`` by
    ``seqrelid = pg_get_serial_sequence(attrelid::regclass::text, attname)::regclass::oid``: DataFusion
    decorrelates equalities with outer columns, not with expressions of them.
    """
    if not _reads_catalog(tree):
        return tree
    for number, sub in enumerate(list(tree.find_all(exp.Subquery))):
        select, outer = sub.this, sub.parent
        while isinstance(outer, (exp.Alias, exp.Paren)):
            outer = outer.parent
        source = select.args.get("from_") if isinstance(select, exp.Select) else None
        if (
            not isinstance(outer, exp.Select)
            or not outer.args.get("from_")
            or source is None
            or not isinstance(source.this, exp.Table)
            or len(select.expressions) != 1
            or any(select.args.get(arg) for arg in ("joins", "group", "order", "limit", "distinct", "having"))
            or select.find(exp.AggFunc, exp.Subquery)
        ):
            continue
        table, alias = source.this, source.this.alias_or_name
        key = _UNIQUE_KEYS.get(_catalog_name(table) or "")
        if key is None or _lookup_key(select, alias, key) is None:
            continue
        joined = f"_lookup{number}"
        for column in select.find_all(exp.Column):
            if column.table == alias:
                column.set("table", exp.to_identifier(joined))
        value = select.expressions[0]
        value = value.this if isinstance(value, exp.Alias) else value
        outer.join(
            exp.alias_(exp.Table(this=table.this.copy(), db=table.args.get("db")), joined, table=True),
            on=select.args["where"].this,
            join_type="left",
            copy=False,
        )
        found = exp.Not(this=exp.Is(this=exp.column(key, table=joined), expression=exp.Null()))
        sub.replace(exp.Case(ifs=[exp.If(this=found, true=value)]))
    return tree


def aggregate_correlated_subqueries(tree: exp.Expression) -> exp.Expression:
    """Shape correlated scalar subqueries the way DataFusion can decorrelate them.

    PostgreSQL's catalog queries (psql's \\d, SQLAlchemy's reflection) use
    ``(SELECT f(x) FROM t WHERE t.k = outer.k AND outer.flag)``. DataFusion needs
    the subquery aggregated (MAX of the one row) and correlated by equalities
    only, so conditions on the outer row alone move into a CASE around it, and
    other mixed conditions read their inner column through a key lookup.
    """
    if not _reads_catalog(tree):
        return tree
    for sub in list(tree.find_all(exp.Subquery)):
        select = sub.this
        if (
            not isinstance(select, exp.Select)
            or len(select.expressions) != 1
            or isinstance(sub.parent, (exp.In, exp.Exists, exp.From, exp.Join))
        ):
            continue
        if select.args.get("group") or select.args.get("limit") or select.find(exp.AggFunc):
            continue
        tables = {t.alias_or_name: t for t in select.find_all(exp.Table)}
        local = set(tables)
        if not any(c.table and c.table not in local for c in select.find_all(exp.Column)):
            continue
        where = select.args.get("where")
        conjuncts = _conjuncts(where.this) if where is not None else []
        kept, outside = [], []
        for cond in conjuncts:
            refs = _tables_of(cond)
            if refs and not refs & local:
                outside.append(cond)
            elif refs & local and refs - local and not isinstance(cond, exp.EQ):
                replaced = cond.copy()
                ok = True
                for column in list(replaced.find_all(exp.Column)):
                    if column.table in local:
                        lookup = _key_lookup(tables[column.table], column.table, conjuncts, local, column)
                        if lookup is None:
                            ok = False
                            break
                        column.replace(lookup)
                (outside if ok else kept).append(replaced if ok else cond)
            else:
                kept.append(cond)
        select.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
        item = select.expressions[0]
        alias = item.alias if isinstance(item, exp.Alias) else None
        value = item.this if isinstance(item, exp.Alias) else item
        wrapped = exp.Max(this=value)
        select.set("expressions", [exp.alias_(wrapped, alias) if alias else wrapped])
        if outside:
            case = exp.Case(ifs=[exp.If(this=exp.and_(*outside), true=sub.copy())])
            sub.replace(case)
    return tree


def array_literals(tree: exp.Expression) -> exp.Expression:
    """``col = '{0}'`` compares with an array literal: ``'{0}'`` -> ``ARRAY[0]`` (catalog queries only)."""
    if not _reads_catalog(tree):
        return tree

    def as_array(node):
        if isinstance(node, exp.Literal) and node.is_string and node.this.startswith("{") and node.this.endswith("}"):
            items = [i.strip() for i in node.this[1:-1].split(",") if i.strip()]
            return exp.Array(
                expressions=[exp.Literal.number(i) if i.lstrip("-").isdigit() else exp.Literal.string(i) for i in items]
            )
        return node

    for cmp in tree.find_all(exp.EQ, exp.NEQ):
        for side in ("this", "expression"):
            cmp.set(side, as_array(cmp.args[side]))
    return tree


def _output_name(node: exp.Expression) -> str:
    """PostgreSQL's name for an unaliased output column: a function's name, else ?column?."""
    if PG_NAME in node.meta:  # a rule that replaced the expression recorded what it was called
        return node.meta[PG_NAME]
    if isinstance(node, exp.Cast):
        return _output_name(node.this) if not isinstance(node.this, exp.Literal) else _type_name(node.args["to"])
    if isinstance(node, exp.Case):
        return "case"
    if isinstance(node, exp.Func):
        return (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
    return "?column?"


def catalog_output_names(tree: exp.Expression) -> exp.Expression:
    """Name unaliased expressions of catalog queries as PostgreSQL does; DataFusion also needs them unique."""
    if not _reads_catalog(tree):
        return tree
    for select in tree.find_all(exp.Select):
        taken: set[str] = set()
        items = []
        for item in select.expressions:
            if isinstance(item, (exp.Column, exp.Star)) or item.alias:
                taken.add(item.alias_or_name)
                items.append(item)
                continue
            name, n = _output_name(item), 1
            while name in taken:
                n += 1
                name = f"{_output_name(item)}_{n}"
            taken.add(name)
            items.append(exp.alias_(item, name, quoted=True))
        select.set("expressions", items)
    return tree


_OVERLOADS = {
    ("pg_get_expr", 3): "pg_get_expr_pretty",
    ("pg_get_indexdef", 3): "pg_get_indexdef_column",
    ("pg_get_constraintdef", 2): "pg_get_constraintdef_pretty",
    ("pg_get_triggerdef", 2): "pg_get_triggerdef_pretty",
    ("pg_get_viewdef", 2): "pg_get_viewdef_pretty",
    ("obj_description", 1): "obj_description_any",
    ("current_setting", 2): "current_setting_missing_ok",
    ("setval", 3): "setval_called",
} | {(name, 2): f"{name}_int4" for name in ADVISORY_LOCK_FUNCTIONS}


def overloads(tree: exp.Expression) -> exp.Expression:
    """A DataFusion UDF has one signature, so overloads like ``pg_get_expr(e, rel, pretty)`` get their own name;
    quoted OIDs (``pg_relation_is_publishable('16385')``) become numbers, as PostgreSQL casts them."""

    def fix(node):
        if isinstance(node, exp.Anonymous):
            if node.name.lower() in OID_FUNCTIONS:
                for arg in node.expressions:
                    if isinstance(arg, exp.Literal) and arg.is_string and arg.this.isdigit():
                        arg.replace(exp.Literal.number(arg.this))
                    elif node.name.lower() in REGCLASS_FUNCTIONS and (
                        (isinstance(arg, exp.Literal) and arg.is_string)
                        or (isinstance(arg, exp.Anonymous) and arg.name.lower() == "to_regclass")
                    ):
                        name = arg if isinstance(arg, exp.Literal) else arg.expressions[0]
                        arg.replace(exp.Anonymous(this="pg_regclass_oid", expressions=[name.copy()]))
            target = _OVERLOADS.get((node.name.lower(), len(node.expressions)))
            if target:
                call = exp.Anonymous(this=target, expressions=node.expressions)
                call.meta[PG_NAME] = node.name.lower()  # a result column is named as written
                return call
        return node

    return tree.transform(fix, copy=False)


def _reads_empty_relation(select: exp.Select) -> bool:
    """Whether a SELECT inner-joins a relation that is always empty here (so it returns no rows)."""
    sources = [select.args["from_"].this] if select.args.get("from_") else []
    sources += [j.this for j in select.args.get("joins") or [] if (j.side or "").upper() not in ("LEFT", "FULL")]
    return any(isinstance(t, exp.Table) and _catalog_name(t) in ALWAYS_EMPTY for t in sources)


def subqueries_over_empty_relations(tree: exp.Expression) -> exp.Expression:
    """Scalar subqueries that read, are correlated to, or sit in a select over a relation that is
    always empty here (pg_policy, pg_sequence, pg_event_trigger, ...), or that unnest a column that
    is always NULL, are NULL, and such an ARRAY(SELECT ...) an empty array, as PostgreSQL answers;
    this spares DataFusion correlations it cannot plan (psql's policy listing, \\dp and \\dy,
    SQLAlchemy's identity and collation options)."""
    catalogs = _catalog_tables(tree)
    empty_aliases = {alias for alias, name in catalogs if name in ALWAYS_EMPTY}
    class_aliases = {alias for alias, name in catalogs if name == "pg_class"}
    for node in list(tree.find_all(exp.Array, exp.Subquery)):
        inner = node.expressions[0] if isinstance(node, exp.Array) and node.expressions else node.this
        if not isinstance(inner, exp.Select) or isinstance(node.parent, (exp.From, exp.Join)):
            continue
        local = {t.alias_or_name for t in inner.find_all(exp.Table)}
        outer = node.find_ancestor(exp.Select)
        if (
            _reads_empty_relation(inner)
            or (outer is not None and _reads_empty_relation(outer))  # never evaluated: no outer rows
            or _unnests_always_null(inner, class_aliases)
            or any(c.table in empty_aliases and c.table not in local for c in inner.find_all(exp.Column))
        ):
            node.replace(
                exp.Anonymous(this="make_array", expressions=[]) if isinstance(node, exp.Array) else exp.Null()
            )
    return tree


ALWAYS_NULL_COLUMNS = frozenset({"reloptions"})
"""Catalog columns that hold no value here (no table has storage options)."""


def _unnests_always_null(select: exp.Select, class_aliases: set[str]) -> bool:
    """Whether a SELECT reads only ``unnest(c.reloptions)`` of a pg_class row: no rows (psql's ``\\d+``
    asks for a TOAST table's options that way, correlated, which DataFusion cannot plan)."""
    source = select.args["from_"].this if select.args.get("from_") else None
    call = source.this if isinstance(source, exp.Table) else None
    return (
        isinstance(call, exp.Explode)
        and isinstance(call.this, exp.Column)
        and call.this.name.lower() in ALWAYS_NULL_COLUMNS
        and call.this.table in class_aliases
        and not select.args.get("joins")
    )


def _quantified_subquery(node: exp.Expression) -> exp.Expression | None:
    """``x = ANY (SELECT ...)`` is ``x IN (SELECT ...)`` and ``x <> ALL (SELECT ...)`` its NOT, NULLs alike."""
    if not isinstance(node, (exp.EQ, exp.NEQ)) or not isinstance(node.expression, (exp.Any, exp.All)):
        return None
    target = node.expression.this
    select = target.this if isinstance(target, exp.Subquery) else target
    if not isinstance(select, exp.Query):
        return None
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
        return exp.In(this=node.this, query=exp.Subquery(this=select))
    if isinstance(node, exp.NEQ) and isinstance(node.expression, exp.All):
        return exp.Not(this=exp.In(this=node.this, query=exp.Subquery(this=select)))
    return None


def _rows_then_order(select: exp.Select) -> exp.Select:
    """``SELECT x ... ORDER BY y LIMIT n`` as a select over those n rows that keeps ``ORDER BY y``
    (the keys travel as extra columns), so an aggregate over it can take their order."""
    order = select.args.get("order")
    keys = order.expressions if order else []
    inner = select.copy()
    item = inner.expressions[0]
    inner.set("expressions", [exp.alias_(item.this if isinstance(item, exp.Alias) else item, "__array_value")])
    for number, key in enumerate(keys):
        inner.append("expressions", exp.alias_(key.this.copy(), f"__array_order_{number}"))
    rows = exp.select("__array_value").from_(exp.Subquery(this=inner, alias=exp.TableAlias(this="__array_rows")))
    if keys:
        ordered = [key.copy() for key in keys]
        for number, key in enumerate(ordered):
            key.set("this", exp.column(f"__array_order_{number}"))
        rows.set("order", exp.Order(expressions=ordered))
    return rows


def array_subqueries(tree: exp.Expression) -> exp.Expression:
    """``ARRAY(SELECT x FROM ... ORDER BY y)`` (psql's \\du, and agents' "messages of each thread")
    -> ``(SELECT coalesce(array_agg(x ORDER BY y), make_array()) FROM ...)``: an empty array, not NULL,
    when there are no rows, as PostgreSQL answers. With LIMIT or OFFSET the rows are chosen first."""

    def fix(node):
        if isinstance(node, exp.Array) and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Select):
            select = node.expressions[0].copy()
            if select.args.get("limit") or select.args.get("offset"):
                select = _rows_then_order(select)
            item = select.expressions[0]
            value = item.this if isinstance(item, exp.Alias) else item
            order = select.args.get("order")
            aggregated = exp.ArrayAgg(this=exp.Order(this=value, expressions=order.expressions) if order else value)
            select.set("order", None)
            empty = exp.Anonymous(this="make_array", expressions=[])
            select.set("expressions", [exp.Coalesce(this=aggregated, expressions=[empty])])
            subquery = exp.Subquery(this=select)
            subquery.meta[PG_NAME] = "array"
            return subquery
        return node

    return tree.transform(fix, copy=False)


_ZERO_BASED = {"indkey", "indclass", "indcollation", "indoption"}
"""pg_index's int2vector and oidvector columns: their subscripts start at 0, an array's at 1."""


def generate_subscripts(tree: exp.Expression) -> exp.Expression:
    """``generate_subscripts(a, 1)`` beside ``unnest(a)`` in a select list (SQLAlchemy's index
    reflection) -> ``unnest(range(first, first + cardinality(a)))``: DataFusion zips the unnests."""

    def fix(node):
        if isinstance(node, exp.Anonymous) and node.name.lower() == "generate_subscripts" and node.expressions:
            array = node.expressions[0]
            first = exp.cast(
                exp.Literal.number(0 if isinstance(array, exp.Column) and array.name.lower() in _ZERO_BASED else 1),
                "bigint",
            )
            stop = exp.Add(
                this=first.copy(),
                expression=exp.cast(exp.Anonymous(this="cardinality", expressions=[array.copy()]), "bigint"),
            )
            return exp.Explode(this=exp.Anonymous(this="range", expressions=[first, stop]))
        return node

    return tree.transform(fix, copy=False)


RULES: tuple[Rule, ...] = (
    strip_catalog_prefix,
    qualify_catalog_tables,
    default_collation,
    table_oids,
    partition_ancestors,
    regex_operators,
    object_casts,
    any_array,
    array_literals,
    session_functions,
    overloads,
    generate_subscripts,
    keyed_lookups,
    subqueries_over_empty_relations,
    array_subqueries,
    aggregate_correlated_subqueries,
    catalog_output_names,
)
"""Catalog idioms, in this order; the engine runs them before the SQL front end's own rules."""
