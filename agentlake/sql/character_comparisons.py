"""A char(n) column compared with a quoted constant ignores the constant's trailing blanks, as in
PostgreSQL: ``code = 'ab '`` matches the char(3) value ``ab``. char(n) values are stored without
their padding (``types.CHAR_KEY``), so the constants compared with them (``=``, ``<>``, ordering,
``IN``) lose theirs here."""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf
from .constant_comparisons import constants_compared_with
from .types import CHAR_KEY


def character_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Trim, in place, the trailing blanks of text constants compared with char(n) columns; True
    when any had some."""
    padded = constants_compared_with(
        tree,
        schema_of,
        lambda field: (field.metadata or {}).get(CHAR_KEY) == b"bpchar",
        lambda constant: constant.this.endswith(" "),
    )
    for constant in padded:
        constant.replace(exp.Literal.string(constant.this.rstrip(" ")))
    return bool(padded)
