"""GIN indexes for full-text search: ``CREATE INDEX ... USING gin (tsv)`` and
``USING gin (to_tsvector('english', body))``, the index every PostgreSQL full-text guide (and
mem0, LlamaIndex) creates.

As with B-tree indexes (``btree_indexes``), no plan here reads one: ``@@`` filters evaluate the
query on each row, which gives the same answer. The index is a catalog entry (``pg_indexes``,
psql's ``\\d``, ``DROP INDEX``), checked as PostgreSQL checks it: the key must be a tsvector
column or a to_tsvector expression over the table's columns.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.types import TYPE_KEY
from .ddl import index_name_free, new_index_name, table_name

if TYPE_CHECKING:
    from .session import Session

METHOD = "gin"


def is_gin_index(stmt: exp.Create) -> bool:
    params = stmt.this.args.get("params")
    using = params.args.get("using") if params is not None else None
    return using is not None and using.name.lower() == METHOD


def _key(stmt: exp.Create) -> exp.Expression:
    keys = [key.this if isinstance(key, exp.Ordered) else key for key in stmt.this.args["params"].args.get("columns") or []]
    if len(keys) != 1:
        raise NotSupportedError("GIN indexes on more than one key are not supported")
    return keys[0]


def _check_column(schema, name: str) -> None:
    if schema.get_field_index(name) < 0:
        raise ProgrammingError(f'column "{name}" does not exist', sqlstate="42703")


def _key_text(key: exp.Expression, schema) -> tuple[str, str]:
    """(the key as pg_get_indexdef prints it, the name part PostgreSQL gives an unnamed index)."""
    if isinstance(key, exp.Opclass):   # pgvector's classes, or any other: GIN here has tsvector_ops only
        raise ProgrammingError(f'operator class "{key.expression.name}" does not exist for access method "gin"',
                               sqlstate="42704")
    if isinstance(key, exp.Column):
        _check_column(schema, key.name)
        field = schema.field(key.name)
        if (field.metadata or {}).get(TYPE_KEY) != b"tsvector":
            type_name = ((field.metadata or {}).get(TYPE_KEY) or b"text").decode()
            raise ProgrammingError(f'data type {type_name} has no default operator class for access method "gin"',
                                   sqlstate="42704")
        return key.name, key.name
    if isinstance(key, exp.Anonymous) and key.name.lower() == "to_tsvector" and len(key.expressions) == 2:
        config, text = key.expressions
        if isinstance(config, exp.Cast):
            config = config.this
        if not (isinstance(config, exp.Literal) and config.is_string) or not isinstance(text, exp.Column):
            raise NotSupportedError("a GIN expression index must be to_tsvector('<configuration>', column)")
        from ..executors.local.fulltext.config import config_name

        config_name(config.this)
        _check_column(schema, text.name)
        return f"to_tsvector('{config.this}'::regconfig, {text.name})", "to_tsvector"
    if isinstance(key, exp.Anonymous) and key.name.lower() == "to_tsvector":
        raise ProgrammingError("functions in index expression must be marked IMMUTABLE", sqlstate="42P17")
    raise NotSupportedError("GIN indexes are supported on tsvector columns and to_tsvector('<configuration>', column)")


def create_gin_index(session: "Session", stmt: exp.Create) -> Result:
    table = table_name(stmt.this.args.get("table") or stmt.this)
    tx = session.write_tx()
    manifest = tx.manifest(table)
    if stmt.args.get("unique"):
        raise ProgrammingError('access method "gin" does not support unique indexes', sqlstate="0A000")
    key, name_part = _key_text(_key(stmt), manifest.schema)
    name = stmt.this.name or new_index_name(tx, table, [name_part])
    if not index_name_free(session, tx, name, bool(stmt.args.get("exists"))):
        return Result(None, 0, "CREATE INDEX")
    tx.alter_table(table, indexes={**manifest.indexes, name: {"method": METHOD, "columns": [key], "unique": False}})
    return Result(None, 0, "CREATE INDEX")
