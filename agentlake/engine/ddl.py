"""CREATE / DROP / ALTER for tables and indexes, DROP VIEW (CREATE VIEW: :mod:`.view_ddl`)."""

from __future__ import annotations

import itertools
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from sqlglot import exp

from catalog import ROWID
from catalog.constraints import Constraint, foreign_keys_to, unique_keys
from catalog.objects import FIELD_ID

from ..errors import DataError, NotSupportedError, ProgrammingError
from ..executors.local.result_types import restore_types
from ..results import Result
from ..sql.dialect import IDENTITY_SEQUENCE
from ..sql.enum_types import enum_of
from ..sql.pg_deparse import default_text, type_text
from ..sql.rules.postgres_spellings import is_volatile
from ..sql.types import TYPE_KEY, arrow_type, character_metadata
from ..vector.index_cache import vector_indexes
from ..vector.index_ddl import little_data_notice, stored_definition
from . import frontend
from .table_likes import expand_likes
from .temporary_tables import on_commit
from .view_dependencies import drop_dependent_views

if TYPE_CHECKING:
    from .session import Session

SERIAL_TYPES = {
    exp.DataType.Type.SERIAL: pa.int32(),
    exp.DataType.Type.BIGSERIAL: pa.int64(),
    exp.DataType.Type.SMALLSERIAL: pa.int16(),
}


def table_name(node: exp.Expression) -> str:
    table = node if isinstance(node, exp.Table) else node.find(exp.Table)
    if table is None:
        raise ProgrammingError("statement names no table", sqlstate="42601")
    schema = table.args.get("db")
    if schema is not None and schema.name.lower() not in ("public",):
        raise ProgrammingError(f'schema "{schema.name}" does not exist', sqlstate="3F000")
    return table.name


def sequence_counter(manifest, column: str) -> str:
    """The repository counter behind a serial column's sequence. Tables created since sequences
    became per table key it by the table's identity, so a table created again counts from 1 (as in
    PostgreSQL); older tables keep the repository-wide counter of the sequence's name. Either way
    the counter is the repository's, so branches never hand out the same value. TRUNCATE ...
    RESTART IDENTITY starts a new counter for the table (its ``sequence_epoch``, kept in the
    manifest), so the restart is the transaction's and the branch's, as a table's rows are."""
    constraints = manifest.constraints or {}
    sequence = constraints["identity"][column]
    epoch = constraints.get("sequence_epoch")
    if constraints.get("sequences") != "per_table" and epoch is None:
        return sequence
    return f"{sequence}.{manifest.table_id}" + (f".{epoch}" if epoch is not None else "")


def identity_steps(constraint: exp.GeneratedAsIdentityColumnConstraint) -> tuple[int, int]:
    """An identity column's ``(START WITH s INCREMENT BY i)``, as (s, i): 22023 for an increment of
    zero, 0A000 for what its counter cannot do (a descending sequence, MINVALUE, MAXVALUE, CYCLE)."""
    if any(constraint.args.get(option) for option in ("minvalue", "maxvalue", "cycle")):
        raise NotSupportedError("identity sequence options MINVALUE, MAXVALUE and CYCLE are not supported")
    steps = []
    for option in ("start", "increment"):
        value = constraint.args.get(option)
        text = value.sql(dialect="postgres") if value is not None else "1"
        try:
            steps.append(int(text))
        except ValueError:
            raise ProgrammingError(f"invalid {option.upper()} value: {text}", sqlstate="42601") from None
    start, increment = steps
    if increment == 0:
        raise DataError("INCREMENT must not be zero", sqlstate="22023")
    if increment < 0 or start < 1:
        raise NotSupportedError("descending identity sequences (a negative INCREMENT or START) are not supported")
    return start, increment


def sequence_steps(manifest, column: str) -> tuple[int, int]:
    """The START and INCREMENT of a serial or identity column's sequence."""
    start, increment = ((manifest.constraints or {}).get("sequence_steps") or {}).get(column, (1, 1))
    return int(start), int(increment)


