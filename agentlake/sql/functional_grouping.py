"""Columns functionally dependent on a grouped primary key are selectable, as in PostgreSQL.

PostgreSQL accepts ``SELECT id, name, count(*) FROM t GROUP BY id`` when ``id`` is ``t``'s
primary key: grouping by every column of a table's primary key makes each other column of that
same table reference (``t``, or its alias) single-valued per group. Only the primary key counts
(not UNIQUE), only plain column references in GROUP BY count, and with grouping sets only the
columns every set groups by. DataFusion knows no keys, so this rewrite adds the dependent
columns the query reads outside aggregates to its GROUP BY, which changes no group; whatever
is still ungrouped meets DataFusion's (and PostgreSQL's) 42803.
"""

from __future__ import annotations

from typing import Callable, Sequence

from sqlglot import exp

from .column_types import SchemaOf

PrimaryKeyOf = Callable[[str], Sequence[str]]
"""A table's primary key columns by name (empty: none, or no such table)."""

_SETS = (exp.Rollup, exp.Cube, exp.GroupingSets)


def functional_grouping(tree: exp.Expression, schema_of: SchemaOf, primary_key_of: PrimaryKeyOf) -> bool:
    """Add, in place, to each GROUP BY the columns that its grouped primary keys determine and the
    query reads; True when any were."""
    changed = False
    for select in list(tree.find_all(exp.Select)):
        if select.args.get("group") is not None:
            changed = _Grouping(select, schema_of, primary_key_of).extend() or changed
    return changed


class _Grouping:
    def __init__(self, select: exp.Select, schema_of: SchemaOf, primary_key_of: PrimaryKeyOf) -> None:
        self.select = select
        self.group: exp.Group = select.args["group"]
        ctes = {cte.alias_or_name for cte in select.root().find_all(exp.CTE)}
        sources = [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or [])
        items = [source.this for source in sources if source is not None]
        self.tables: dict[str, tuple[list[str], Sequence[str]]] = {}
        """Qualifier -> (columns, primary key) of the base tables this SELECT reads."""
        self.opaque = False
        """Whether a FROM item's columns are unknown here (a subquery, a function): an unqualified
        name may then be one of its columns."""
        for item in items:
            schema = (
                schema_of(item.name) if isinstance(item, exp.Table) and isinstance(item.this, exp.Identifier) else None
            )
            if schema is None or (item.name in ctes and not item.args.get("db")):
                self.opaque = True
                continue
            if item.alias_or_name in self.tables:
                self.opaque = True  # the same name twice: PostgreSQL refuses it, DataFusion will too
                continue
            self.tables[item.alias_or_name] = (schema.names, tuple(primary_key_of(item.name)))

    def resolve(self, column: exp.Column) -> tuple[str, str] | None:
        """(qualifier, name) of a base table's column, or None where it is not one (or is ambiguous)."""
        if column.table:
            found = self.tables.get(column.table)
            return (column.table, column.name) if found and column.name in found[0] else None
        owners = [q for q, (names, _) in self.tables.items() if column.name in names]
        return (owners[0], column.name) if len(owners) == 1 and not self.opaque else None

    def grouped(self) -> set[tuple[str, str]]:
        """The columns every grouping set groups by (plain references only)."""
        out: set[tuple[str, str]] = set()
        items = self.select.expressions
        for key in self.group.expressions:
            if isinstance(key, exp.GroupingSets):
                common = None
                for member in key.expressions:
                    member_keys = {
                        self.key(e) for e in (member.expressions if isinstance(member, exp.Tuple) else [member])
                    }
                    common = member_keys if common is None else common & member_keys
                out |= {k for k in common or () if k is not None}
            elif not isinstance(key, _SETS):
                found = self.key(key, items)
                if found is not None:
                    out.add(found)
        return out

    def key(self, node: exp.Expression, items: list | None = None) -> tuple[str, str] | None:
        while isinstance(node, exp.Paren):
            node = node.this
        if items is not None and isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
            position = int(node.this)  # GROUP BY 2: the second select item
            node = items[position - 1] if 0 < position <= len(items) else node
        elif items is not None and isinstance(node, exp.Column) and not node.table and self.resolve(node) is None:
            named = [i for i in items if isinstance(i, exp.Alias) and i.alias == node.name]  # an output name
            node = named[0].this if len(named) == 1 else node
        if isinstance(node, exp.Alias):
            node = node.this
        return self.resolve(node) if isinstance(node, exp.Column) else None

    def extend(self) -> bool:
        grouped = self.grouped()
        dependent = {q for q, (_, key) in self.tables.items() if key and all((q, column) in grouped for column in key)}
        if not dependent:
            return False
        expanded = self.expand_stars()
        wanted: dict[str, exp.Column] = {}
        for part in [*self.select.expressions, self.select.args.get("having"), self.select.args.get("order")]:
            for column in self.read_outside_aggregates(part):
                found = self.resolve(column)
                if found is not None and found[0] in dependent and found not in grouped:
                    wanted.setdefault(column.sql(), column)
        for column in wanted.values():  # as written: a grouped jsonb column is matched by its spelling
            self.group.append("expressions", column.copy())
        return expanded or bool(wanted)

    def expand_stars(self) -> bool:
        """``*`` and ``t.*`` over base tables as their columns: a dependent table's are then grouped like
        any other, the rest meet 42803 by name; True when any was."""
        items: list[exp.Expression] = []
        for item in self.select.expressions:
            if isinstance(item, exp.Star) and not self.opaque:
                qualifiers = list(self.tables)
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star) and item.table in self.tables:
                qualifiers = [item.table]
            else:
                qualifiers = []
            if qualifiers:
                items += [exp.column(name, table=q) for q in qualifiers for name in self.tables[q][0]]
            else:
                items.append(item)
        if len(items) == len(self.select.expressions) and all(a is b for a, b in zip(items, self.select.expressions)):
            return False
        self.select.set("expressions", items)
        return True

    def read_outside_aggregates(self, part: exp.Expression | None) -> list[exp.Column]:
        """The columns ``part`` reads outside aggregates and subqueries."""
        if part is None:
            return []
        found: list[exp.Column] = []
        stack = [part]
        while stack:
            node = stack.pop()
            if isinstance(node, (exp.AggFunc, exp.Subquery, exp.Select)) and node is not part:
                continue
            if isinstance(node, exp.Column) and not isinstance(node.this, exp.Star):
                found.append(node)
            else:
                stack.extend(reversed(list(node.iter_expressions())))
        return found
