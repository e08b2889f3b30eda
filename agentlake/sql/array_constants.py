"""Quoted constants beside array columns read as arrays of the column's type, as in PostgreSQL.

PostgreSQL types ``'{b}'`` in ``tags @> '{b}'``, ``tags <@ '{a,b,c}'``, ``tags && '{a,z}'`` and
``tags = '{b}'`` from the text[] column it meets, so the constant goes through array input (elements
of the column's type; 22P02 for text that is no array). Without this, ``@>`` beside a quoted constant
reads it as jsonb (the operator is jsonb's too), and DataFusion cannot compare a list with text.
Each such constant is cast to the column's type here, before the untyped rules run.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS, compared_text_constants
from .types import sql_type_name

ARRAY_OPERATORS = (exp.ArrayContainsAll, exp.ArrayContainedBy, exp.ArrayOverlaps)


def _is_array(field: pa.Field) -> bool:
    return (pa.types.is_list(field.type) or pa.types.is_large_list(field.type)) and sql_type_name(field).endswith("[]")


def array_constants(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Cast, in place, the quoted constants compared with array columns (or beside them in ``@>``,
    ``<@`` and ``&&``) to the column's type; True when any was."""
    pairs = [
        (value, constants)
        for value, constants in compared_text_constants(tree, (*COMPARISONS, exp.In, *ARRAY_OPERATORS))
        if isinstance(value, exp.Column)
    ]
    if not pairs:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for column, constants in pairs:
        field = fields.get(column.table, {}).get(column.name)
        if field is None or not _is_array(field):
            continue
        to = exp.DataType.build(sql_type_name(field), dialect="postgres")
        for constant in constants:
            constant.replace(exp.Cast(this=constant.copy(), to=to.copy()))
            changed = True
    return changed
