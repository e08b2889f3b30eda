"""CREATE INDEX, REINDEX and DROP INDEX for vector indexes: the statements, over the vector
package's definitions and builds (B-tree indexes are ``btree_indexes``')."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import ProgrammingError
from ..results import Result
from ..vector.index_cache import vector_indexes
from ..vector.index_ddl import build_files, definition_from_ast, little_data_notice, stored_definition
from .btree_indexes import drop_scalar_index, is_scalar_spec
from .ddl import index_name_free, new_index_name, table_name

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session


def create_index(session: "Session", stmt: exp.Create) -> Result:
    table = table_name(stmt.this.args.get("table") or stmt.this)
    tx = session.write_tx()
    manifest = tx.manifest(table)
    definition = definition_from_ast(stmt, manifest, table)
    if not definition.name:
        definition = dataclasses.replace(definition, name=new_index_name(tx, table, [definition.column]))
    if not index_name_free(session, tx, definition.name, bool(stmt.args.get("exists"))):
        return Result(None, 0, "CREATE INDEX")
    indexes = {**manifest.indexes, definition.name: definition.to_json()}
    tx.alter_table(table, indexes=indexes)
    if stmt.args.get("concurrently"):
        _build_in_background(session, table, tx.manifest(table), definition)
    else:
        build_files(session.repo, session.notice, tx.manifest(table), definition)
    notice = little_data_notice(tx.manifest(table), definition)
    if notice is not None:
        session.notice(notice)
    return Result(None, 0, "CREATE INDEX")


def _build_in_background(session: "Session", table: str, manifest, definition) -> None:
    """CREATE INDEX CONCURRENTLY returns at once; the build is a job of the repository's queue
    (``agentlake.jobs``), and until it is done a file without its index is searched exactly. Should
    the statement's commit fail, the job's files belong to no index and GC removes them."""
    if session.transaction_status != "idle":
        raise ProgrammingError("CREATE INDEX CONCURRENTLY cannot run inside a transaction block", sqlstate="25001")
    repo = session.repo
    repo.jobs.submit(
        "index build",
        f"{session.branch}: {table} index {definition.name}",
        lambda: build_files(repo, lambda _progress: None, manifest, definition),
    )


def reindex(session: "Session", kind: str, name: str) -> Result:
    """REINDEX INDEX name | TABLE name | SCHEMA public | DATABASE name: build every file's index
    again, overwriting what is stored. A file whose build never finished (it runs after the commit
    that added the file) or whose stored index cannot be read is searched exactly until then."""
    snapshot = session.snapshot
    if kind == "TABLE":
        manifest = snapshot.manifest(name)
        targets = [(manifest, index) for index in vector_indexes(manifest)]
    elif kind in ("SCHEMA", "DATABASE", "SYSTEM"):
        if kind == "SCHEMA" and name.lower() != "public":
            raise ProgrammingError(f'schema "{name}" does not exist', sqlstate="3F000")
        targets = [(m, index) for m in snapshot.tables.values() for index in vector_indexes(m)]
    else:
        if not any(name in m.indexes for m in snapshot.tables.values()):
            raise ProgrammingError(f'index "{name}" does not exist', sqlstate="42704")
        targets = [(m, name) for m in snapshot.tables.values() if name in vector_indexes(m)]
    for manifest, index in targets:
        build_files(
            session.repo, session.notice, manifest, stored_definition(index, manifest.indexes[index]), rebuild=True
        )
    return Result(None, 0, "REINDEX")


def drop_index(session: "Session", names: list[str], if_exists: bool) -> Result:
    tx = session.write_tx()
    for name in names:
        owner = next((t for t, m in tx.tables.items() if name in m.indexes), None)
        if owner is None:
            if if_exists:
                session.notice(f'index "{name}" does not exist, skipping')
                continue
            raise ProgrammingError(f'index "{name}" does not exist', sqlstate="42704")
        _forget(tx, owner, name)
    return Result(None, 0, "DROP INDEX")


def drop_column_indexes(tx: "Transaction", table: str, column: str) -> None:
    """The indexes whose keys read ``column``, dropped with it (as PostgreSQL drops them with the
    column: an index left on a dropped column would name a column the table no longer has)."""
    for name, spec in list(tx.manifest(table).indexes.items()):
        if column in _key_columns(spec):
            _forget(tx, table, name)


def _forget(tx: "Transaction", table: str, name: str) -> None:
    if is_scalar_spec(tx.manifest(table).indexes[name]):
        drop_scalar_index(tx, table, name)  # a UNIQUE index takes its constraint along
        return
    tx.alter_table(table, indexes={k: v for k, v in tx.manifest(table).indexes.items() if k != name})


def _key_columns(spec: dict) -> set[str]:
    """The columns an index's keys read: plain keys by name, expression keys (stored as their text:
    an operator's parenthesised, a function call's with its arguments) by the columns they mention."""
    from .frontend import parse_expression

    keys = spec.get("columns") or [spec.get("column")]
    out = set()
    for key in (k for k in keys if k):
        if "(" in key:
            out |= {c.name for c in parse_expression(key).find_all(exp.Column)}
        else:
            out.add(key)
    return out