def next_serials(session: "Session", manifest, column: str, count: int) -> np.ndarray:
    """``count`` values of a serial column's sequence; the last is the session's ``currval``. The
    counter moves by INCREMENT per value, from 1; a value is the counter's less 1, plus START."""
    start, increment = sequence_steps(manifest, column)
    first = session.repo.nextval(sequence_counter(manifest, column), count * increment) + start - 1
    values = np.arange(first, first + count * increment, increment)
    if count:
        session.sequence_values.taken(manifest.constraints["identity"][column], int(values[-1]))
    return values


def relation_names(tx) -> set[str]:
    """Names an index cannot take: tables, views, the indexes of primary keys and UNIQUE
    constraints, and other indexes."""
    return (
        set(tx.tables)
        | set(tx.views)
        | {c.name for t, m in tx.tables.items() for c in unique_keys(m, t)}
        | {name for m in tx.tables.values() for name in m.indexes}
    )


def new_index_name(tx, table: str, columns: list[str]) -> str:
    """PostgreSQL's choice for an unnamed index: table_columns_idx, else idx1, idx2... past the
    names of relations that already exist."""
    taken = relation_names(tx)
    base = f"{table}_{'_'.join(columns)}_idx"
    return next(
        name for name in itertools.chain([base], (f"{base}{n}" for n in itertools.count(1))) if name not in taken
    )


def index_name_free(session: "Session", tx, name: str, if_not_exists: bool) -> bool:
    """Whether a new index may take ``name``: False when a relation has it and IF NOT EXISTS says
    to skip (a NOTICE, as in PostgreSQL), 42P07 without it."""
    if name not in relation_names(tx):
        return True
    if if_not_exists:
        session.notice(f'relation "{name}" already exists, skipping')
        return False
    raise ProgrammingError(f'relation "{name}" already exists', sqlstate="42P07")


def _storable(name: str, dtype: pa.DataType) -> None:
    """Parquet has no month/day/nanosecond interval: such a column is refused up front (0A000), not
    at its first write."""
    if pa.types.is_interval(dtype):
        raise NotSupportedError(
            f'column "{name}": interval columns are not supported yet',
            sqlstate="0A000",
            hint="Store the interval as text or its length in seconds; interval values work in queries.",
        )


def _column(defn: exp.ColumnDef, table: str, enums: dict[str, list[str]]) -> tuple[pa.Field, dict]:
    """An Arrow field plus the constraint facts the manifest keeps about it; ``enums``: the branch's
    enum types."""
    name = defn.name
    kind = defn.args.get("kind")
    facts: dict = {}
    if kind is None:
        raise ProgrammingError(f'column "{name}" needs a type', sqlstate="42601")
    if kind.this in SERIAL_TYPES:
        dtype, metadata = SERIAL_TYPES[kind.this], {}
        facts["identity"] = f"{table}_{name}_seq"
        facts["not_null"] = True
    else:
        dtype, metadata = arrow_type(kind, enums)
        metadata = {**metadata, **character_metadata(kind)}
        _storable(name, dtype)
        if kind.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR) and kind.expressions:
            facts["max_length"] = int(kind.expressions[0].name)
    for constraint in defn.args.get("constraints") or []:
        ckind = constraint.args.get("kind")
        if isinstance(ckind, exp.PrimaryKeyColumnConstraint):
            facts["primary_key"] = True
        elif isinstance(ckind, exp.NotNullColumnConstraint):
            if not ckind.args.get("allow_null"):
                facts["not_null"] = True
        elif isinstance(ckind, exp.DefaultColumnConstraint):
            stored = default_text(ckind.this, type_text(kind, modifiers=False))
            if stored is not None:  # DEFAULT NULL is no default, as in PostgreSQL
                facts["default"] = stored
        elif isinstance(ckind, exp.ComputedColumnConstraint):  # GENERATED ALWAYS AS (expr) STORED
            facts["generated"] = ckind.this.sql(dialect="postgres")
        elif isinstance(ckind, exp.GeneratedAsIdentityColumnConstraint):
            facts["identity"] = ckind.meta.get(IDENTITY_SEQUENCE) or f"{table}_{name}_seq"
            facts["identity_kind"] = "a" if ckind.this else "d"  # pg_attribute.attidentity: ALWAYS, BY DEFAULT
            facts["not_null"] = True
            steps = identity_steps(ckind)
            if steps != (1, 1):
                facts["sequence_steps"] = list(steps)
    nullable = not (facts.get("not_null") or facts.get("primary_key"))
    return pa.field(name, dtype, nullable=nullable, metadata=metadata or None), facts


