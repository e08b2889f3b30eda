"""A char(n) column compared with a quoted constant ignores the constant's trailing blanks, as in
PostgreSQL: ``code = 'ab '`` matches the char(3) value ``ab``. char(n) values are stored without
their padding (``types.CHAR_KEY``), so the constants compared with them (``=``, ``<>``, ordering,
``IN``) lose theirs here."""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS, compared_text_constants
from .types import CHAR_KEY


def character_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Trim, in place, the trailing blanks of text constants compared with char(n) columns; True
    when any had some."""
    pairs = compared_text_constants(tree, (*COMPARISONS, exp.In))
    padded = [(typed, c) for typed, constants in pairs for c in constants if c.this.endswith(" ")]
    if not padded:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for typed, constant in padded:
        field = fields.get(typed.table, {}).get(typed.name) if isinstance(typed, exp.Column) else None
        if field is not None and (field.metadata or {}).get(CHAR_KEY) == b"bpchar":
            constant.replace(exp.Literal.string(constant.this.rstrip(" ")))
            changed = True
    return changed
