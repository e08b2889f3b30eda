"""The rewrites decided by column types the catalog knows, run before a tree becomes DataFusion SQL."""

from __future__ import annotations

from sqlglot import exp

from ..sql.column_types import SchemaOf
from ..sql.float_comparisons import float_comparisons
from ..sql.rules.jsonb_comparisons import jsonb_comparisons
from ..sql.rules.jsonb_operators import jsonb_operators
from ..sql.rules.text_search import text_search
from ..sql.tensor_expressions import tensor_expressions
from ..vector.expressions import vector_expressions


def typed_rewrites(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Apply each, in place; True when any changed ``tree`` (its SQL then depends on the catalog,
    not only on its text, and must not be cached by text)."""
    changed = tensor_expressions(tree, schema_of)
    changed = vector_expressions(tree, schema_of) or changed
    changed = text_search(tree, schema_of) or changed
    changed = jsonb_operators(tree, schema_of) or changed
    changed = jsonb_comparisons(tree, schema_of) or changed
    return float_comparisons(tree, schema_of) or changed
