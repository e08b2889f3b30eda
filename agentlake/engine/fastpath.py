"""Primary-key point lookups without planning (docs/ARCHITECTURE.md, "Decisions").

``SELECT cols FROM t WHERE pk = const`` is what agents run most. Planning it in
DataFusion costs milliseconds; the catalog's cached key maps answer it in
microseconds. Anything else, or anything doubtful, returns None and takes the
planned path, whose answers the tests compare this one against.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog.datafiles import missing_column
from catalog.objects import FIELD_ID, ROWID

from ..errors import DataError
from ..sql.integer_arithmetic import fits_width
from ..sql.literals import NOT_CONSTANT, constant
from ..sql.params import parse_statements, placeholder_number
from ..sql.uuid_input import canonical_uuid, is_uuid_field

if TYPE_CHECKING:
    from catalog import Manifest

    from .session import Session

_DISQUALIFYING = ("joins", "group", "having", "order", "distinct", "windows", "qualify", "offset", "with_", "with")


def _equalities(where: exp.Expression, alias: str, params: Sequence | None = None) -> dict[str, object] | None:
    """Column = constant conjuncts, or None if the predicate has any other shape. With ``params``, the
    tree is unbound and a placeholder stands for its parameter (see :func:`_value`)."""
    found: dict[str, object] = {}
    for conjunct in where.flatten() if isinstance(where, exp.And) else [where]:
        if not isinstance(conjunct, exp.EQ):
            return None
        left, right = conjunct.this, conjunct.expression
        if isinstance(right, exp.Column):
            left, right = right, left
        if not isinstance(left, exp.Column) or (left.table and left.table != alias):
            return None
        value = constant(right) if params is None else _value(right, params)
        if value is NOT_CONSTANT or value is None or left.name in found:
            return None
        found[left.name] = value
    return found


def _outputs(select: exp.Select, manifest: "Manifest", alias: str) -> list[tuple[str, str]] | None:
    """(source column, output name) pairs for plain column lists and *."""
    out = []
    for node in select.expressions:
        if isinstance(node, exp.Star):
            out.extend((f.name, f.name) for f in manifest.schema)
            continue
        name = node.alias if isinstance(node, exp.Alias) else None
        inner = node.this if isinstance(node, exp.Alias) else node
        if isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star) and inner.table in ("", alias):
            out.extend((f.name, f.name) for f in manifest.schema)
        elif (
            isinstance(inner, exp.Column)
            and inner.table in ("", alias)
            and manifest.schema.get_field_index(inner.name) >= 0
        ):
            out.append((inner.name, name or inner.name))
        else:
            return None
    return out


def _value(node: exp.Expression, params: Sequence):
    """A node of an unbound tree as a constant: a placeholder's text or integer parameter as is (what
    binding it would give a key lookup), any other parameter ``NOT_CONSTANT`` (left to binding)."""
    index = placeholder_number(node)
    if index is None:
        return constant(node)
    value = params[index - 1] if 0 < index <= len(params) else NOT_CONSTANT
    return value if type(value) in (str, int) else NOT_CONSTANT


_CONSTANT_TYPES = {int: pa.int64(), str: pa.string(), bool: pa.bool_()}


def constant_select(stmt: exp.Expression) -> pa.Table | None:
    """``SELECT 1``, ``SELECT 'x' AS a``: clients send these to check a connection; no plan is needed."""
    if not isinstance(stmt, exp.Select) or {k for k, v in stmt.args.items() if v} - {"expressions"}:
        return None
    fields, arrays = [], []
    for node in stmt.expressions:
        alias = node.alias if isinstance(node, exp.Alias) else None
        value = constant(node.this if isinstance(node, exp.Alias) else node)
        dtype = pa.null() if value is None else _CONSTANT_TYPES.get(type(value))
        if value is NOT_CONSTANT or dtype is None or (isinstance(value, int) and not fits_width(value, 64)):
            return None
        if type(value) is int and fits_width(value, 32):
            dtype = pa.int32()  # an integer constant is int4 where it fits, as PostgreSQL types it
        fields.append(pa.field(alias or "?column?", dtype, nullable=value is None))
        arrays.append(pa.array([value], dtype))
    if len({f.name for f in fields}) != len(fields):
        return None
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


class _NotInMemory(Exception):
    """A lookup asked to stay in memory needs a file read."""


@functools.lru_cache(maxsize=256)
def constant_answer(sql: str) -> pa.Table | None:
    """:func:`constant_select` of a statement sent without parameters, worked out once per text
    (``SELECT 1`` is how pools check their connections)."""
    statements = parse_statements(sql)
    return constant_select(statements[0]) if len(statements) == 1 else None


def point_lookup(
    session: "Session", stmt: exp.Expression, cached_only: bool = False, params: Sequence | None = None
) -> pa.Table | None:
    """The rows of a primary-key equality SELECT, or None for any other statement.

    ``cached_only`` also answers None when a file would have to be read, so the
    call never blocks (servers try it on their event loop). ``params``: ``stmt`` is the
    statement cache's unbound tree (read, never copied or changed) and these are its
    parameters; a key that is not a text or integer parameter leaves it to the bound path."""
    if not isinstance(stmt, exp.Select) or any(stmt.args.get(k) for k in _DISQUALIFYING):
        return None
    source = stmt.args.get("from_") or stmt.args.get("from")
    where = stmt.args.get("where")
    if source is None or where is None or not isinstance(source.this, exp.Table) or source.this.args.get("db"):
        return None
    snapshot = session.snapshot
    manifest = snapshot.tables.get(source.this.name)
    if manifest is None or not manifest.primary_key or source.this.name in snapshot.views:
        return None
    alias = source.this.alias_or_name
    equalities = _equalities(where.this, alias, params)
    if equalities is None or set(equalities) != set(manifest.primary_key):
        return None
    outputs = _outputs(stmt, manifest, alias)
    limit = stmt.args.get("limit")
    if outputs is None or (limit is not None and constant(limit.expression) is NOT_CONSTANT):
        return None
    key = _coerce_key(manifest, equalities)
    if key is None:
        return None
    try:
        row = _find(session, manifest, key, cached_only)
    except _NotInMemory:
        return None
    schema = pa.schema([manifest.schema.field(src).with_name(out).with_nullable(True) for src, out in outputs])
    if row is None or (limit is not None and int(constant(limit.expression)) <= 0):
        return schema.empty_table()
    entry_table, position, entry = row
    arrays = []
    for src, _ in outputs:
        stored = entry.columns.get(int(manifest.schema.field(src).metadata[FIELD_ID]))
        field = manifest.schema.field(src)
        if stored is None:
            arrays.append(missing_column(manifest, field, 1))  # the file predates the column
        else:
            value = entry_table.column(stored).slice(position, 1)
            arrays.append(value if value.type == field.type else value.cast(field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def row_by_key(session: "Session", manifest: "Manifest", alias: str, where: exp.Expression | None) -> pa.Table | None:
    """The live row a WHERE of primary-key equalities names, with every column and its rowid (no
    rows when no row has the key), or None when the WHERE has any other shape.

    UPDATE and DELETE by key use it to touch the one row they change instead of planning a scan
    of the table; ``manifest`` is the writing transaction's, so its own earlier writes count."""
    if where is None or not manifest.primary_key:
        return None
    equalities = _equalities(where.this, alias)
    if equalities is None or set(equalities) != set(manifest.primary_key):
        return None
    key = _coerce_key(manifest, equalities)
    if key is None:
        return None
    found = _find(session, manifest, key, cached_only=False)
    return _rows_table(manifest, [] if found is None else [found])


