"""INSERT, UPDATE and DELETE on top of catalog transactions.

DataFusion finds the rows (and computes new values); the catalog records what
changed by rowid. Nothing here writes unless every check has passed, so a
failed statement leaves the transaction as it was.
"""

from __future__ import annotations

import contextlib
import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import ROWID
from catalog.changes import live_keys
from catalog.constraint_checks import failing_row_text
from catalog.constraints import unique_keys
from catalog.datafiles import key_has_null, key_tuples
from catalog.keylookup import live_locations

from ..embeddings.generated import refuse_written
from ..errors import DataError, IntegrityError, NotSupportedError, ProgrammingError
from ..executors.local.result_types import normalize, restore_types
from ..media import media_kind
from ..pgcatalog.types import display_name, oid_for_field
from ..results import Result
from ..sql.array_text import array_elements
from ..sql.dialect import OVERRIDING
from ..sql.integer_arithmetic import RANGE_NAMES, fits_width
from ..sql.literals import DEFAULT, Float4Vector, literal_rows
from ..sql.rules.bytea import bytea_input
from ..sql.rules.column_names import output_labels
from ..sql.text_input import read_number_text, read_text
from ..sql.text_output import pg_text, text_array
from ..sql.trees import written_table
from ..sql.types import DIM_KEY, TYPE_KEY, is_sparsevec
from ..tensors.types import tensor_spec
from ..vector.arrays import float4_vector, float4_vectors, vector_text
from . import foreign_keys, identity_columns, row_locks
from .assignment_casts import check_array, check_values
from .assignments import refuse_repeated_insert_columns, set_list
from .ddl import next_serials, table_name
from .fastpath import row_by_key, rows_by_keys
from .generated_columns import fill_generated
from .returning_sources import carried, carried_sql, joined_columns, reading_carried
from .rich_columns import canonical_text, literal_array
from .rich_columns import conform as conform_rich
from .row_assignments import evaluate_assignments

if TYPE_CHECKING:
    from catalog import Manifest

    from .session import Session


def _target(stmt: exp.Expression) -> tuple[str, str, list[str] | None]:
    """Table name, the alias its columns are qualified with, and INSERT's column list."""
    node = written_table(stmt)
    columns = [c.name for c in stmt.this.expressions] if isinstance(stmt.this, exp.Schema) else None
    name = table_name(node)
    return name, node.alias_or_name, columns


def from_rows_table(name: str, alias: str) -> str:
    from ..executors.local.snapshot_tables import ROWS_PREFIX

    return f'"{ROWS_PREFIX}{name}" AS "{alias}"'


# INSERT ------------------------------------------------------------------
def insert(session: "Session", stmt: exp.Insert) -> Result:
    name, alias, columns = _target(stmt)
    tx = session.write_tx()
    manifest = tx.manifest(name)
    source = stmt.expression
    ctes = write_ctes(stmt)
    if ctes is not None and isinstance(source, (exp.Select, exp.SetOperation)):
        source = source.copy()  # WITH ... INSERT ... SELECT: the query reads the CTEs
        source.set("with_", ctes.copy())
    if columns is None:
        width = (
            len(source.expressions[0].expressions)
            if isinstance(source, exp.Values) and source.expressions and isinstance(source.expressions[0], exp.Tuple)
            else len(manifest.schema)
        )
        columns = [f.name for f in manifest.schema][:width]
    unknown = [c for c in columns if manifest.schema.get_field_index(c) < 0]
    if unknown:
        raise ProgrammingError(f'column "{unknown[0]}" of relation "{name}" does not exist', sqlstate="42703")
    refuse_repeated_insert_columns(columns)
    given = [c for i, c in enumerate(columns) if not identity_columns.defaults_only(source, i)]
    refuse_written(given, manifest.constraints)  # a generated column takes DEFAULT only, named or not
    overriding = stmt.meta.get(OVERRIDING)
    identity_columns.refuse_inserted(columns, source, manifest.constraints, overriding)
    if stmt.args.get("default") and source is None:
        incoming = pa.table({"_": pa.nulls(1)}).drop_columns(["_"])
        rows = _complete(session, incoming, manifest, name, num_rows=1)
    else:
        incoming = _source_rows(session, source, columns, manifest)
        incoming = identity_columns.without_user_values(incoming, manifest.constraints, overriding)
        rows = _complete(session, incoming, manifest, name)
    row_locks.lock_keys(session, name, manifest, rows)
    conflict = stmt.args.get("conflict")
    returning = stmt.args.get("returning")
    order = None
    if conflict is not None:
        written, inserted, order = _on_conflict(session, name, alias, manifest, rows, conflict)
    else:
        tx.append(name, rows)
        written, inserted = rows, rows.num_rows
    count = written.num_rows
    if returning and _reads_xmax(returning, alias, written):
        xmax = _xmax(session, inserted, count)
        written = written.append_column("xmax", xmax if order is None else xmax.take(order))
    result_rows = _returning(session, name, alias, written, returning) if returning else None
    return Result(result_rows, count, f"INSERT 0 {count}")


