"""Set-returning functions in FROM, LATERAL ones included, as DataFusion can run them.

DataFusion runs a function in FROM only as a table function of constants (no LATERAL function
joins, no jsonb_each), but it expands ``unnest`` in a select list, one row per element, in order.
So a call reading columns of an earlier FROM item (LATERAL, written or implicit: PostgreSQL lets
a function in FROM read earlier items without the keyword) moves into a select list over that item:

    FROM t, LATERAL jsonb_each(t.j) AS e    ->    FROM (SELECT t.*, <key>, <value> FROM t) AS t

which keeps PostgreSQL's order (each row of t, then its elements in order) and is the same join:
an inner lateral join to a function of one item's columns distributes over the other joins. The
call's columns are then read through the item (``e.key`` -> ``t.key``; unqualified ones qualified,
so that their types are known), and ``*`` lists them where PostgreSQL puts them. A call of
constants becomes a derived table in its place. What cannot be placed so (a call reading two
items, a host on the nullable side of an outer join, an outer join to the call with a condition)
is refused with 0A000. ``sql.set_returning_calls`` says what each function returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from .column_types import SchemaOf
from .rules.column_names import pg_name
from .set_returning_calls import SetReturningCall, parse_call


def set_returning_from(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the set-returning functions in each FROM; True when any was."""
    changed = False
    for select in reversed(list(tree.find_all(exp.Select))):  # inner queries first: their columns are then known
        if any(_may_call(item) for item in _from_items(select)):
            changed = _FromClause(select, schema_of).rewrite() or changed
    return changed


def _may_call(item: exp.Expression) -> bool:
    """Whether a FROM item may call a function (not a table, not a subquery)."""
    return isinstance(item, (exp.Unnest, exp.Lateral)) or (
        isinstance(item, exp.Table) and not isinstance(item.this, exp.Identifier)
    )


@dataclass
class _Source:
    """One FROM item, as this rewrite tracks it."""

    qualifier: str
    node: exp.Expression
    join: exp.Join | None
    columns: list[str] | None
    """Its own output columns (None: not known here)."""
    types: dict[str, pa.DataType] = field(default_factory=dict)
    call: SetReturningCall | None = None
    host: _Source | None = None
    """Where an attached call's columns now live."""
    derived: list[str] = field(default_factory=list)
    """A call's column names where they now live: its own, made unique (``unnest(a, b)`` has two
    ``unnest``) and, in a host, apart from the host's."""
    added: list[str] = field(default_factory=list)
    """A host's columns added by the calls attached to it."""

    def names(self) -> list[str] | None:
        return self.call.names if self.call is not None else self.columns

    def reads(self, name: str) -> tuple[str, str]:
        """(qualifier, column) that a reference to this source's column ``name`` now reads."""
        if self.call is None:
            return self.qualifier, name
        if self.call.names.count(name) > 1:
            raise ProgrammingError(f'column reference "{name}" is ambiguous', sqlstate="42702")
        return (self.host or self).qualifier, self.derived[self.call.names.index(name)]

    def name_columns(self, taken: set[str]) -> None:
        """This call's ``derived`` names: its own, unless ``taken`` has one already."""
        for name in self.call.names:
            derived = name
            while derived in taken:
                derived = f"{self.call.alias}_{derived}"
            taken.add(derived)
            self.derived.append(derived)


