"""Set-returning functions in a select list, as PostgreSQL runs them: a row for each element.

``SELECT generate_series(1, 3)`` is three rows in PostgreSQL; DataFusion's ``generate_series`` in a
select list is one row holding a list. Each such call (``generate_series``,
``jsonb_array_elements``, ``jsonb_array_elements_text``, ``jsonb_object_keys``, ``jsonb_path_query``) becomes the
``unnest`` of the list its FROM form reads (``sql.set_returning_calls``), typed and named as
PostgreSQL does (int4 for int4 arguments, jsonb elements, the column named after the function).
DataFusion expands the unnests of one select list together and pads the shorter with NULL, which
is PostgreSQL's rule since version 10. Calls with several output columns (``jsonb_each``) are left
as they are.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME
from .set_returning_calls import parse_call

_SERIES = (exp.ExplodingGenerateSeries, exp.GenerateSeries)
_ONE_COLUMN = frozenset({"jsonb_array_elements", "jsonb_array_elements_text", "jsonb_object_keys", "jsonb_path_query"})


def _is_call(node: exp.Expression) -> bool:
    return isinstance(node, _SERIES) or (isinstance(node, exp.Anonymous) and node.name.lower() in _ONE_COLUMN)


def _own_select(node: exp.Expression) -> exp.Select | None:
    """The select whose list ``node`` is in (None: inside an unnest, which runs it already)."""
    parent = node.parent
    while parent is not None and not isinstance(parent, exp.Select):
        if isinstance(parent, exp.Unnest):
            return None
        parent = parent.parent
    return parent


def set_returning_select(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, every set-returning call of a select list; True when there was any."""
    calls = [
        node
        for select in tree.find_all(exp.Select)
        for item in select.expressions
        for node in item.find_all(*_SERIES, exp.Anonymous)
        if _is_call(node) and _own_select(node) is select
    ]
    if not calls:
        return False
    fields = column_fields(tree, schema_of)

    def type_of(node: exp.Expression) -> pa.DataType | None:
        field = fields.get(node.table, {}).get(node.name) if isinstance(node, exp.Column) else None
        return field.type if field is not None else None

    changed = False
    for node in calls:
        call = parse_call(node, type_of)
        if call is None or len(call.values) != 1:
            continue
        value = call.values[0]([exp.Unnest(expressions=[lst]) for lst in call.lists])
        value.meta[PG_NAME] = call.function
        node.replace(value)
        changed = True
    return changed