def rows_by_keys(session: "Session", manifest: "Manifest", keys: list) -> tuple[dict, pa.Table]:
    """Primary key -> rowid of the live rows holding ``keys`` (as ``key_tuples`` spells them), and
    those rows with every column and their rowid.

    ON CONFLICT on the primary key uses it: a few incoming rows are looked up in the cached key
    maps instead of building the map of every live key and joining the whole table."""
    rowids: dict = {}
    found = []
    for key in dict.fromkeys(keys):
        hit = _find(session, manifest, key, cached_only=False)
        if hit is not None:
            table, position, _ = hit
            rowids[key] = table.column(ROWID)[position].as_py()
            found.append(hit)
    return rowids, _rows_table(manifest, found)


def _rows_table(manifest: "Manifest", found: list) -> pa.Table:
    """The rows ``_find`` located, in the table's current schema plus their rowid."""
    schema = pa.schema([f.with_nullable(True) for f in manifest.schema] + [pa.field(ROWID, pa.int64())])
    if not found:
        return schema.empty_table()
    parts = []
    for table, position, entry in found:
        arrays = []
        for field in manifest.schema:
            stored = entry.columns.get(int(field.metadata[FIELD_ID]))
            if stored is None:
                arrays.append(missing_column(manifest, field, 1))
            else:
                value = table.column(stored).slice(position, 1)
                arrays.append(value if value.type == field.type else value.cast(field.type))
        arrays.append(table.column(ROWID).slice(position, 1))
        parts.append(pa.Table.from_arrays(arrays, schema=schema))
    return parts[0] if len(parts) == 1 else pa.concat_tables(parts)


def _coerce_key(manifest: "Manifest", equalities: dict[str, object]):
    parts = []
    for column in manifest.primary_key:
        field = manifest.schema.field(column)
        value = equalities[column]
        if isinstance(value, str) and is_uuid_field(field):
            try:
                value = canonical_uuid(value)  # stored canonical; text that is no uuid is the planned path's 22P02
            except DataError:
                return None
        if isinstance(value, str) and field.type == pa.string():
            parts.append(value)  # already the key's type; pa.scalar would spend ~0.3 ms inferring it
            continue
        try:
            scalar = pa.scalar(value)
            parts.append((scalar if scalar.type == field.type else scalar.cast(field.type)).as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
            return None
    return parts[0] if len(parts) == 1 else tuple(parts)


def _find(session: "Session", manifest: "Manifest", key, cached_only: bool):
    files = session.repo.files
    for entry in reversed(manifest.files):
        if not entry.live_rows:
            continue
        keys = files.key_index(entry, manifest, cached_only)
        if keys is None:
            raise _NotInMemory
        rowid = keys.get(key)
        if rowid is None or (len(entry.deleted) and rowid in entry.deleted):
            continue
        table = files.table(entry, cached_only)
        if table is None:
            raise _NotInMemory
        return table, int(files.positions(entry, [rowid])[0]), entry
    return None