def create_table(session: "Session", stmt: exp.Create) -> Result:
    schema_node = stmt.this
    name = table_name(schema_node)
    tx = session.write_tx()
    if name in tx.views:
        raise ProgrammingError(f'relation "{name}" already exists', sqlstate="42P07")
    if name in tx.types:  # a table's row type would take the enum type's name
        raise ProgrammingError(f'type "{name}" already exists', sqlstate="42710")
    temporary = on_commit(stmt)
    if temporary is None and stmt.find(exp.OnCommitProperty):
        raise ProgrammingError("ON COMMIT can only be used on temporary tables", sqlstate="42P16")
    existed = name in tx.tables
    result = _create_table_as(session, stmt, name) if stmt.expression is not None else _create_table(session, stmt)
    if temporary is not None and not existed and name in tx.tables:
        session.temporary_tables.created(session.branch, name, temporary)
    return result


COLUMN_FACTS = ("identity", "identity_kind", "sequence_steps", "max_length", "generated")
"""What :func:`_column` learns of a column that a table's constraints keep under the column's name
(beside its default, which callers check before keeping)."""


def keep_column_facts(constraints: dict, column: str, facts: dict) -> None:
    """Keep, in ``constraints``, what ``facts`` says of ``column`` (each map it touches copied, so a
    manifest's own maps are never changed in place)."""
    for key in COLUMN_FACTS:
        if facts.get(key):
            constraints[key] = {**constraints.get(key, {}), column: facts[key]}


def _create_table(session: "Session", stmt: exp.Create) -> Result:
    schema_node = stmt.this
    name = table_name(schema_node)
    tx = session.write_tx()
    from .constraint_ddl import column_constraints, complete, is_table_constraint, parse_constraint

    fields, declared = [], []
    constraints = {"defaults": {}, "identity": {}, "max_length": {}, "sequences": "per_table"}
    expand_likes(schema_node, tx)
    for item in schema_node.expressions:
        if isinstance(item, exp.ColumnDef):
            field, facts = _column(item, name, tx.types)
            fields.append(field)
            declared += column_constraints(item)
            if "default" in facts:
                constraints["defaults"][field.name] = facts["default"]
                if enum_of(field) is not None:  # a label the type lacks fails here, as in PostgreSQL
                    session.evaluate_default(facts["default"], field)
            keep_column_facts(constraints, field.name, facts)
        elif is_table_constraint(item):
            declared.append(parse_constraint(item, None))
        else:
            raise NotSupportedError(f"table element not supported: {item.sql(dialect='postgres')}")
    schema = pa.schema(fields)
    if name in tx.tables and stmt.args.get("exists"):
        session.notice(f'relation "{name}" already exists, skipping')
        return Result(None, 0, "CREATE TABLE")
    declared = complete(declared, name, schema, tx.tables, relation_names(tx))
    primary_key = next((list(c.columns) for c in declared if c.type == "p"), [])
    constraints["list"] = [c.to_json() for c in declared]
    created = tx.create_table(
        name, pa.schema(fields), primary_key, constraints, if_not_exists=bool(stmt.args.get("exists"))
    )
    if not created:
        session.notice(f'relation "{name}" already exists, skipping')
    return Result(None, 0, "CREATE TABLE")


def _create_table_as(session: "Session", stmt: exp.Create, name: str) -> Result:
    """The query's columns keep the types they have in PostgreSQL (jsonb, uuid, an enum type),
    which DataFusion's answer forgets."""
    query = stmt.expression.copy()
    rows = restore_types(session.query_arrow(stmt.expression), session.snapshot, query)
    for f in rows.schema:
        _storable(f.name, f.type)
    tx = session.write_tx()
    created = tx.create_table(name, rows.schema, (), None, if_not_exists=bool(stmt.args.get("exists")))
    if created:
        tx.append(name, rows)
    return Result(None, rows.num_rows, f"SELECT {rows.num_rows}")


