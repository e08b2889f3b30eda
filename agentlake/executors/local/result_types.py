"""Results as PostgreSQL types them: DataFusion's answers with the catalog's column types put back
(vectors, json, PostgreSQL's classic string and binary types instead of view and large ones)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from ...errors import Error
from ...pgcatalog.column_types import catalog_column_metadata
from ...pgcatalog.type_of import REGTYPE_VALUE
from ...results import ELEMENT_KEY, NUMERIC_KEY, is_unconstrained_numeric
from ...sql.column_types import SchemaOf, column_fields
from ...sql.enum_types import LABELS_KEY
from ...sql.jsonb_types import JsonTypes
from ...sql.rules.column_names import DUPLICATE_MARK, output_name
from ...sql.types import (
    CHAR_KEY,
    DIM_KEY,
    TYPE_KEY,
    array_metadata,
    arrow_type,
    character_metadata,
    internal_type_name,
    padded_characters,
)
from ...sql.unconstrained_numeric import UNCONSTRAINED
from ...sql.view_columns import view_schema
from ...vector.arrays import is_vector_result
from .interval_functions import duration_intervals
from .rich_results import restore_rich_columns, rich_schema

_VIEW_TYPES = {
    pa.string_view(): pa.string(),
    pa.binary_view(): pa.binary(),
    pa.large_string(): pa.string(),
    pa.large_binary(): pa.binary(),
}


def restore_types(table: pa.Table, snapshot, stmt, schema: pa.Schema | None = None) -> pa.Table:
    """Put back what DataFusion drops: which string columns are jsonb/uuid, which lists are vectors,
    which are tensors and media. ``schema``: what an earlier batch of the same result was restored
    to (it depends on the statement and the columns, not on the rows), so later batches skip
    working it out again."""
    table = restore_rich_columns(table, snapshot, stmt)
    if schema is None:
        schema = restored_schema(table.schema, snapshot, stmt)
    same = schema is table.schema or table.schema.equals(schema, check_metadata=True)
    return padded_characters(_empty_vectors_as_null(table if same else table.cast(schema)))


def described_schema(schema: pa.Schema, snapshot, stmt) -> pa.Schema:
    """The columns a planned query will return, typed and named as ``restore_types`` returns them."""
    schema = restored_schema(classic_schema(schema), snapshot, stmt)
    if not any(DUPLICATE_MARK in name for name in schema.names):
        return schema
    return pa.schema([f.with_name(output_name(f.name)) for f in schema], metadata=schema.metadata)


def _empty_vectors_as_null(table: pa.Table) -> pa.Table:
    """``avg(vector)`` or ``sum(vector)`` (or halfvec) over no rows is NULL in pgvector; DataFusion
    cannot take a NULL list from an aggregate, which answers an empty one instead (no vector has 0
    dimensions; an empty ``real[]`` stays what it is)."""
    for index, f in enumerate(table.schema):
        if not (is_vector_result(f.type) or (pa.types.is_list(f.type) and pa.types.is_float16(f.type.value_type))):
            continue
        empty = pc.equal(pc.list_value_length(table.column(index)), 0)
        if pc.any(empty).as_py():
            table = table.set_column(index, f, pc.if_else(empty, pa.scalar(None, f.type), table.column(index)))
    return table


def restored_schema(schema: pa.Schema, snapshot, stmt) -> pa.Schema:
    """Tag each string column with the type the catalog or the expression gives it: a json/jsonb
    result by what its select item is (``t.meta AS m``, ``meta -> 'a'``), others by column name."""
    schema = rich_schema(schema, snapshot, stmt)
    schema_of = relation_schemas(snapshot)
    positions = JsonTypes(stmt, schema_of).outputs(stmt) if isinstance(stmt, exp.Query) else None
    selected = _selected_fields(stmt, snapshot)
    chosen = selected or {}
    # a vector column without a dimension reads back as a plain float list, which only its source
    # column (under any alias: ``t.embedding AS t_embedding``, as ORMs write it) tells from a real[]
    vectors = {position for position, f in chosen.items() if (f.metadata or {}).get(TYPE_KEY) == b"vector"}
    made = _made_types(stmt)
    selected_numerics = {position for position, f in chosen.items() if is_unconstrained_numeric(f)}
    tagged: dict[str, dict] = {}
    numerics: dict[str, pa.DataType] = {}  # unconstrained numeric columns: printed without trailing zeros
    characters: dict[str, dict] = {}  # varchar and char(n) columns: reported as such where selected as they are
    arrays: dict[str, pa.Field] = {}  # uuid[], jsonb[] and unconstrained numeric[] columns, by name
    for node in stmt.find_all(exp.Table):
        relation = schema_of(node.name)
        if relation is not None:
            for f in relation:
                if pa.types.is_list(f.type) and _tags_elements(f):
                    arrays.setdefault(f.name, f)
                if is_unconstrained_numeric(f):
                    numerics.setdefault(f.name, f.type)
                if f.metadata and f.metadata.get(TYPE_KEY) not in (
                    None,
                    b"vector",
                    b"tensor",
                ):  # text kept as json/uuid, or an enum type's labels
                    tagged.setdefault(f.name, {k: v for k, v in f.metadata.items() if k in (TYPE_KEY, LABELS_KEY)})
                elif f.metadata and CHAR_KEY in f.metadata:  # declared varchar or char(n)
                    characters.setdefault(f.name, dict(f.metadata))
    plain_columns = (
        None if selected is None or not characters else {p: dict(f.metadata or {}) for p, f in chosen.items()}
    )
    subscripts = _subscripts(stmt, arrays) if arrays else {}
    catalogs = _catalog_schemas(stmt, schema_of)
    aliased = {p: f for p, f in chosen.items() if pa.types.is_list(f.type) and _tags_elements(f)}
    fields, changed = [], False
    for position, f in enumerate(schema):
        meta = tagged.get(output_name(f.name)) if pa.types.is_string(f.type) else None
        if meta is None and pa.types.is_string(f.type):
            source = characters.get(output_name(f.name)) if plain_columns is None else plain_columns.get(position)
            meta = {k: v for k, v in (source or {}).items() if k in (CHAR_KEY, DIM_KEY)} if source else None
            meta = meta if meta and CHAR_KEY in meta else None
            if CHAR_KEY in made.get(position, {}):  # a cast to varchar or char(n); JSON outputs still win
                meta = made[position]
            source = _source_column(stmt, position, output_name(f.name)) if meta is None and catalogs else None
            if source is not None:
                meta = next(filter(None, (catalog_column_metadata(c, source) for c in catalogs)), None)
        if positions is not None and pa.types.is_string(f.type):
            if meta and meta.get(TYPE_KEY) in (b"json", b"jsonb"):
                meta = None
            if position in positions:
                meta = {TYPE_KEY: positions[position].encode()}
        if TYPE_KEY in made.get(position, {}) and pa.types.is_string(f.type):
            meta = made[position]
        if pa.types.is_list(f.type) and position in made and TYPE_KEY not in made[position]:
            meta = made[position]  # an array of uuids, json(b) or unconstrained numerics
        dense = pa.types.is_fixed_size_list(f.type) and pa.types.is_floating(f.type.value_type)
        if dense or is_vector_result(f.type) or (position in vectors and pa.types.is_list(f.type)):
            meta = {TYPE_KEY: b"halfvec" if pa.types.is_float16(f.type.value_type) else b"vector"}
        if meta and any((f.metadata or {}).get(k) != v for k, v in meta.items()):
            f, changed = f.with_metadata({**(f.metadata or {}), **meta}), True
        array = aliased.get(position) or arrays.get(output_name(f.name))
        if array is not None and array.type == f.type and not f.metadata:
            f, changed = f.with_metadata(array.metadata), True
        if position in subscripts and not f.metadata:
            f, changed = f.with_metadata(subscripts[position]), True
        numeric = position in selected_numerics or numerics.get(output_name(f.name)) == f.type
        if numeric and pa.types.is_decimal(f.type) and not is_unconstrained_numeric(f):
            f, changed = f.with_metadata({**(f.metadata or {}), **UNCONSTRAINED}), True
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata) if changed else schema


def relation_schemas(snapshot) -> SchemaOf:
    """A relation's columns by its name: a table's schema, or the columns of a view that lead back
    to a table's (:mod:`...sql.view_columns`), so that a view's jsonb or enum column is typed as
    the table's is."""

    def schema_of(name: str) -> pa.Schema | None:
        found = snapshot.find_schema(name)
        if found is None and name in snapshot.views:
            found = view_schema(snapshot.views[name], schema_of)
        return found

    return schema_of


