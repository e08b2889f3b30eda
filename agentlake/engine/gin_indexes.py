"""GIN indexes for full-text search and jsonb: ``CREATE INDEX ... USING gin (tsv)``,
``USING gin (to_tsvector('english', body))`` (also over an expression such as ``doc->>'text'``),
the index every PostgreSQL full-text guide (and mem0, LlamaIndex) creates, and
``USING gin (meta [jsonb_ops | jsonb_path_ops])`` on a jsonb column (LangChain's PGVector).

As with B-tree indexes (``btree_indexes``), no plan here reads one: ``@@`` filters evaluate the
query on each row, which gives the same answer. The index is a catalog entry (``pg_indexes``,
psql's ``\\d``, ``DROP INDEX``), checked as PostgreSQL checks it: the key must be a tsvector or
jsonb column or a to_tsvector expression over the table's columns.
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
    keys = [
        key.this if isinstance(key, exp.Ordered) else key for key in stmt.this.args["params"].args.get("columns") or []
    ]
    if len(keys) != 1:
        raise NotSupportedError("GIN indexes on more than one key are not supported")
    return keys[0]


def _check_column(schema, name: str) -> None:
    if schema.get_field_index(name) < 0:
        raise ProgrammingError(f'column "{name}" does not exist', sqlstate="42703")


JSONB_OPCLASSES = ("jsonb_ops", "jsonb_path_ops")


def _type_of(schema, name: str) -> bytes:
    return (schema.field(name).metadata or {}).get(TYPE_KEY) or b"text"


def _key_text(key: exp.Expression, schema) -> tuple[str, str]:
    """(the key as pg_get_indexdef prints it, the name part PostgreSQL gives an unnamed index)."""
    if isinstance(key, exp.Opclass):  # jsonb's two classes; pgvector's classes, or any other, are not GIN's
        opclass = key.expression.name.lower()
        column = key.this
        if opclass in JSONB_OPCLASSES and isinstance(column, exp.Column):
            _check_column(schema, column.name)
            if _type_of(schema, column.name) != b"jsonb":
                raise ProgrammingError(
                    f'operator class "{opclass}" does not accept data type {_type_of(schema, column.name).decode()}',
                    sqlstate="42804",
                )
            return column.name, column.name
        raise ProgrammingError(
            f'operator class "{key.expression.name}" does not exist for access method "gin"', sqlstate="42704"
        )
    if isinstance(key, exp.Column):
        _check_column(schema, key.name)
        if _type_of(schema, key.name) not in (b"tsvector", b"jsonb"):
            raise ProgrammingError(
                f"data type {_type_of(schema, key.name).decode()} has no default operator class "
                'for access method "gin"',
                sqlstate="42704",
            )
        return key.name, key.name
    if isinstance(key, exp.Anonymous) and key.name.lower() == "to_tsvector" and len(key.expressions) == 2:
        config, text = key.expressions
        if isinstance(config, exp.Cast):
            config = config.this
        if not (isinstance(config, exp.Literal) and config.is_string):
            raise NotSupportedError("a GIN expression index must be to_tsvector('<configuration>', expression)")
        from ..executors.local.fulltext.config import config_name

        config_name(config.this)
        for column in text.find_all(exp.Column):
            _check_column(schema, column.name)
        return f"to_tsvector('{config.this}'::regconfig, {text.sql(dialect='postgres')})", "to_tsvector"
    if isinstance(key, exp.Anonymous) and key.name.lower() == "to_tsvector":
        raise ProgrammingError("functions in index expression must be marked IMMUTABLE", sqlstate="42P17")
    raise NotSupportedError(
        "GIN indexes are supported on tsvector and jsonb columns and to_tsvector('<configuration>', expression)"
    )


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
    spec = {"method": METHOD, "columns": [key], "unique": False}
    if isinstance(_key(stmt), exp.Opclass):  # jsonb_path_ops, named again by pg_get_indexdef
        spec["opclass"] = _key(stmt).expression.name.lower()
    tx.alter_table(table, indexes={**manifest.indexes, name: spec})
    return Result(None, 0, "CREATE INDEX")