def drop(session: "Session", stmt: exp.Drop) -> Result:
    kind = (stmt.args.get("kind") or "").upper()
    if_exists = bool(stmt.args.get("exists"))
    names = [t.name for t in (stmt.args.get("tables") or [stmt.this])]
    tx = session.write_tx()
    cascade = bool(stmt.args.get("cascade"))
    if kind in ("TABLE", "VIEW"):
        present = [n for n in names if n in (tx.views if kind == "VIEW" else tx.tables)]
        what = f"{kind.lower()} {present[0]}" if present else ""
        drop_dependent_views(session, tx, set(present), cascade, what)
    if kind == "TABLE":
        from .constraint_ddl import drop_references
        from .sequence_ddl import drop_owned

        for name in names:
            if name in tx.views:
                raise ProgrammingError(f'"{name}" is not a table; use DROP VIEW', sqlstate="42809")
            drop_references(session, tx, name, set(names), cascade)
            if not tx.drop_table(name, if_exists=if_exists):
                session.notice(f'table "{name}" does not exist, skipping')
            drop_owned(tx, name)
            session.temporary_tables.dropped(session.branch, name)
        return Result(None, 0, "DROP TABLE")
    if kind == "VIEW":
        views = dict(tx.views)
        for name in names:
            if name not in views:
                if if_exists:
                    continue
                raise ProgrammingError(f'view "{name}" does not exist', sqlstate="42P01")
            del views[name]
        tx.set_views(views)
        return Result(None, 0, "DROP VIEW")
    if kind == "INDEX":
        from .index_statements import drop_index

        return drop_index(session, names, if_exists)
    if kind == "TYPE":
        from .enum_ddl import drop_types

        return drop_types(session, names, if_exists, cascade)
    if kind == "SEQUENCE":
        from .sequence_ddl import drop_sequences

        return drop_sequences(session, names, if_exists)
    raise NotSupportedError(f"DROP {kind} is not supported")


def alter(session: "Session", stmt: exp.Alter) -> Result:
    from .constraint_ddl import add_constraint, alter_column, drop_column, drop_constraint, rename_column

    name = table_name(stmt.this)
    tx = session.write_tx()
    if stmt.args.get("exists") and name not in tx.tables:  # ALTER TABLE IF EXISTS
        session.notice(f'relation "{name}" does not exist, skipping')
        return Result(None, 0, "ALTER TABLE")
    tx.manifest(name)
    for action in stmt.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef):
            if action.args.get("exists") and action.name in tx.manifest(name).schema.names:
                session.notice(f'column "{action.name}" of relation "{name}" already exists, skipping')
                continue
            _add_column(session, tx, name, action)
        elif isinstance(action, exp.AddConstraint):
            for node in action.expressions:
                add_constraint(session, tx, name, node, bool(stmt.args.get("not_valid")))
        elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "CONSTRAINT":
            for constraint in action.args.get("tables") or [action.this]:
                drop_constraint(
                    session,
                    tx,
                    name,
                    constraint.name,
                    bool(action.args.get("exists")),
                    bool(action.args.get("cascade") or stmt.args.get("cascade")),
                )
        elif isinstance(action, exp.AlterColumn):
            alter_column(session, tx, name, action)
        elif isinstance(action, exp.RenameColumn):
            rename_column(tx, name, action.this.name, action.args["to"].name)
        elif isinstance(action, exp.AlterRename):
            _keep_primary_key_name(tx, name)
            tx.rename_table(name, action.this.name)
            from .sequence_ddl import follow_renamed_table  # it imports modules that import this one

            follow_renamed_table(tx, name, action.this.name)
            session.temporary_tables.renamed(session.branch, name, action.this.name)
            name = action.this.name
        elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
            for column in action.args.get("tables") or [action.this]:
                if action.args.get("exists") and column.name not in tx.manifest(name).schema.names:
                    session.notice(f'column "{column.name}" of relation "{name}" does not exist, skipping')
                    continue
                drop_column(tx, name, column.name, bool(action.args.get("cascade")))
        else:
            raise NotSupportedError(f"ALTER TABLE action not supported: {action.sql(dialect='postgres')}")
    return Result(None, 0, "ALTER TABLE")


