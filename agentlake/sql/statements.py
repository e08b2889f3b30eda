"""Typed statements built from the sqlglot AST.

The engine needs to know *what* a statement asks for (which table, which
columns, which conflict target) without walking sqlglot's argument names,
which change between sqlglot versions. Each dataclass keeps the AST pieces it
was built from (WHERE, SET values, defaults, RETURNING, queries) so the engine
can still hand those to :func:`agentlake.sql.rewrite.to_datafusion_sql`, and
``node`` is always the whole statement.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError
from . import dialect
from .params import bind
from .types import arrow_type

T = exp.DataType.Type
_SERIAL = {T.SERIAL, T.BIGSERIAL, T.SMALLSERIAL}


@dataclass
class Statement:
    node: exp.Expression = field(repr=False, compare=False)


# queries and DML ---------------------------------------------------------------
@dataclass
class Query(Statement):
    """SELECT, set operations, VALUES, WITH ... SELECT."""


@dataclass
class DoNothing:
    target: list[str]                              # conflict columns; empty for any unique key
    constraint: str | None = None                  # ON CONFLICT ON CONSTRAINT name


@dataclass
class DoUpdate:
    target: list[str]
    assignments: list[tuple[str, exp.Expression]]
    where: exp.Expression | None
    constraint: str | None = None


@dataclass
class Insert(Statement):
    table: str
    columns: list[str] | None
    rows: list[list[exp.Expression]] | None       # VALUES rows; None when the source is a query
    query: exp.Expression | None                   # INSERT ... SELECT (with any WITH attached)
    on_conflict: DoNothing | DoUpdate | None
    returning: list[exp.Expression]
    alias: str | None = None                       # INSERT INTO t AS alias (for ON CONFLICT ... WHERE)
    default_values: bool = False


@dataclass
class Update(Statement):
    table: str
    alias: str | None
    assignments: list[tuple[str, exp.Expression]]
    where: exp.Expression | None
    from_: list[exp.Expression]
    returning: list[exp.Expression]


@dataclass
class Delete(Statement):
    table: str
    alias: str | None
    where: exp.Expression | None
    using: list[exp.Expression]
    returning: list[exp.Expression]


# DDL ---------------------------------------------------------------------------
@dataclass
class ColumnDef:
    name: str
    arrow_type: pa.DataType
    metadata: dict
    nullable: bool = True
    default: exp.Expression | None = None
    primary_key: bool = False
    unique: bool = False
    identity: bool = False                         # serial/bigserial or GENERATED ... AS IDENTITY
    node: exp.Expression | None = field(default=None, repr=False, compare=False)

    def arrow_field(self) -> pa.Field:
        return pa.field(self.name, self.arrow_type, self.nullable, self.metadata or None)


@dataclass
class CreateTable(Statement):
    name: str
    columns: list[ColumnDef]
    primary_key: list[str]
    unique: list[list[str]]
    if_not_exists: bool
    as_query: exp.Expression | None


@dataclass
class DropTable(Statement):
    names: list[str]
    if_exists: bool


@dataclass
class AddColumn:
    column: ColumnDef
    if_not_exists: bool = False


@dataclass
class DropColumn:
    name: str
    if_exists: bool = False


@dataclass
class RenameColumn:
    old: str
    new: str


@dataclass
class RenameTable:
    new: str


@dataclass
class AlterTable(Statement):
    table: str
    actions: list[AddColumn | DropColumn | RenameColumn | RenameTable]
    if_exists: bool = False


@dataclass
class CreateView(Statement):
    name: str
    query: exp.Expression
    or_replace: bool
    columns: list[str] | None = None


@dataclass
class DropView(Statement):
    names: list[str]
    if_exists: bool


@dataclass
class CreateIndex(Statement):
    name: str | None
    table: str
    method: str                                   # hnsw, ivfflat, cagra, ivf_pq, btree ...
    columns: list[str]
    opclass: str | None                           # vector_l2_ops ...
    options: dict[str, object]                    # WITH (m = 16, ...), values as Python constants
    if_not_exists: bool


@dataclass
class DropIndex(Statement):
    names: list[str]
    if_exists: bool


@dataclass
class Truncate(Statement):
    tables: list[str]


# transactions and session --------------------------------------------------------
@dataclass
class Begin(Statement):
    modes: list[str]


@dataclass
class Commit(Statement):
    pass


@dataclass
class Rollback(Statement):
    pass


@dataclass
class Savepoint(Statement):
    name: str


@dataclass
class Release(Statement):
    name: str


@dataclass
class RollbackTo(Statement):
    name: str


@dataclass
class Set(Statement):
    name: str
    value: str | None                              # None for SET x TO DEFAULT
    local: bool
    more: list[tuple[str, str | None]] = field(default_factory=list)  # SET TRANSACTION READ ONLY, ISOLATION ...


@dataclass
class Show(Statement):
    name: str                                      # "ALL" for SHOW ALL


@dataclass
class Reset(Statement):
    name: str | None                               # None for RESET ALL


@dataclass
class Explain(Statement):
    inner: Statement
    analyze: bool


# building ----------------------------------------------------------------------
def _name(node: exp.Expression | None) -> str:
    return node.name if node is not None else ""


def _table_name(table: exp.Expression) -> str:
    return ".".join(part.name for part in table.parts) if isinstance(table, exp.Table) else table.name


def _alias(table: exp.Expression) -> str | None:
    alias = table.args.get("alias")
    return alias.name if alias is not None else None


def _returning(node: exp.Expression) -> list[exp.Expression]:
    returning = node.args.get("returning")
    return list(returning.expressions) if returning is not None else []


def _where(node: exp.Expression) -> exp.Expression | None:
    where = node.args.get("where")
    return where.this if where is not None else None


def _assignments(items: Sequence[exp.Expression]) -> list[tuple[str, exp.Expression]]:
    return [(item.this.name, item.expression) for item in items]


def _constant(node: exp.Expression) -> object:
    if isinstance(node, exp.Literal):
        return node.to_py()
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal):
        return -node.this.to_py()
    if isinstance(node, exp.Boolean):
        return node.this
    return node.name


def _insert(node: exp.Insert) -> Insert:
    target = node.this
    columns = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
    table = target.this if isinstance(target, exp.Schema) else target
    source = node.expression
    rows = [list(row.expressions) for row in source.expressions] if isinstance(source, exp.Values) else None
    query = None
    if source is not None and rows is None:
        query = source.copy()
        if node.args.get("with_") is not None:
            query.set("with_", node.args["with_"].copy())
    return Insert(node, _table_name(table), columns, rows, query, _conflict(node.args.get("conflict")),
                  _returning(node), _alias(table), bool(node.args.get("default")))


def _conflict(conflict: exp.OnConflict | None) -> DoNothing | DoUpdate | None:
    if conflict is None:
        return None
    target = [_name(key.this if isinstance(key, exp.Ordered) else key) for key in conflict.args.get("conflict_keys") or []]
    constraint = _name(conflict.args.get("constraint")) or None
    if _name(conflict.args.get("action")).upper() == "DO NOTHING":
        return DoNothing(target, constraint)
    return DoUpdate(target, _assignments(conflict.expressions), _where(conflict), constraint)


def _update(node: exp.Update) -> Update:
    source = node.args.get("from_")
    from_ = [source.this, *[j.this for j in source.args.get("joins") or []]] if source is not None else []
    return Update(node, _table_name(node.this), _alias(node.this), _assignments(node.expressions), _where(node),
                  from_, _returning(node))


def _delete(node: exp.Delete) -> Delete:
    return Delete(node, _table_name(node.this), _alias(node.this), _where(node), list(node.args.get("using") or []),
                  _returning(node))


def column_def(node: exp.ColumnDef) -> ColumnDef:
    """A column definition of CREATE TABLE or ALTER TABLE ADD COLUMN."""
    kind = node.args.get("kind")
    if kind is None:
        raise NotSupportedError(f"column {node.name} needs a type")
    arrow, metadata = arrow_type(kind)
    column = ColumnDef(node.name, arrow, metadata, identity=kind.this in _SERIAL, node=node)
    for constraint in node.constraints:
        c = constraint.kind
        if isinstance(c, exp.NotNullColumnConstraint):
            column.nullable = bool(c.args.get("allow_null"))
        elif isinstance(c, exp.PrimaryKeyColumnConstraint):
            column.primary_key = True
        elif isinstance(c, exp.UniqueColumnConstraint):
            column.unique = True
        elif isinstance(c, exp.DefaultColumnConstraint):
            column.default = c.this
        elif isinstance(c, exp.GeneratedAsIdentityColumnConstraint):
            column.identity = True
    if column.primary_key or column.identity:
        column.nullable = False
    return column


def _create_table(node: exp.Create) -> CreateTable:
    schema = node.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    columns, primary_key, unique = [], [], []
    for item in schema.expressions if isinstance(schema, exp.Schema) else []:
        if isinstance(item, exp.ColumnDef):
            columns.append(column_def(item))
            continue
        for constraint in item.expressions if isinstance(item, exp.Constraint) else [item]:
            if isinstance(constraint, exp.PrimaryKey):
                primary_key = [_name(c.this if isinstance(c, exp.Ordered) else c) for c in constraint.expressions]
            elif isinstance(constraint, exp.UniqueColumnConstraint) and isinstance(constraint.this, exp.Schema):
                unique.append([c.name for c in constraint.this.expressions])
            else:
                raise NotSupportedError(f"table constraint not supported: {constraint.sql(dialect='postgres')}")
    primary_key = primary_key or [c.name for c in columns if c.primary_key]
    for column in columns:
        if column.name in primary_key:
            column.nullable = False
        if column.unique and not column.primary_key:
            unique.append([column.name])
    return CreateTable(node, _table_name(table), columns, primary_key, unique, bool(node.args.get("exists")),
                       node.expression)


def _create_index(node: exp.Create) -> CreateIndex:
    index = node.this
    params = index.args.get("params")
    columns, opclass = [], None
    for ordered in params.args.get("columns") or []:
        column = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        if isinstance(column, exp.Opclass):
            opclass = column.expression.name
            column = column.this
        columns.append(column.name)
    options = {p.this.name.lower(): _constant(p.args.get("value") or p.expression)
               for p in params.args.get("with_storage") or []}
    method = _name(params.args.get("using")).lower() or "btree"
    return CreateIndex(node, index.name or None, _table_name(index.args["table"]), method, columns, opclass, options,
                       bool(node.args.get("exists")))


def _create(node: exp.Create) -> Statement:
    kind = (node.args.get("kind") or "").upper()
    if kind == "TABLE":
        return _create_table(node)
    if kind == "INDEX":
        return _create_index(node)
    if kind == "VIEW":
        target = node.this
        columns = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else None
        table = target.this if isinstance(target, exp.Schema) else target
        return CreateView(node, _table_name(table), node.expression, bool(node.args.get("replace")), columns)
    raise NotSupportedError(f"CREATE {kind} is not supported")


def _drop(node: exp.Drop) -> Statement:
    kind = (node.args.get("kind") or "").upper()
    names = [_table_name(t) for t in node.args.get("tables") or []]
    exists = bool(node.args.get("exists"))
    by_kind = {"TABLE": DropTable, "VIEW": DropView, "INDEX": DropIndex}
    if kind not in by_kind:
        raise NotSupportedError(f"DROP {kind} is not supported")
    return by_kind[kind](node, names, exists)


def _alter(node: exp.Alter) -> AlterTable:
    if (node.args.get("kind") or "").upper() != "TABLE":
        raise NotSupportedError(f"ALTER {node.args.get('kind')} is not supported")
    actions: list = []
    for action in node.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            actions.append(AddColumn(column_def(action), bool(action.args.get("exists"))))
        elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
            actions.extend(DropColumn(c.name, bool(action.args.get("exists"))) for c in action.args["tables"])
        elif isinstance(action, exp.RenameColumn):
            actions.append(RenameColumn(action.this.name, action.args["to"].name))
        elif isinstance(action, exp.AlterRename):
            actions.append(RenameTable(action.this.name))
        else:
            raise NotSupportedError(f"ALTER TABLE action not supported: {action.sql(dialect='postgres')}")
    return AlterTable(node, _table_name(node.this), actions, bool(node.args.get("exists")))


def _set(node: exp.Set) -> Statement:
    if not node.expressions or not all(isinstance(item.this, exp.EQ) for item in node.expressions):
        raise NotSupportedError(f"SET form not supported: {node.sql(dialect=dialect.AgentlakePostgres)}")
    (name, value), *more = [_setting(item.this) for item in node.expressions]
    return Set(node, name, value, (node.expressions[0].args.get("kind") or "").upper() == "LOCAL", more)


def _setting(eq: exp.EQ) -> tuple[str, str | None]:
    name = ".".join(part.name for part in eq.this.parts)
    value = eq.expression
    return name, None if isinstance(value, exp.Var) and value.name.upper() == "DEFAULT" else _setting_text(value)


def _setting_text(node: exp.Expression) -> str:
    if isinstance(node, exp.Tuple):
        return ", ".join(_setting_text(e) for e in node.expressions)
    if isinstance(node, (exp.Literal, exp.Var, exp.Identifier)):
        return node.name
    if isinstance(node, exp.Column):
        return ".".join(part.name for part in node.parts)
    if isinstance(node, exp.Boolean):
        return "on" if node.this else "off"
    return node.sql(dialect=dialect.AgentlakePostgres)


def _rollback(node: exp.Rollback) -> Statement:
    savepoint = node.args.get("savepoint")
    return RollbackTo(node, savepoint.name) if savepoint is not None else Rollback(node)


_BUILDERS = {
    exp.Insert: _insert,
    exp.Update: _update,
    exp.Delete: _delete,
    exp.Create: _create,
    exp.Drop: _drop,
    exp.Alter: _alter,
    exp.TruncateTable: lambda n: Truncate(n, [_table_name(t) for t in n.expressions]),
    exp.Transaction: lambda n: Begin(n, list(n.args.get("modes") or [])),
    exp.Commit: Commit,
    exp.Rollback: _rollback,
    exp.Set: _set,
    dialect.Savepoint: lambda n: Savepoint(n, n.this.name),
    dialect.Release: lambda n: Release(n, n.this.name),
    dialect.Show: lambda n: Show(n, n.this.name),
    dialect.Reset: lambda n: Reset(n, n.this.name if n.this is not None else None),
    dialect.Explain: lambda n: Explain(n, build(n.this), bool(n.args.get("analyze"))),
}


def build(node: exp.Expression) -> Statement:
    """The typed statement for one parsed (and bound) statement tree."""
    builder = _BUILDERS.get(type(node))
    if builder is not None:
        return builder(node)
    if isinstance(node, (exp.Query, exp.Values)):
        return Query(node)
    raise NotSupportedError(f"statement not supported: {node.sql(dialect=dialect.AgentlakePostgres)[:80]}")


def parse(sql: str, params: Sequence | Mapping | None = None) -> list[Statement]:
    """Parse (cached), bind parameters and classify every statement of ``sql``."""
    return [build(node) for node in bind(sql, params)]


__all__ = [
    "AddColumn", "AlterTable", "Begin", "ColumnDef", "Commit", "CreateIndex", "CreateTable", "CreateView",
    "Delete", "DoNothing", "DoUpdate", "DropColumn", "DropIndex", "DropTable", "DropView", "Explain", "Insert",
    "Query", "Release", "RenameColumn", "RenameTable", "Reset", "Rollback", "RollbackTo", "Savepoint", "Set",
    "Show", "Statement", "Truncate", "Update", "build", "column_def", "parse",
]
