"""A uuid column compared with text constants compares uuids, as in PostgreSQL.

PostgreSQL reads ``u = 'A0EEBC99-9C0B-...'`` as a uuid comparison: the constant goes through uuid
input, so any case and spelling of the same uuid matches, and text that is no uuid is 22P02.
uuid columns are text underneath, kept canonical (``sql.uuid_input``); so are the constants
compared with them here (``=``, ``<>``, ordering, ``IN``).
"""

from __future__ import annotations

from sqlglot import exp

from .column_types import SchemaOf
from .constant_comparisons import constants_compared_with
from .uuid_input import canonical_uuid, is_uuid_field


def uuid_comparisons(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Make, in place, the text constants compared with uuid columns canonical; True when any was."""
    changed = False
    for constant in constants_compared_with(tree, schema_of, is_uuid_field):
        canonical = canonical_uuid(constant.this)
        if canonical != constant.this:
            constant.replace(exp.Literal.string(canonical))
            changed = True
    return changed