def _keep_primary_key_name(tx, table: str) -> None:
    """A renamed table's primary key keeps the name it had (``<old name>_pkey``), as PostgreSQL's
    constraints and indexes keep theirs; the catalog names an unnamed key after the table."""
    manifest = tx.manifest(table)
    listed = (manifest.constraints or {}).get("list", [])
    if manifest.primary_key and not any(c.get("type") == "p" for c in listed):
        key = Constraint(f"{table}_pkey", "p", tuple(manifest.primary_key)).to_json()
        tx.alter_table(table, constraints={**manifest.constraints, "list": [key, *listed]})


def _add_column(session: "Session", tx, table: str, definition: exp.ColumnDef) -> None:
    """ADD COLUMN without rewriting data: rows that predate it read the default (PostgreSQL's fast
    default). NOT NULL holds once they do: a column without a default over rows already there is
    refused (23502), as in PostgreSQL."""
    from .constraint_ddl import add_parsed, column_constraints, require_no_nulls

    field, facts = _column(definition, table, tx.types)
    if "generated" in facts:  # its value for the rows already there would have to be computed
        raise NotSupportedError("ALTER TABLE ... ADD COLUMN ... GENERATED ALWAYS AS (...) STORED is not supported")
    tx.add_column(table, field)
    for constraint in column_constraints(definition):
        add_parsed(session, tx, table, constraint, False)
    manifest = tx.manifest(table)
    constraints = {**manifest.constraints}
    written = "identity" in facts  # rows already there take the sequence's first values, as PostgreSQL fills them
    if "default" in facts:
        constraints["defaults"] = {**constraints.get("defaults", {}), field.name: facts["default"]}
        written = written or _keep_fast_default(session, constraints, manifest, field, facts["default"])
    keep_column_facts(constraints, field.name, facts)
    if constraints != manifest.constraints:
        tx.alter_table(table, constraints=constraints)
    if written:
        _write_default(session, tx, table, field)
    if not field.nullable:  # the catalog adds every column nullable
        require_no_nulls(tx, table, field.name)
        schema = tx.manifest(table).schema
        index = schema.get_field_index(field.name)
        tx.alter_table(table, schema=schema.set(index, schema.field(index).with_nullable(False)))


def _keep_fast_default(session: "Session", constraints: dict, manifest, field: pa.Field, default: str) -> bool:
    """Keep ADD COLUMN's default for the rows already there in ``constraints`` where the catalog can
    (:func:`_fast_default`); True when those rows must be written instead: a volatile default gives
    each a value of its own (random(), gen_random_uuid()), and some values the catalog cannot keep."""
    if is_volatile(frontend.parse_expression(default)):
        return True
    value = session.evaluate_default(default, field)
    value = value.as_py() if isinstance(value, pa.Scalar) else value
    stored = _fast_default(value, field)
    if stored is not None:
        added = manifest.schema.field(field.name).metadata[b"agentlake.field_id"].decode()
        constraints["missing"] = {**constraints.get("missing", {}), added: stored}
    return value is not None and stored is None


def _write_default(session: "Session", tx, table: str, field: pa.Field) -> None:
    """The new column's default written into the rows already there."""
    from .dml import default_column

    rows = tx.snapshot.read(table, with_rowid=True).sort_by(ROWID)
    if rows.num_rows:
        values = default_column(session, tx.manifest(table), field, rows.num_rows)
        tx.put_rows(table, rows.set_column(rows.schema.get_field_index(field.name), field.name, values))


