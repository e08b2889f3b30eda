"""A uuid column compared with text constants compares uuids, as in PostgreSQL.

PostgreSQL reads ``u = 'A0EEBC99-9C0B-...'`` as a uuid comparison: the constant goes through uuid
input, so any case and spelling of the same uuid matches, and text that is no uuid is 22P02.
uuid columns are text underneath, kept canonical (``sql.uuid_input``); so are the constants
compared with them here (``=``, ``<>``, ordering, ``IN``).
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .constant_comparisons import COMPARISONS, compared_text_constants
from .uuid_input import canonical_uuid, is_uuid_field


def uuid_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Make, in place, the text constants compared with uuid columns canonical; True when any was."""
    pairs = compared_text_constants(tree, (*COMPARISONS, exp.In))
    if not pairs:
        return False
    fields = column_fields(tree, schema_of)

    def is_uuid(node: exp.Expression) -> bool:
        field = fields.get(node.table, {}).get(node.name) if isinstance(node, exp.Column) else None
        return field is not None and is_uuid_field(field)

    changed = False
    for typed, constants in pairs:
        for constant in constants if is_uuid(typed) else []:
            canonical = canonical_uuid(constant.this)
            if canonical != constant.this:
                constant.replace(exp.Literal.string(canonical))
                changed = True
    return changed
