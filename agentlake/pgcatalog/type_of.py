"""``pg_typeof(x)``: the name of the PostgreSQL type of ``x``, as ``regtype`` prints it.

PostgreSQL answers from the type the parser gave ``x``. Here most of that is known before planning:
a column's type is in the catalog (with what Arrow cannot tell: ``jsonb``, ``uuid`` and ``json``
are stored as text), a cast names its type, and a constant's type follows from how it is written
(``1`` integer, ``1.5`` numeric, ``'a'`` unknown). Any other expression is typed by DataFusion:
``pg_type_name(arrow_typeof(x))`` maps the Arrow type it planned to PostgreSQL's name. Arithmetic
on integer constants is bigint there, where PostgreSQL says integer.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
from sqlglot import exp

from ..sql.column_types import SchemaOf, column_fields
from ..sql.integer_arithmetic import fits_width
from ..sql.jsonb_types import JsonTypes
from ..sql.rules import transform_up
from ..sql.rules.column_names import PG_NAME, pg_name
from ..sql.types import pg_type
from .types import PgType, lookup, type_name, with_enum_types

_ARROW_NAMES = {
    "Null": "unknown",
    "Boolean": "boolean",
    "Int8": "smallint",
    "Int16": "smallint",
    "Int32": "integer",
    "Int64": "bigint",
    "UInt8": "smallint",
    "UInt16": "integer",
    "UInt32": "oid",
    "UInt64": "numeric",
    "Float16": "real",
    "Float32": "real",
    "Float64": "double precision",
    "Utf8": "text",
    "LargeUtf8": "text",
    "Utf8View": "text",
    "Binary": "bytea",
    "LargeBinary": "bytea",
    "BinaryView": "bytea",
}
_ARROW_PREFIXES = (
    ("Decimal", "numeric"),
    ("Date", "date"),
    ("Timestamp(", None),  # with or without a time zone
    ("Time", "time without time zone"),
    ("Interval", "interval"),
    ("Duration", "interval"),
    ("FixedSizeBinary", "bytea"),
    ("Struct", "record"),
)


def pg_type_name(arrow_type: str) -> str:
    """PostgreSQL's name for a type as DataFusion's ``arrow_typeof`` prints it (``Int32``,
    ``List(Utf8)``, ``FixedSizeList(3 x Float32)``, ``Timestamp(µs, "UTC")``)."""
    if arrow_type.startswith(("List(", "LargeList(")):
        return pg_type_name(arrow_type[arrow_type.index("(") + 1 : -1]) + "[]"
    if arrow_type.startswith("FixedSizeList("):
        element = arrow_type[arrow_type.index(" x ") + 3 : -1]
        if element == "Float16":
            return "halfvec"
        return "vector" if element.startswith("Float") else pg_type_name(element) + "[]"
    if arrow_type in _ARROW_NAMES:
        return _ARROW_NAMES[arrow_type]
    for prefix, name in _ARROW_PREFIXES:
        if arrow_type.startswith(prefix):
            if name is None:
                zoned = '"' in arrow_type
                return "timestamp with time zone" if zoned else "timestamp without time zone"
            return name
    return "text"


def _field_name(field: pa.Field) -> str:
    return type_name(pg_type(field)) or "text"


def _constant_name(node: exp.Expression) -> str | None:
    """The type PostgreSQL gives a constant as written; None for anything else."""
    if isinstance(node, exp.Null):
        return "unknown"
    if isinstance(node, exp.Boolean):
        return "boolean"
    if not isinstance(node, exp.Literal):
        return None
    if node.is_string:
        return "unknown"
    if node.this.isdigit():
        value = int(node.this)
        return "integer" if fits_width(value, 32) else "bigint" if fits_width(value, 64) else "numeric"
    return "numeric"


def _static_name(
    node: exp.Expression, fields: dict[str, dict[str, pa.Field]], types: Mapping[str, PgType]
) -> str | None:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Column):
        field = fields.get(node.table, {}).get(node.name)
        return _field_name(field) if field is not None else None
    if isinstance(node, exp.Cast):
        found = lookup(node.to.sql(dialect="postgres"), types)
        return type_name(found) if found is not None else None
    return _constant_name(node)


REGTYPE_VALUE = "regtype_value"
"""Meta key of the expression that answers a ``pg_typeof`` call: its value is a regtype (a type's
name, which clients read as text; the result column reports regtype's oid)."""


def pg_typeof_calls(tree: exp.Expression, schema_of: SchemaOf, enums: Mapping[str, list[str]] | None = None) -> bool:
    """Replace every ``pg_typeof(x)`` by its answer where it is known before planning, else by
    ``pg_type_name(arrow_typeof(x))``, in place; True when there was any. ``enums``: the branch's
    enum types (name -> labels), which a cast may name."""
    calls = [node for node in tree.find_all(exp.Anonymous) if node.name.lower() == "pg_typeof"]
    if not calls:
        return False
    fields = column_fields(tree, schema_of)
    types = with_enum_types(enums or {})[1]
    json_types = JsonTypes(tree, schema_of)  # jsonb is text to DataFusion: its type is known from the tree

    def rewrite(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Anonymous) and node.name.lower() == "pg_typeof" and len(node.expressions) == 1):
            return node
        argument = node.expressions[0]
        name = _static_name(argument, fields, types) or json_types.of(argument)
        if name is not None:
            answer = exp.Literal.string(name)
        else:
            typed = exp.Anonymous(this="arrow_typeof", expressions=[argument.copy()])
            answer = exp.Anonymous(this="pg_type_name", expressions=[typed])
        answer.meta[PG_NAME] = pg_name(node)  # the column is still named pg_typeof
        answer.meta[REGTYPE_VALUE] = True  # and is a regtype, as results report it
        return answer

    transform_up(tree, rewrite)
    return True