def _fast_default(value, field: pa.Field) -> bool | int | float | str | None:
    """ADD COLUMN's default as the catalog keeps it for the rows that predate the column, which
    their readers cast to the column's type: a number, boolean or text of a plain column of that
    kind (a numeric as its text); None for the rest (dates, arrays, vectors...), which are written
    into those rows instead."""
    kind = field.type
    if (field.metadata or {}).get(TYPE_KEY) or isinstance(value, bool) != pa.types.is_boolean(kind):
        return None
    if isinstance(value, str):
        return value if pa.types.is_string(kind) else None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() and pa.types.is_decimal(kind) else None
    plain_number = pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)
    return value if isinstance(value, (int, float)) and plain_number else None


def comment(session: "Session", stmt: exp.Comment) -> Result:
    """COMMENT ON TABLE t / COLUMN t.c IS 'text' (or NULL, which removes it). The manifest keeps
    them by field id, so a column's comment follows it through a rename; pg_description,
    obj_description and col_description read them."""
    target = stmt.this
    tx = session.write_tx()
    if isinstance(target, exp.Column):
        name = target.table
        manifest = tx.manifest(name)
        if target.name not in manifest.schema.names:
            raise ProgrammingError(f'column "{target.name}" of relation "{name}" does not exist', sqlstate="42703")
        key = manifest.schema.field(target.name).metadata[FIELD_ID].decode()
    else:
        name = table_name(target)
        manifest, key = tx.manifest(name), ""
    comments = dict((manifest.constraints or {}).get("comments", {}))
    text = stmt.expression
    if isinstance(text, exp.Null) or (isinstance(text, exp.Literal) and text.this == ""):
        comments.pop(key, None)  # an empty comment removes it too, as in PostgreSQL
    else:
        comments[key] = text.this
    tx.alter_table(name, constraints={**manifest.constraints, "comments": comments})
    return Result(None, 0, "COMMENT")


def _truncated(session: "Session", tx, names: list[str], cascade: bool) -> list[str]:
    """The tables TRUNCATE empties: those named and, with CASCADE, every table referencing one of
    them, however indirectly (each with PostgreSQL's NOTICE). Without CASCADE a table referenced
    from outside the list is 0A000, as PostgreSQL refuses it, however empty the referencing one."""
    out = list(dict.fromkeys(names))
    for name in out:  # grows as it goes: what a cascaded table's referencing tables are comes next
        tx.manifest(name)  # 42P01 for a table that is not there
        for child, _constraint in foreign_keys_to(tx.tables, name):
            if child in out:
                continue
            if not cascade:
                raise NotSupportedError(
                    "cannot truncate a table referenced in a foreign key constraint",
                    sqlstate="0A000",
                    detail=f'Table "{child}" references "{name}".',
                    hint=f'Truncate table "{child}" at the same time, or use TRUNCATE ... CASCADE.',
                )
            session.notice(f'truncate cascades to table "{child}"')
            out.append(child)
    return out


def truncate(session: "Session", stmt: exp.TruncateTable) -> Result:
    """Empties each table; PostgreSQL rebuilds its indexes empty, so an ivfflat one gives pgvector's
    NOTICE about too little data, as CREATE INDEX on an empty table does. RESTART IDENTITY makes
    the tables' serial and identity columns count from 1 again (:func:`sequence_counter`); CASCADE
    empties the tables referencing them too (:func:`_truncated`)."""
    tx = session.write_tx()
    cascade = str(stmt.args.get("option") or "").upper() == "CASCADE"
    for name in _truncated(session, tx, [table_name(t) for t in stmt.expressions], cascade):
        tx.delete_where(name)
        manifest = tx.manifest(name)
        if str(stmt.args.get("identity") or "").upper() == "RESTART" and (manifest.constraints or {}).get("identity"):
            tx.alter_table(name, constraints={**manifest.constraints, "sequence_epoch": secrets.token_hex(8)})
            manifest = tx.manifest(name)
        for index, spec in vector_indexes(manifest).items():
            notice = little_data_notice(manifest, stored_definition(index, spec))
            if notice is not None:
                session.notice(notice)
    return Result(None, 0, "TRUNCATE TABLE")