_TEXT_LIKE = ("name", "char")
"""Types a cast may give a text value that PostgreSQL reports as themselves (``"char"`` quoted)."""
_NAME_FUNCTIONS = (exp.CurrentDatabase, exp.CurrentCatalog, exp.CurrentSchema, exp.CurrentUser, exp.SessionUser)
"""Functions of type ``name`` in PostgreSQL (what they answer is an identifier)."""


def _made_types(stmt) -> dict[int, dict]:
    """What select items make, whatever column name they carry, by position: a uuid (``x::uuid``,
    ``gen_random_uuid()``, text underneath, which clients read as uuid objects), pg_typeof's regtype,
    a cast to varchar or char(n) (sent as those types, a char(n) blank-padded)."""
    if not isinstance(stmt, exp.Select):
        return {}
    found = {}
    for position, item in enumerate(stmt.expressions):
        value = item.unalias()
        declared = character_metadata(value.to) if isinstance(value, exp.Cast) else {}
        if (
            isinstance(value, exp.Uuid)
            or (isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.UUID)
            or (isinstance(value, exp.Anonymous) and value.name.lower() == "gen_random_uuid")
        ):
            found[position] = {TYPE_KEY: b"uuid"}
        elif value.meta.get(REGTYPE_VALUE):
            found[position] = {TYPE_KEY: b"regtype"}
        elif isinstance(value, _NAME_FUNCTIONS):
            found[position] = {TYPE_KEY: b"name"}
        elif isinstance(value, exp.Cast) and (spelled := internal_type_name(value.to.sql("postgres"))) in _TEXT_LIKE:
            found[position] = {TYPE_KEY: spelled.encode()}  # x::name, x::"char"
        elif array := _array_made(value):
            found[position] = array
        elif declared:
            found[position] = declared
    return found