def _reads_xmax(returning: exp.Returning, alias: str, rows: pa.Table) -> bool:
    """Whether RETURNING reads the system column xmax (a table may have a column of that name)."""
    return "xmax" not in rows.column_names and any(
        column.name.lower() == "xmax" and column.table in ("", alias) for column in returning.find_all(exp.Column)
    )


def _xmax(session: "Session", inserted: int, count: int) -> pa.Array:
    """xmax of the rows an INSERT wrote: 0 for those it inserted, the transaction's id for those ON
    CONFLICT DO UPDATE updated (which hold it as their lock), so ``RETURNING (xmax = 0) AS inserted``
    tells them apart as in PostgreSQL."""
    updater = session.transaction_id(assign=True) if count > inserted else 0
    return pa.array([0] * inserted + [updater] * (count - inserted), pa.int64())


def _source_rows(session: "Session", source, columns: list[str], manifest: "Manifest") -> pa.Table:
    if isinstance(source, exp.Values):
        rows = literal_rows(source, len(columns))
        if rows is not None and _bound_vectors_alone(rows):
            return _typed_table(_fill_defaults(session, rows, columns, manifest), columns, manifest)
    query = _quoted_values_typed(source, columns, manifest) if isinstance(source, exp.Values) else source
    table = session.query_arrow(query)
    if table.num_columns != len(columns):
        raise ProgrammingError(
            f"INSERT has {'more' if table.num_columns > len(columns) else 'fewer'} expressions than target columns",
            sqlstate="42601",
        )
    return pa.table({c: _cast(table.column(i), manifest.schema.field(c)) for i, c in enumerate(columns)})


_FLOAT_TYPES = (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)


def _quoted_values_typed(values: exp.Values, columns: list[str], manifest: "Manifest") -> exp.Values:
    """VALUES rows with quoted arrays (``'{a,b}'``) for array columns, and constants (``'NaN'``,
    ``1e15``) for float columns, cast to the column's type, as PostgreSQL reads them: beside
    ``ARRAY['x']`` in another row DataFusion cannot unify text with a list, nor 'NaN' with 1e15."""
    typed = {
        index: exp.DataType.build(display_name(oid_for_field(field)), dialect="postgres")
        for index, field in enumerate(manifest.schema.field(c) for c in columns)
        if (pa.types.is_list(field.type) or pa.types.is_floating(field.type))
        and not (field.metadata or {}).get(TYPE_KEY)
    }
    if not typed:
        return values
    values = values.copy()
    for row in values.expressions:
        cells = row.expressions if isinstance(row, exp.Tuple) else [row]
        for index, to in typed.items():
            cell = cells[index] if index < len(cells) else None
            negative = isinstance(cell, exp.Neg) and isinstance(cell.this, exp.Literal) and not cell.this.is_string
            literal = cell.this if negative else cell
            if isinstance(literal, exp.Literal) and (literal.is_string or to.this in _FLOAT_TYPES):
                # a number for a float column too, from its digits (a decimal would win the unification)
                text = ("-" if negative else "") + literal.this
                cell.replace(exp.Cast(this=exp.Literal.string(text), to=to.copy()))
    return values


def _bound_vectors_alone(rows: list[tuple]) -> bool:
    """Whether every column holding a bound vector holds only those, vector text and NULLs: a column
    that mixes them with other values is typed as a whole by DataFusion's VALUES."""
    for column in zip(*rows):
        if any(isinstance(v, Float4Vector) for v in column) and not all(
            v is None or isinstance(v, (Float4Vector, str)) for v in column
        ):
            return False
    return True