class _FromClause:
    def __init__(self, select: exp.Select, schema_of: SchemaOf, outer_ctes: frozenset[str] = frozenset()) -> None:
        self.select = select
        self.schema_of = schema_of
        self.outer_ctes = outer_ctes
        """The common table expressions whose columns are being worked out (one may not read itself)."""
        self.ctes = {cte.alias_or_name: cte.this for cte in select.root().find_all(exp.CTE)}
        first = select.args.get("from_") or select.args.get("from")
        self.sources: list[_Source] = []
        if first is None:
            return
        for join in [None, *(select.args.get("joins") or [])]:
            node = first.this if join is None else join.this
            self.sources.append(self._source(node, join))

    def _source(self, node: exp.Expression, join: exp.Join | None) -> _Source:
        alias = node.args.get("alias")
        renamed = [c.name for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
        columns, types = None, {}
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            query = self.ctes.get(node.name) if not node.args.get("db") else None
            schema = self.schema_of(node.name) if query is None else None
            if schema is not None:
                columns, types = schema.names, {f.name: f.type for f in schema}
            elif query is not None and node.name not in self.outer_ctes:
                columns = self._output_names(query, self.outer_ctes | {node.name})
        elif isinstance(node, exp.Subquery):
            columns = self._output_names(node.this, self.outer_ctes)
        if columns is not None and renamed:
            types = {new: types[old] for new, old in zip(renamed, columns) if old in types}
            columns = renamed + columns[len(renamed) :]
        return _Source(node.alias_or_name, node, join, columns, types)

    def rewrite(self) -> bool:
        changed = False
        for index, source in enumerate(self.sources):
            call = parse_call(source.node, lambda node: self._type_of(node, index))
            if call is None:
                continue
            source.call, source.qualifier, changed = call, call.alias, True
            host = self._host(call, index)
            if host is None:
                self._in_place(source)
            else:
                self._attach(source, host, index)
        if changed:
            self._qualify_call_columns()
            self._expand_stars()
        return changed

    # which earlier FROM item a call reads -------------------------------------------------------
    def _owner(self, column: exp.Column, earlier: list[_Source]) -> _Source | None:
        """The earlier FROM item a column of a call's arguments reads (None: none of them, an outer
        query's column)."""
        if column.table:
            return next((s for s in earlier if s.qualifier == column.table), None)
        known = [s for s in earlier if column.name in (s.names() or ())]
        if len(known) > 1:
            raise ProgrammingError(f'column reference "{column.name}" is ambiguous', sqlstate="42702")
        if known:
            return known[0]
        unknown = [s for s in earlier if s.names() is None]
        if len(unknown) == 1 and len(earlier) == 1:
            return unknown[0]
        if unknown:
            raise NotSupportedError(
                f'cannot tell which FROM item column "{column.name}" of a function in FROM belongs to: qualify it',
                sqlstate="0A000",
            )
        return None

    def _host(self, call: SetReturningCall, index: int) -> _Source | None:
        earlier = self.sources[:index]
        hosts: list[_Source] = []
        for lst in call.lists:
            for column in list(lst.find_all(exp.Column)):
                if isinstance(column.this, exp.Star):
                    continue
                owner = self._owner(column, earlier)
                if owner is None:
                    continue
                qualifier, name = owner.reads(column.name)
                column.set("table", exp.to_identifier(qualifier))
                column.set("this", exp.to_identifier(name))
                host = owner.host or owner
                if host not in hosts:
                    hosts.append(host)
        if len(hosts) > 1:
            raise NotSupportedError(
                f"function {call.function} in FROM reads columns of {len(hosts)} FROM items; "
                "only functions of one earlier FROM item are supported",
                sqlstate="0A000",
            )
        return hosts[0] if hosts else None

    def _type_of(self, node: exp.Expression, index: int) -> pa.DataType | None:
        if not isinstance(node, exp.Column):
            return None
        for source in self.sources[:index]:
            if (not node.table or node.table == source.qualifier) and node.name in source.types:
                return source.types[node.name]
        return None

    def _output_names(self, query: exp.Expression, ctes: frozenset[str]) -> list[str] | None:
        """A query's output column names (None where they are not known here)."""
        while isinstance(query, exp.Subquery):
            query = query.this
        if isinstance(query, exp.SetOperation):
            return self._output_names(query.this, ctes)
        if not isinstance(query, exp.Select):
            return None
        names: list[str] = []
        inner: _FromClause | None = None
        for item in query.expressions:
            if isinstance(item, exp.Star) or (isinstance(item, exp.Column) and isinstance(item.this, exp.Star)):
                inner = inner or _FromClause(query, self.schema_of, ctes)
                covered = (
                    inner.sources
                    if isinstance(item, exp.Star)
                    else [s for s in inner.sources if s.qualifier == item.table]
                )
                joins = query.args.get("joins") or []
                if (
                    not covered
                    or any(s.columns is None for s in covered)
                    or any(j.args.get("using") or j.args.get("method") for j in joins)
                ):
                    return None
                names += [name for s in covered for name in s.columns]
            else:
                names.append(item.alias if isinstance(item, exp.Alias) else pg_name(item))
        return names

    # placing calls --------------------------------------------------------------------------------
    def _in_place(self, source: _Source) -> None:
        """A call of constants (or of an outer query's columns) as a derived table in its place."""
        call = source.call
        source.name_columns(set())
        if call.function == "generate_series" and not call.ordinality and not _reads_columns(call):
            query = _table_function_series(source.node, call)  # DataFusion's streams: large series fit
        elif not call.integers:
            raise NotSupportedError(
                "generate_series over other than integers is supported in FROM only without WITH ORDINALITY",
                sqlstate="0A000",
            )
        else:
            query = exp.Select(expressions=call.select_items(source.derived))
        derived = exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier(call.alias)))
        source.node.replace(derived)
        source.node = derived

    def _attach(self, source: _Source, host: _Source, index: int) -> None:
        """A call of ``host``'s columns as more columns of ``host``, one row per host row and element."""
        call, join = source.call, source.join
        if not call.integers:
            raise NotSupportedError(
                "generate_series in FROM over other than integers is supported only with constant arguments",
                sqlstate="0A000",
            )
        keep_empty = self._join_keeps_empty(join)
        between = self.sources[self.sources.index(host) : index]
        nullable = (host.join is not None and host.join.side in ("LEFT", "FULL")) or any(
            s.join is not None and s.join.side in ("RIGHT", "FULL") for s in between[1:]
        )
        if nullable and not keep_empty:
            raise NotSupportedError(
                f"function {call.function} in FROM over the nullable side of an outer join is not supported",
                sqlstate="0A000",
            )
        if not isinstance(host.node, (exp.Table, exp.Subquery)):
            raise NotSupportedError(
                f"function {call.function} in FROM over this FROM item is not supported", sqlstate="0A000"
            )
        source.name_columns(set(host.derived or host.columns or ()) | set(host.added))
        wrapper = exp.Select(
            expressions=[exp.Column(this=exp.Star(), table=exp.to_identifier(host.qualifier))]
            + call.select_items(source.derived, keep_empty)
        )
        wrapper.set("from_", exp.From(this=host.node.copy()))
        wrapped = exp.Subquery(this=wrapper, alias=exp.TableAlias(this=exp.to_identifier(host.qualifier)))
        host.node.replace(wrapped)
        host.node = wrapped
        on = join.args.get("on")
        if on is not None and not keep_empty and not _is_true(on):
            if any(s.join is not None and s.join.side in ("RIGHT", "FULL") for s in self.sources[index + 1 :]):
                raise NotSupportedError(
                    f"JOIN to function {call.function} ON a condition before a RIGHT or FULL JOIN is not supported",
                    sqlstate="0A000",
                )
            self.select.where(on, copy=False)  # an inner join's condition, as a filter
        join.pop()
        source.host = host
        host.added += source.derived
        self._read_through_host(source)

    def _join_keeps_empty(self, join: exp.Join) -> bool:
        """Whether the join to a call keeps rows it has no elements for (LEFT JOIN ... ON true)."""
        if join.args.get("using") or join.args.get("method"):
            raise NotSupportedError(
                "a function in FROM joined with USING or NATURAL is not supported", sqlstate="0A000"
            )
        if join.side in ("RIGHT", "FULL"):
            raise NotSupportedError(f"{join.side} JOIN to a function in FROM is not supported", sqlstate="0A000")
        if join.side != "LEFT":
            return False
        if not _is_true(join.args.get("on")):
            raise NotSupportedError("LEFT JOIN to a function in FROM is supported only ON true", sqlstate="0A000")
        return True

    # references to a call's columns ----------------------------------------------------------------
    def _read_through_host(self, source: _Source) -> None:
        """``e.key`` -> ``t.key`` wherever this query (or one it contains) reads the attached call's columns."""
        for column in list(self.select.find_all(exp.Column)):
            if column.table != source.qualifier or isinstance(column.this, exp.Star) or self._shadowed(column):
                continue
            if column.name not in source.call.names:
                raise ProgrammingError(f"column {source.qualifier}.{column.name} does not exist", sqlstate="42703")
            _read_as(column, *source.reads(column.name))

    def _shadowed(self, column: exp.Column) -> bool:
        """Whether a query between ``column`` and this one has a FROM item of the column's qualifier."""
        node = column.parent
        while node is not None and node is not self.select:
            if isinstance(node, exp.Select) and any(item.alias_or_name == column.table for item in _from_items(node)):
                return True
            node = node.parent
        return False

    def _qualify_call_columns(self) -> None:
        """Unqualified references to a call's columns, qualified (so the column's type is known to the
        rewrites after this one); a name two FROM items have is ambiguous, as in PostgreSQL."""
        outputs = {item.alias_or_name for item in self.select.expressions}
        order = self.select.args.get("order")
        for column in self._own_columns():
            if column.table or isinstance(column.this, exp.Star):
                continue
            owners = [s for s in self.sources if column.name in (s.names() or ())]
            callers = [s for s in owners if s.call is not None]
            if not owners and any(s.call is not None and s.qualifier == column.name for s in self.sources):
                raise NotSupportedError(
                    f'a whole-row reference to function "{column.name}" in FROM is not supported: name its columns',
                    sqlstate="0A000",
                )
            if not callers:
                continue
            if order is not None and column.find_ancestor(exp.Order) is order and column.name in outputs:
                continue  # ORDER BY an output column's name reads that output
            if len(owners) > 1:
                raise ProgrammingError(f'column reference "{column.name}" is ambiguous', sqlstate="42702")
            _read_as(column, *callers[0].reads(column.name))

    def _own_columns(self) -> list[exp.Column]:
        """The columns this query reads itself: not in its FROM items, not in queries it contains."""
        found: list[exp.Column] = []
        stack: list[exp.Expression] = [
            value
            for key, value in self.select.args.items()
            if key not in ("from_", "from", "joins", "with_", "with") and isinstance(value, exp.Expression)
        ]
        stack += [e for e in self.select.expressions]
        stack += [join.args["on"] for join in self.select.args.get("joins") or [] if join.args.get("on") is not None]
        while stack:
            node = stack.pop()
            if isinstance(node, exp.Column):
                found.append(node)
            elif not isinstance(node, (exp.Select, exp.Subquery)):
                stack.extend(node.iter_expressions())
        return found

    # stars --------------------------------------------------------------------------------------
    def _expand_stars(self) -> None:
        """``*`` and ``e.*`` as the columns they stand for in PostgreSQL, where a call's columns moved
        (and so that a jsonb column's type is known); ``t.*`` of a host leaves out what was added."""
        items: list[exp.Expression] = []
        changed = False
        for item in self.select.expressions:
            if isinstance(item, exp.Star):
                expanded = self._all_columns()
            elif isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                expanded = self._columns_of(item.table)
            else:
                expanded = None
            if expanded is None:
                items.append(item)
            else:
                items += expanded
                changed = True
        if changed:
            self.select.set("expressions", items)

    def _all_columns(self) -> list[exp.Expression] | None:
        joins = self.select.args.get("joins") or []
        if any(j.args.get("using") or j.args.get("method") for j in joins) or any(
            s.call is None and s.columns is None for s in self.sources
        ):
            if any(s.host is not None for s in self.sources):
                raise NotSupportedError(
                    "SELECT * over a function in FROM beside a FROM item of unknown columns or a USING join "
                    "is not supported: name the columns",
                    sqlstate="0A000",
                )
            return None
        return [column for source in self.sources for column in self._source_columns(source)]

    def _columns_of(self, qualifier: str) -> list[exp.Expression] | None:
        source = next((s for s in self.sources if s.qualifier == qualifier), None)
        if source is None or (source.call is None and not source.added):
            return None
        if source.call is None and source.columns is None:
            raise NotSupportedError(f"{qualifier}.* beside a function in FROM is not supported here", sqlstate="0A000")
        return self._source_columns(source)

    def _source_columns(self, source: _Source) -> list[exp.Expression]:
        if source.call is None:
            return [exp.column(name, table=source.qualifier) for name in source.columns]
        if len(set(source.call.names)) < len(source.call.names):
            raise NotSupportedError(
                f'function {source.call.function} in FROM has columns of one name here: alias them ("AS u(a, b)")',
                sqlstate="0A000",
            )
        out: list[exp.Expression] = []
        qualifier = (source.host or source).qualifier
        for name, derived in zip(source.call.names, source.derived):
            column = exp.column(derived, table=qualifier)
            out.append(column if derived == name else exp.alias_(column, name, quoted=True))
        return out