def _subscripts(stmt, arrays: dict[str, pa.Field]) -> dict[int, dict]:
    """Select items subscripting a uuid[], jsonb[] or unconstrained numeric[] column, by position:
    an element (``ids[1]``) is of the element's type, a slice (``ids[1:2]``) of the array's."""
    if not isinstance(stmt, exp.Select):
        return {}
    found = {}
    for position, item in enumerate(stmt.expressions):
        value = item.unalias()
        if not (isinstance(value, exp.Bracket) and isinstance(value.this, exp.Column) and len(value.expressions) == 1):
            continue
        array = arrays.get(value.this.name)
        if array is None:
            continue
        if isinstance(value.expressions[0], exp.Slice):
            found[position] = dict(array.metadata)
        elif ELEMENT_KEY in array.metadata:
            found[position] = {TYPE_KEY: array.metadata[ELEMENT_KEY]}
        else:
            found[position] = dict(UNCONSTRAINED)
    return found


def _array_made(value: exp.Expression) -> dict:
    """The metadata of an array a select item makes of uuids, json(b) or unconstrained numerics:
    a cast to ``uuid[]`` or ``numeric[]``, or ``ARRAY[x::uuid, ...]``."""
    if isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.ARRAY:
        elements = [exp.Cast(this=exp.null(), to=value.to.expressions[0])] if value.to.expressions else []
    elif isinstance(value, exp.Array):
        elements = value.expressions
    else:
        return {}
    kinds = {e.to.sql() if isinstance(e, exp.Cast) else None for e in elements}
    if len(kinds) != 1 or None in kinds:
        return {}
    try:
        _, metadata = arrow_type(elements[0].to)
    except Error:  # an element type of the branch's own (an enum): not one this tags
        return {}
    return array_metadata(metadata)


def _tags_elements(field: pa.Field) -> bool:
    """Whether an array column's metadata types its elements: uuid[], jsonb[], unconstrained numeric[]."""
    return bool(set(field.metadata or {}) & {ELEMENT_KEY, NUMERIC_KEY})


def _catalog_schemas(stmt, schema_of: SchemaOf) -> list[str]:
    """The catalog schemas whose relations the statement reads (``pg_class`` unqualified too,
    unless a table of the branch has that name)."""
    found = set()
    for node in stmt.find_all(exp.Table):
        schema = node.db.lower()
        if schema in ("pg_catalog", "information_schema"):
            found.add(schema)
        elif not schema and node.name.startswith("pg_") and schema_of(node.name) is None:
            found.add("pg_catalog")
    return sorted(found)


def _source_column(stmt, position: int, name: str) -> str | None:
    """The column the result column at ``position`` (named ``name``) is, as it is, under any alias;
    None for a computed one. After a ``*`` positions no longer follow the items: names decide."""
    if not isinstance(stmt, exp.Select):
        return name
    items = stmt.expressions
    if _has_star(items):
        return name
    value = items[position].unalias() if position < len(items) else None
    return value.name if isinstance(value, exp.Column) else None


def _has_star(items: list[exp.Expression]) -> bool:
    """Whether a select list has a ``*`` or ``t.*``."""
    return any(isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star)) for e in items)


def _selected_fields(stmt, snapshot) -> dict[int, pa.Field] | None:
    """The select items that are a table's column as it is (not cast, not computed), under any
    alias: position -> field. None where the statement is no SELECT or its select list has a ``*``,
    after which positions no longer follow the items (names decide then)."""
    if not isinstance(stmt, exp.Select) or _has_star(stmt.expressions):
        return None
    fields = column_fields(stmt, relation_schemas(snapshot))
    found = {}
    for position, item in enumerate(stmt.expressions):
        value = item.unalias()
        field = fields.get(value.table, {}).get(value.name) if isinstance(value, exp.Column) else None
        if field is not None:
            found[position] = field
    return found


def normalize(table: pa.Table) -> pa.Table:
    """Results use classic Arrow types (no views, no large offsets) so every client understands them,
    intervals where DataFusion gives durations, and PostgreSQL's column names, repeated ones included."""
    schema = classic_schema(table.schema)
    if schema is not table.schema:
        columns = [
            duration_intervals(column) if pa.types.is_duration(column.type) else column.cast(f.type)
            for column, f in zip(table.columns, schema)
        ]
        table = pa.Table.from_arrays(columns, schema=schema)
    names = [output_name(name) for name in table.column_names]
    return table if names == table.column_names else table.rename_columns(names)


def classic_schema(schema: pa.Schema) -> pa.Schema:
    fields = []
    changed = False
    for f in schema:
        target = pa.month_day_nano_interval() if pa.types.is_duration(f.type) else _VIEW_TYPES.get(f.type)
        if target is not None:
            changed = True
            f = f.with_type(target)
        fields.append(f)
    return pa.schema(fields, metadata=schema.metadata) if changed else schema
