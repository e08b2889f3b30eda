"""B-tree indexes on ordinary columns: ``CREATE [UNIQUE] INDEX [name] ON t [USING btree] (a, b)``,
and non-unique ones on expressions (``((meta ->> 'k'))``, as LlamaIndex creates).

PostgreSQL code creates them for its filters and for uniqueness (pgvector's guides add one
on the filter column of a filtered search). Here filters read decoded columns and Parquet
statistics and no plan would use such an index, so it is a catalog entry (``pg_indexes``,
psql's ``\\d``, ``DROP INDEX``); a UNIQUE one is the table's unique constraint on those
columns, checked against the rows already there when it is created, then by every write. A
partial UNIQUE index (``WHERE ...``) is refused (0A000): its uniqueness holds only over the rows
its predicate selects, which this constraint does not tell apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import IntegrityError, NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.types import OPCLASSES
from .ddl import index_name_free, new_index_name, table_name
from .dml import distinct_keys, key_text

if TYPE_CHECKING:
    from catalog.objects import Manifest

    from .session import Session

SCALAR_METHODS = {"btree", "hash", "brin"}


def is_scalar_index(stmt: exp.Create, manifest: "Manifest") -> bool:
    """Whether ``CREATE INDEX`` asks for an index on ordinary columns (no vector method, no vector column)."""
    method = _method(stmt)
    if method is not None:
        return method in SCALAR_METHODS
    columns = [c for c in _keys(stmt) if isinstance(c, exp.Column)]
    return not any(
        manifest.schema.get_field_index(c.name) >= 0 and pa.types.is_fixed_size_list(manifest.schema.field(c.name).type)
        for c in columns
    )


def create_scalar_index(session: "Session", stmt: exp.Create) -> Result:
    table = table_name(stmt.this.args.get("table") or stmt.this)
    tx = session.write_tx()
    manifest = tx.manifest(table)
    columns, name_parts = [], []
    orders = [_sort_option(key) for key in _written_keys(stmt)]
    for key in _keys(stmt):
        if isinstance(key, exp.Opclass):  # text_pattern_ops and kin order like the default here
            if key.expression.name.lower() in OPCLASSES:
                raise ProgrammingError(
                    f'operator class "{key.expression.name}" does not exist for access method '
                    f'"{_method(stmt) or "btree"}"',
                    sqlstate="42704",
                )
            key = key.this
        for column in key.find_all(exp.Column):
            if manifest.schema.get_field_index(column.name) < 0:
                raise ProgrammingError(f'column "{column.name}" does not exist', sqlstate="42703")
        columns.append(key.name if isinstance(key, exp.Column) else _expression_key(key, stmt))
        name_parts.append(_name_part(key))
    name = stmt.this.name or new_index_name(tx, table, name_parts)
    if not index_name_free(session, tx, name, bool(stmt.args.get("exists"))):
        return Result(None, 0, "CREATE INDEX")
    unique = bool(stmt.args.get("unique"))
    if unique and stmt.find(exp.Where) is not None:
        raise NotSupportedError(
            "partial unique indexes (CREATE UNIQUE INDEX ... WHERE) are not supported: the uniqueness would hold"
            " over every row, not only those the predicate selects"
        )
    constraints = dict(manifest.constraints or {})
    if unique:
        _, repeated = distinct_keys(tx.snapshot.read(table, columns), columns)
        if repeated is not None:
            raise IntegrityError(
                f'could not create unique index "{name}": Key {key_text(columns, repeated)} is duplicated.',
                sqlstate="23505",
            )
        constraints["unique"] = [*constraints.get("unique", []), columns]
    spec = {"method": _method(stmt) or "btree", "columns": columns, "unique": unique}
    if any(orders):
        spec["options"] = orders
    tx.alter_table(table, indexes={**manifest.indexes, name: spec}, constraints=constraints)
    return Result(None, 0, "CREATE INDEX")


def _expression_key(key: exp.Expression, stmt: exp.Create) -> str:
    """An expression key as pg_get_indexdef(index, n) prints it: an operator's parenthesised
    (``(meta ->> 'k')``), a function call not (``lower(name)``). It orders nothing here, as no plan
    reads these indexes, and a UNIQUE one would need the expression's values checked on every
    write, which is not done."""
    if stmt.args.get("unique"):
        raise NotSupportedError("unique indexes on expressions are not supported")
    key = key.unnest()  # the parentheses CREATE INDEX asks an expression key for
    text = key.sql(dialect="postgres", normalize_functions="lower")
    return text if isinstance(key, exp.Func) and not isinstance(key, exp.Binary) else f"({text})"


def _name_part(key: exp.Expression) -> str:
    """What PostgreSQL names an index key after: a column by its name, a function call by the
    function (``items_lower_idx``), any other expression ``expr``."""
    if isinstance(key, exp.Column):
        return key.name
    if isinstance(key, exp.Anonymous):
        return key.name.lower()
    if isinstance(key, exp.Func) and not isinstance(key, exp.Binary):
        return key.sql_name().lower()
    return "expr"


def drop_scalar_index(tx, table: str, name: str) -> None:
    """Forget the index; a UNIQUE one takes its unique constraint with it."""
    manifest = tx.manifest(table)
    spec = manifest.indexes[name]
    constraints = dict(manifest.constraints or {})
    if spec.get("unique"):
        remaining = list(constraints.get("unique", []))
        if spec["columns"] in remaining:
            remaining.remove(spec["columns"])
        constraints["unique"] = remaining
    tx.alter_table(table, indexes={k: v for k, v in manifest.indexes.items() if k != name}, constraints=constraints)


def is_scalar_spec(spec: dict) -> bool:
    return spec.get("method") in SCALAR_METHODS


def _method(stmt: exp.Create) -> str | None:
    params = stmt.this.args.get("params")
    using = params.args.get("using") if params is not None else None
    return None if using is None else (using.name if isinstance(using, exp.Expression) else str(using)).lower()


def _written_keys(stmt: exp.Create) -> list[exp.Expression]:
    params = stmt.this.args.get("params")
    return (params.args.get("columns") if params is not None else None) or []


def _keys(stmt: exp.Create) -> list[exp.Expression]:
    return [key.this if isinstance(key, exp.Ordered) else key for key in _written_keys(stmt)]


def _sort_option(key: exp.Expression) -> int:
    """A key's ``DESC`` and ``NULLS FIRST`` as pg_index.indoption's bits (1 and 2): no plan reads the
    order here, but the catalog reports it (pg_get_indexdef, SQLAlchemy's reflection, Alembic's
    comparison)."""
    if not isinstance(key, exp.Ordered):
        return 0
    return (1 if key.args.get("desc") else 0) | (2 if key.args.get("nulls_first") else 0)