def _read_as(column: exp.Column, qualifier: str, name: str) -> None:
    """Point ``column`` at ``qualifier.name``; a select item keeps its output name."""
    if isinstance(column.parent, exp.Select) and column.arg_key == "expressions" and name != column.name:
        column.replace(exp.alias_(exp.column(name, table=qualifier), column.name, quoted=True))
    else:
        column.set("table", exp.to_identifier(qualifier))
        column.set("this", exp.to_identifier(name))


def _from_items(select: exp.Select) -> list[exp.Expression]:
    first = select.args.get("from_") or select.args.get("from")
    return ([first.this] if first is not None else []) + [j.this for j in select.args.get("joins") or []]


def _reads_columns(call: SetReturningCall) -> bool:
    return any(lst.find(exp.Column) for lst in call.lists)


def _is_true(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Boolean) and node.this is True


def _table_function_series(node: exp.Expression, call: SetReturningCall) -> exp.Select:
    """generate_series of constants on DataFusion's own table function (its column is ``value``),
    typed as PostgreSQL types it."""
    value = call.values[0]([exp.column("value")])
    query = exp.Select(expressions=[exp.alias_(value, call.names[0], quoted=True)])
    query.set("from_", exp.From(this=exp.Table(this=call.lists[0].copy())))  # the call's arguments as typed
    return query