def _typed_table(rows: list[tuple], columns: list[str], manifest: "Manifest") -> pa.Table:
    arrays = {}
    for index, column in enumerate(columns):
        field = manifest.schema.field(column)
        values = [row[index] for row in rows]
        if any(isinstance(v, Float4Vector) for v in values):
            if all(v is None or isinstance(v, Float4Vector) for v in values):  # as INSERT ... SELECT casts them
                blobs = [None if v is None else v.data for v in values]
                arrays[column] = _cast(float4_vectors(blobs, _vector_dimension(field)), field)
            else:  # beside text, each bound vector is read as its exact text by the column type's input
                texts = [v if v is None or isinstance(v, str) else _vector_input(v, field) for v in values]
                arrays[column] = _cast(pa.array(texts, pa.string()), field)
            continue
        rich = literal_array(values, field)
        if rich is not None:
            arrays[column] = rich
            continue
        check_values(values, field)
        if pa.types.is_decimal(field.type):
            values = [_quantize(v, field.type.scale) for v in values]
        elif pa.types.is_integer(field.type):
            values = [_rounded_to_integer(v, field) for v in values]
        if _is_jsonb(field):
            values = [v if v is None or isinstance(v, str) else json.dumps(v) for v in values]
        if pa.types.is_binary(field.type):  # text for a bytea column is bytea input, as in PostgreSQL
            values = [bytea_input(v) if isinstance(v, str) else v for v in values]
        if pa.types.is_list(field.type) and all(v is None or isinstance(v, str) for v in values):
            arrays[column] = _cast(pa.array(values, pa.string()), field)  # quoted arrays; Arrow would split text
            continue
        try:
            arrays[column] = pa.array(values, type=field.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
            arrays[column] = _cast(pa.array([None if v is None else pg_text(v) for v in values]), field)
        arrays[column] = canonical_text(arrays[column], field)
    return pa.table(arrays)


def _vector_dimension(field: pa.Field) -> int | None:
    """The dimension of a ``vector(n)`` column, None for any other column."""
    if (field.metadata or {}).get(TYPE_KEY) == b"vector" and pa.types.is_fixed_size_list(field.type):
        return field.type.list_size
    return None


def _vector_input(vector: Float4Vector, field: pa.Field) -> str:
    """A bound vector's exact text: pgvector's ``[1,2.5]``, or an array's ``{1,2.5}`` for real[]."""
    text = vector_text(float4_vector(vector.data))
    is_array = pa.types.is_list(field.type) and not (field.metadata or {}).get(TYPE_KEY)  # not vector
    return "{" + text[1:-1] + "}" if is_array else text


def _is_jsonb(field: pa.Field) -> bool:
    return (field.metadata or {}).get(TYPE_KEY) == b"jsonb"


def _quantize(value, scale: int):
    """Numbers are rounded to a numeric column's scale on the way in, half away from zero."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    return value


def _rounded_to_integer(value, field: pa.Field):
    """A number written to an integer column, rounded as PostgreSQL's casts round (Arrow truncates):
    numeric half away from zero, float half to even; 22003 where the column cannot hold it."""
    if isinstance(value, Decimal) and value.is_finite():
        value = int(value.to_integral_value(rounding=ROUND_HALF_UP))
    elif isinstance(value, float) and math.isfinite(value):
        value = round(value)
    elif not isinstance(value, (Decimal, float, int)) or isinstance(value, bool):
        return value
    if not isinstance(value, int) or not fits_width(value, field.type.bit_width):
        raise _out_of_range(field)
    return value


def _out_of_range(field: pa.Field) -> DataError:
    return DataError(f"{RANGE_NAMES.get(field.type.bit_width, 'integer')} out of range", sqlstate="22003")


def cast_to_field(array, field: pa.Field):
    """A column of computed values in ``field``'s type, with INSERT's errors (22P02, 42804)."""
    return _cast(array, field)


def _cast(array, field: pa.Field):
    canonical = canonical_text(array, field)
    if canonical is not array:
        return canonical  # jsonb or uuid text, as PostgreSQL stores them
    if array.type == field.type:
        return array
    if tensor_spec(field) is not None:
        return conform_rich(None, array, field)
    if media_kind(field) is not None:
        return array  # bytes until _complete reads their headers and stores them
    if is_sparsevec(field.type):
        from ..vector.sparsevec import as_sparsevecs

        return as_sparsevecs(array, int((field.metadata or {}).get(DIM_KEY, b"0")) or None)
    if pa.types.is_fixed_size_list(field.type) or (field.metadata or {}).get(TYPE_KEY) == b"vector":
        from ..vector.arrays import as_vectors

        if pa.types.is_fixed_size_list(field.type):
            return as_vectors(array, field.type.list_size, field.type.value_type)
        return as_vectors(array, None)
    if pa.types.is_list(field.type) and pa.types.is_string(array.type):
        return _array_input(array, field)
    if pa.types.is_binary(field.type) and pa.types.is_string(array.type):
        # text written to a bytea column is bytea input ('\\x89504e47' is four bytes), as in PostgreSQL
        return pa.array([None if text is None else bytea_input(text) for text in array.to_pylist()], pa.binary())
    if pa.types.is_string(array.type):
        read = read_text(array, field)  # PostgreSQL's input functions for booleans, dates and times
        if read is not None:
            return read
        array = read_number_text(array, field) or array  # and for numbers; then cast and checked below
    if pa.types.is_string(field.type) and not (field.metadata or {}).get(TYPE_KEY):
        printed = text_array(array)  # booleans, dates and times stored as PostgreSQL prints them
        if printed is not None:
            return printed
    try:
        if pa.types.is_timestamp(array.type) and pa.types.is_timestamp(field.type):
            return pc.cast(array, field.type, safe=False)  # sub-microsecond digits are dropped, as PostgreSQL does
        if pa.types.is_decimal(field.type) and (pa.types.is_decimal(array.type) or pa.types.is_floating(array.type)):
            array = pc.round(array, ndigits=field.type.scale, round_mode="half_towards_infinity")
        elif pa.types.is_decimal(field.type) and pa.types.is_integer(array.type) and field.type.scale <= 18:
            # Arrow refuses int64 -> numeric(8,2) for want of 21 digits; a widest decimal is checked by value
            array = array.cast(pa.decimal128(38, field.type.scale))
        elif pa.types.is_integer(field.type) and pa.types.is_floating(array.type):
            array = pc.round(array, round_mode="half_to_even")  # as C's rint, and PostgreSQL's float casts
        elif pa.types.is_integer(field.type) and pa.types.is_decimal(array.type):
            # numeric rounds half away from zero, in room for the carry (-0.5 of numeric(1,1) is -1)
            widened = array.cast(pa.decimal128(38, array.type.scale)) if array.type.precision < 38 else array
            array = pc.round(widened, round_mode="half_towards_infinity")
        check_array(array, field)
        return array.cast(field.type)
    except pa.ArrowInvalid as err:
        if pa.types.is_integer(field.type) and not pa.types.is_string(array.type):
            raise _out_of_range(field) from None
        if pa.types.is_decimal(field.type) and "precision" in str(err):
            precision, scale = field.type.precision, field.type.scale
            raise DataError(
                "numeric field overflow",
                sqlstate="22003",
                detail=f"A field with precision {precision}, scale {scale} must round to an absolute value less"
                f" than 10^{precision - scale}.",
            ) from None
        raise DataError(
            f'invalid input for column "{field.name}" of type {field.type}: {err}', sqlstate="22P02"
        ) from None
    except pa.ArrowNotImplementedError:
        raise ProgrammingError(
            f'column "{field.name}" is of type {field.type} but expression is of type {array.type}', sqlstate="42804"
        ) from None


def _array_input(array: pa.Array | pa.ChunkedArray, field: pa.Field) -> pa.Array:
    """Quoted arrays (``'{1,2}'``) written to an array column, read as PostgreSQL's array input reads
    them, each element as its type reads text; one dimension (arrays of arrays are 0A000)."""
    lists: list[list | None] = []
    for text in array.to_pylist():
        elements = None if text is None else array_elements(text)
        if text is not None and elements is None:
            if "{" in text.strip()[1:-1]:
                raise NotSupportedError(f'multidimensional array input is not supported: "{text}"', sqlstate="0A000")
            raise DataError(f'malformed array literal: "{text}"', sqlstate="22P02")
        lists.append(elements)
    flat = pa.array([item for items in lists if items is not None for item in items], pa.string())
    sizes = [0 if items is None else len(items) for items in lists]
    offsets = pa.array(np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32))
    mask = pa.array([items is None for items in lists])
    return pa.ListArray.from_arrays(offsets, _cast(flat, field.type.value_field), type=field.type, mask=mask)


def default_column(session: "Session", manifest: "Manifest", field: pa.Field, count: int) -> pa.Array:
    """``count`` values of a column's default: its sequence, its DEFAULT expression, or NULL."""
    constraints = manifest.constraints or {}
    if field.name in constraints.get("identity", {}):
        return pa.array(next_serials(session, manifest, field.name, count), type=field.type)
    if field.name in constraints.get("defaults", {}):
        value = session.evaluate_default(constraints["defaults"][field.name], field, count)
        return _cast(pa.repeat(value, count) if isinstance(value, pa.Scalar) else value, field)
    return pa.nulls(count, field.type)


def _fill_defaults(session: "Session", rows: list[tuple], columns: list[str], manifest: "Manifest") -> list[tuple]:
    """Replace the DEFAULT keyword in VALUES rows by each column's default value."""
    if not any(value is DEFAULT for row in rows for value in row):
        return rows
    filled = [list(row) for row in rows]
    for index, column in enumerate(columns):
        cells = [r for r, row in enumerate(filled) if row[index] is DEFAULT]
        if cells:
            values = default_column(session, manifest, manifest.schema.field(column), len(cells)).to_pylist()
            for r, value in zip(cells, values):
                filled[r][index] = value
    return [tuple(row) for row in filled]


def _complete(
    session: "Session", rows: pa.Table, manifest: "Manifest", name: str, num_rows: int | None = None
) -> pa.Table:
    """Fill defaults and identity values, then enforce NOT NULL (23502) and lengths."""
    count = rows.num_rows if num_rows is None else num_rows
    out = {}
    present = set(rows.schema.names)
    for field in manifest.schema:
        if field.name in present:
            out[field.name] = conform_rich(session.repo.storage, rows.column(field.name), field)
        else:
            out[field.name] = default_column(session, manifest, field, count)
    table = pa.table(out, schema=pa.schema([f.with_nullable(True) for f in manifest.schema]))
    table = fill_generated(session, table, manifest)
    check_row_constraints(table, manifest, name)
    return table


def check_row_constraints(rows: pa.Table, manifest: "Manifest", name: str) -> None:
    """NOT NULL (23502) and varchar(n) lengths (22001), for inserted and updated rows alike."""
    limits = (manifest.constraints or {}).get("max_length", {})
    for field in manifest.schema:
        column = rows.column(field.name)
        if not field.nullable and column.null_count:
            raise IntegrityError(
                f'null value in column "{field.name}" of relation "{name}" violates not-null constraint',
                sqlstate="23502",
                detail=failing_row_text(rows, column.is_null().to_pylist().index(True)),
                objects={"schema": "public", "table": name, "column": field.name},
            )
        limit = limits.get(field.name)
        if limit and len(column) and (pc.max(pc.utf8_length(column)).as_py() or 0) > limit:
            raise DataError(f"value too long for type character varying({limit})", sqlstate="22001")


def distinct_keys(rows: pa.Table, columns: list[str]) -> tuple[set, Any]:
    """The non-NULL keys of ``rows`` on ``columns`` (a key holding a NULL never collides, as in SQL)
    and the first that repeats (None when none does)."""
    seen: set = set()
    for key in key_tuples(rows, columns):
        if key is None or (isinstance(key, tuple) and None in key):
            continue
        if key in seen:
            return seen, key
        seen.add(key)
    return seen, None


def key_text(columns: list[str], key) -> str:
    """``(a, b)=(1, x)``, as PostgreSQL names a key in its messages."""
    value = ", ".join(map(str, key)) if isinstance(key, tuple) else str(key)
    return f"({', '.join(columns)})=({value})"


def _on_conflict(
    session, name, alias, manifest, rows, conflict: exp.OnConflict
) -> tuple[pa.Table, int, np.ndarray | None]:
    """The rows INSERT ... ON CONFLICT wrote, in the order they came (PostgreSQL's RETURNING order);
    how many it inserted; and where each written row stands among the inserted rows then the
    updated ones (None: all inserted)."""
    tx = session.write_tx()
    action = conflict.args.get("action")
    do_nothing = action is not None and "NOTHING" in action.name.upper()
    if do_nothing and conflict.args.get("constraint") is None and not conflict.args.get("conflict_keys"):
        fresh = rows.filter(pa.array(_free_of_every_key(session, name, manifest, rows)))
        if fresh.num_rows:
            tx.append(name, fresh)
        return fresh, fresh.num_rows, None
    keys_columns = _conflict_columns(name, manifest, conflict)
    if not keys_columns:
        raise ProgrammingError("ON CONFLICT needs a primary key or a conflict target", sqlstate="42P10")
    incoming = key_tuples(rows, keys_columns)
    existing, targets = _existing_keys(session, name, manifest, keys_columns, incoming)
    seen, hit_rows, fresh_rows = set(), [], []
    for index, key in enumerate(incoming):
        if key in seen:
            if do_nothing:
                continue
            raise ProgrammingError("ON CONFLICT DO UPDATE command cannot affect row a second time", sqlstate="21000")
        seen.add(key)
        (hit_rows if key in existing else fresh_rows).append(index)
    fresh = rows.take(pa.array(fresh_rows, pa.int64()))
    if fresh.num_rows:
        tx.append(name, fresh)
    if not hit_rows or do_nothing:
        return fresh, fresh.num_rows, None
    excluded = rows.take(pa.array(hit_rows, pa.int64()))
    rowids = pa.array([existing[incoming[i]] for i in hit_rows], pa.int64())
    updated = _do_update(session, name, alias, manifest, excluded.append_column(ROWID, rowids), conflict, targets)
    if updated.num_rows:
        row_locks.lock_for_write(session, name, updated.column(ROWID).to_numpy())
        tx.put_rows(name, updated)
    written = pa.concat_tables([fresh, updated.drop_columns([ROWID])], promote_options="permissive")
    position = {rowid: index for index, rowid in zip(hit_rows, rowids.to_pylist())}
    updated_rows = [position[rowid] for rowid in updated.column(ROWID).to_pylist()]
    in_order = np.argsort(np.array(fresh_rows + updated_rows, dtype=np.int64), kind="stable")
    return written.take(in_order), fresh.num_rows, in_order


def _free_of_every_key(session, name: str, manifest: "Manifest", rows: pa.Table) -> list[bool]:
    """ON CONFLICT DO NOTHING without a target: which incoming rows conflict with no unique key
    (the primary key, UNIQUE constraints and indexes) of a live row or of an earlier incoming row
    kept, as PostgreSQL arbitrates on all of them. A key holding a NULL conflicts with nothing
    unless its constraint says NULLS NOT DISTINCT."""
    keys = []
    for key in unique_keys(manifest, name):
        incoming = key_tuples(rows, list(key.columns))
        probed = [k for k in set(incoming) if key.nulls_not_distinct or not key_has_null(k)]
        existing = live_locations(manifest, list(key.columns), probed, session.repo.files)  # cached key maps
        keys.append((incoming, existing, set(), key.nulls_not_distinct))
    keep = []
    for index in range(rows.num_rows):
        values = [(incoming[index], existing, seen, nulls_equal) for incoming, existing, seen, nulls_equal in keys]
        clash = any(
            (value in existing or value in seen) and (nulls_equal or not key_has_null(value))
            for value, existing, seen, nulls_equal in values
        )
        keep.append(not clash)
        if not clash:
            for value, _, seen, _ in values:
                seen.add(value)
    return keep


def _conflict_columns(name: str, manifest: "Manifest", conflict: exp.OnConflict) -> list[str]:
    """The key ON CONFLICT arbitrates on: its columns, its constraint's (ON CONSTRAINT name), else
    the primary key's."""
    constraint = conflict.args.get("constraint")
    if constraint is not None:
        for key in unique_keys(manifest, name):
            if key.name == constraint.name:
                return list(key.columns)
        raise ProgrammingError(f'constraint "{constraint.name}" for table "{name}" does not exist', sqlstate="42704")
    written = [(c.this if isinstance(c, exp.Ordered) else c).name for c in (conflict.args.get("conflict_keys") or [])]
    return written or list(manifest.primary_key)


_FEW_KEYS = 64
"""Up to this many incoming rows, ON CONFLICT on the primary key looks each key up instead of
mapping every live key (and DO UPDATE reads only the rows it found)."""


def _existing_keys(
    session: "Session", name: str, manifest: "Manifest", columns: list[str], incoming: list
) -> tuple[dict, pa.Table | None]:
    """Key -> rowid of live rows, for the primary key (cached maps) or a UNIQUE constraint, and
    the live rows holding the incoming keys when they were read on the way (None: not read)."""
    if columns == list(manifest.primary_key):
        if len(incoming) <= _FEW_KEYS:
            return rows_by_keys(session, manifest, incoming)
        return live_keys(manifest, session.repo.files), None
    if sorted(columns) not in [sorted(c.columns) for c in unique_keys(manifest, name)]:
        raise ProgrammingError(
            "there is no unique or exclusion constraint matching the ON CONFLICT specification", sqlstate="42P10"
        )
    rows = session.write_tx().snapshot.read(name, columns, with_rowid=True)
    return dict(zip(key_tuples(rows, columns), rows.column(ROWID).to_pylist())), None


def _do_update(
    session, name, alias, manifest, excluded: pa.Table, conflict: exp.OnConflict, targets: pa.Table | None
) -> pa.Table:
    """Evaluate DO UPDATE SET ... WHERE ... joining the existing row with EXCLUDED; ``targets``
    holds the existing rows when they are already in hand (None: the table's rows are joined)."""
    assignments = set_list(conflict.args.get("expressions") or [], name, manifest.schema, alias)
    where = conflict.args.get("where")
    if where is None and targets is not None and targets.num_rows == excluded.num_rows == 1:
        sources = {alias: targets, "excluded": excluded}
        rows = evaluate_assignments(assignments, manifest, sources, alias, False)
        if rows is not None:
            return _conform_update(rows, manifest, session.repo.storage)
    with contextlib.ExitStack() as stack:
        excluded_name = stack.enter_context(session.temp_table("excluded", excluded))
        if targets is None:
            source = from_rows_table(name, alias)
        else:
            source = f'"{stack.enter_context(session.temp_table(f"conflict_{name}", targets))}" AS "{alias}"'
        select = []
        for field in manifest.schema:
            expr = assignments.get(field.name)
            sql = session.datafusion_sql(expr) if expr is not None else f'"{alias}"."{field.name}"'
            select.append(f'{sql} AS "{field.name}"')
        sql = (
            f'SELECT {", ".join(select)}, "{alias}"."{ROWID}" FROM {source} '
            f'JOIN "{excluded_name}" AS excluded ON "{alias}"."{ROWID}" = excluded."{ROWID}"'
        )
        condition = where.this if isinstance(where, exp.Where) else where
        if condition is not None:
            sql += f" WHERE {session.datafusion_sql(condition)}"
        reads = targets is None or _reads_tables(
            [*assignments.values(), *([condition] if condition is not None else [])]
        )
        return _conform_update(session.run_datafusion(sql, sync=reads), manifest, session.repo.storage)


def _conform_update(rows: pa.Table, manifest: "Manifest", storage) -> pa.Table:
    arrays = [_cast(conform_rich(storage, rows.column(f.name), f), f) for f in manifest.schema] + [rows.column(ROWID)]
    schema = pa.schema([f.with_nullable(True) for f in manifest.schema] + [pa.field(ROWID, pa.int64())])
    return pa.Table.from_arrays(arrays, schema=schema)


# UPDATE ------------------------------------------------------------------
def update(session: "Session", stmt: exp.Update) -> Result:
    name, alias, _ = _target(stmt)
    tx = session.write_tx()
    manifest = tx.manifest(name)
    assignments = set_list(stmt.expressions, name, manifest.schema, alias)
    to_default = {column for column, value in assignments.items() if is_default_keyword(value)}
    given = [column for column in assignments if column not in to_default]
    refuse_written(given, manifest.constraints, update=True)
    identity_columns.refuse_updated(given, manifest.constraints)
    generated = manifest.constraints.get("generated", {})  # SET g = DEFAULT: computed again anyway
    assignments = {
        column: _default_value(manifest, column) if column in to_default else value
        for column, value in assignments.items()
        if column not in to_default or column not in generated
    }

    extra = stmt.args.get("from_") or stmt.args.get("from")
    returning = stmt.args.get("returning")
    joined = joined_columns(returning, alias) if extra is not None else []

    def outputs() -> str:
        select = []
        for field in manifest.schema:
            expr = assignments.get(field.name)
            sql = session.datafusion_sql(expr) if expr is not None else f'"{alias}"."{field.name}"'
            select.append(f'{sql} AS "{field.name}"')
        return f'{", ".join(select)}, "{alias}"."{ROWID}" AS "{ROWID}"' + carried_sql(session, joined)

    where = stmt.args.get("where")
    ctes = write_ctes(stmt)
    keyed = (
        None
        if extra is not None or _reads_tables(assignments.values())
        else row_by_key(session, manifest, alias, where)
    )
    # one row by its key: the SET list computed without planning, else planned over that row alone
    rows = None if keyed is None else evaluate_assignments(assignments, manifest, {alias: keyed}, alias, True)
    if rows is None and keyed is not None:
        with session.temp_table(f"key_{name}", keyed) as temp:
            rows = session.run_datafusion(f'SELECT {outputs()} FROM "{temp}" AS "{alias}"', sync=False)
    elif rows is None:
        sql = f"{with_sql(session, ctes)}SELECT {outputs()} FROM {from_rows_table(name, alias)}"
        if extra is not None:
            sql += ", " + ", ".join(session.datafusion_sql(t) for t in [extra.this, *extra.expressions])
        if where is not None:
            sql += f" WHERE {session.datafusion_sql(where.this)}"
        rows = session.run_datafusion(sql)
    for column in assignments:
        check_array(rows.column(column), manifest.schema.field(column))
    extras = carried(rows, joined) if joined else None
    rows = _conform_update(rows, manifest, session.repo.storage)
    first = _first_per_rowid(rows)  # UPDATE ... FROM may match a row several times; PostgreSQL applies one
    if first is not None:
        rows, extras = rows.take(first), extras.take(first) if extras is not None else None
    rows = fill_generated(session, rows, manifest)
    if rows.num_rows:
        check_row_constraints(rows, manifest, name)
        acting = foreign_keys.referenced_with_actions(session, name, "update")
        row_locks.lock_for_write(session, name, rows.column(ROWID).to_numpy())
        old = foreign_keys.rows_by_rowid(session, name, rows.column(ROWID).to_numpy()) if acting else None
        tx.put_rows(name, rows)
        if acting:
            foreign_keys.after_update(session, name, old, rows)
    result_rows = None
    if returning:
        written = rows.drop_columns([ROWID])
        if extras is not None:
            written = pa.Table.from_arrays(
                [*written.columns, *extras.columns], [*written.column_names, *extras.column_names]
            )
            returning = reading_carried(returning, joined, alias, manifest.schema.names)
        result_rows = _returning(session, name, alias, written, returning)
    return Result(result_rows, rows.num_rows, f"UPDATE {rows.num_rows}")


def is_default_keyword(value: exp.Expression) -> bool:
    """Whether a SET or VALUES item is the DEFAULT keyword, which sqlglot reads as an unquoted
    column named DEFAULT (a quoted "default" is a column), or in MERGE's VALUES as a keyword."""
    value = value.unnest()
    if isinstance(value, exp.Var):
        return value.name.upper() == "DEFAULT"
    return (
        isinstance(value, exp.Column) and not value.table and not value.this.quoted and value.name.upper() == "DEFAULT"
    )


def _default_value(manifest: "Manifest", column: str) -> exp.Expression:
    """What ``SET column = DEFAULT`` stores: the column's default expression, the next value of its
    serial or identity sequence, else NULL."""
    from .frontend import parse_expression  # the front end loads the statement handlers, this one among them

    constraints = manifest.constraints
    text = constraints.get("defaults", {}).get(column)
    sequence = constraints.get("identity", {}).get(column)
    if text is None and sequence is not None:
        text = f"nextval('{sequence}')"
    return exp.Paren(this=parse_expression(text)) if text is not None else exp.Null()


def write_ctes(stmt: exp.Expression) -> exp.With | None:
    """A write's WITH clause, whose queries its FROM, USING, WHERE and SELECT read (data-modifying
    ones have run before it, :mod:`.writing_ctes`)."""
    return stmt.args.get("with_")


def with_sql(session: "Session", ctes: exp.With | None) -> str:
    return "" if ctes is None else session.datafusion_sql(ctes) + " "


def _reads_tables(expressions) -> bool:
    """Whether any expression reads a relation (a subquery): those need the snapshot's tables."""
    return any(expression.find(exp.Table, exp.Subquery, exp.Select) for expression in expressions)


def _first_per_rowid(rows: pa.Table) -> np.ndarray | None:
    """Where each row first appears among ``rows`` (a join may match it several times), in order;
    None when each appears once."""
    rowids = rows.column(ROWID).to_numpy()
    _, first = np.unique(rowids, return_index=True)
    return None if len(first) == len(rowids) else np.sort(first)


# DELETE ------------------------------------------------------------------
def delete(session: "Session", stmt: exp.Delete) -> Result:
    name, alias, _ = _target(stmt)
    tx = session.write_tx()
    manifest = tx.manifest(name)
    returning = stmt.args.get("returning")
    columns = ", ".join(f'"{alias}"."{f.name}"' for f in manifest.schema) if returning else None
    using = stmt.args.get("using")
    joined = joined_columns(returning, alias) if using else []
    where = stmt.args.get("where")
    ctes = write_ctes(stmt)
    rows = None if using else row_by_key(session, manifest, alias, where)
    if rows is None:
        sql = (
            f"{with_sql(session, ctes)}"
            f'SELECT {columns + ", " if columns else ""}"{alias}"."{ROWID}" AS "{ROWID}"{carried_sql(session, joined)} '
            f"FROM {from_rows_table(name, alias)}"
        )
        if using:
            sql += ", " + ", ".join(session.datafusion_sql(t) for t in using)
        if where is not None:
            sql += f" WHERE {session.datafusion_sql(where.this)}"
        rows = session.run_datafusion(sql)
    rowids = np.unique(rows.column(ROWID).to_numpy())
    row_locks.lock_for_write(session, name, rowids)
    acting = foreign_keys.referenced_with_actions(session, name, "delete")
    old = foreign_keys.rows_by_rowid(session, name, rowids) if acting and len(rowids) else None
    count = tx.delete_rowids(name, rowids)
    if old is not None:
        foreign_keys.after_delete(session, name, old)
    result_rows = None
    if returning:
        first = _first_per_rowid(rows)  # DELETE ... USING may match a row several times
        written = (rows if first is None else rows.take(first)).drop_columns([ROWID])
        returning = reading_carried(returning, joined, alias, manifest.schema.names) if joined else returning
        result_rows = _returning(session, name, alias, written, returning)
    return Result(result_rows, count, f"DELETE {count}")


# RETURNING ---------------------------------------------------------------
def _returning(session: "Session", name: str, alias: str, rows: pa.Table, returning: exp.Returning) -> pa.Table:
    with session.temp_table(f"returning_{name}", rows) as temp:
        # named as PostgreSQL names them (currval, ?column?), in a query of the table itself for the
        # rewrites its column types decide (n * 2 is int4); each aliased, so a rewrite replacing an
        # item leaves its alias in the query
        items = returning.expressions
        labelled = [e.copy() if label is None else _labelled(e, label) for e, label in zip(items, output_labels(items))]
        table = exp.Table(
            this=exp.to_identifier(name, quoted=True), alias=exp.TableAlias(this=exp.to_identifier(alias))
        )
        query = exp.select(*labelled, copy=False).from_(table, copy=False)
        written = query.copy()  # typed as a SELECT of the table is: jsonb of meta -> 'k', json of to_json
        exprs = ", ".join(session.datafusion_sql(item) for item in query.expressions)
        rows = session.run_datafusion(f'SELECT {exprs} FROM "{temp}" AS "{alias}"')
        return restore_types(normalize(rows), session.snapshot, written)


def _labelled(item: exp.Expression, label: str) -> exp.Alias:
    return exp.alias_((item.this if isinstance(item, exp.Alias) else item).copy(), label, quoted=True)
