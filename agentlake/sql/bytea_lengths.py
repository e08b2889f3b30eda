"""``octet_length``, ``length`` and ``bit_length`` of bytea count its bytes (and bits), as in PostgreSQL.

DataFusion's functions of those names take strings only; over bytea they become the local executor's
``bytea_length``. Which arguments are bytea only the catalog knows (a column's type), so this is a
typed rewrite; bytea expressions are bytea columns, casts to bytea, ``decode``, ``convert_to`` and
the digests (``sha256`` and its kin).
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import Columns, SchemaOf, columns_of_type, is_column_in
from .rules.column_names import PG_NAME, pg_name

_BYTEA_TYPES = (exp.DataType.Type.VARBINARY, exp.DataType.Type.BINARY)


def _is_binary(t: pa.DataType) -> bool:
    return pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t)


def _is_bytea(node: exp.Expression, columns: Columns) -> bool:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast):
        return node.to.this in _BYTEA_TYPES
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in _BYTEA_FUNCTIONS
    return isinstance(node, (exp.HexString, exp.Decode, exp.SHA2Digest)) or is_column_in(node, columns)


_BYTEA_FUNCTIONS = frozenset({"convert_to", "sha224", "sha256", "sha384", "sha512", "digest", "hmac"})
"""The functions PostgreSQL (with pgcrypto) gives bytea from, as sqlglot leaves them by name."""


def _argument(node: exp.Expression) -> exp.Expression | None:
    """The operand of a length function (None for anything else)."""
    if isinstance(node, (exp.Length, exp.BitLength)):
        return node.this
    if isinstance(node, exp.Anonymous) and node.name.lower() == "octet_length" and len(node.expressions) == 1:
        return node.expressions[0]
    return None


def bytea_lengths(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the length functions over bytea; True when any was."""
    calls = [node for node in tree.find_all(exp.Length, exp.BitLength, exp.Anonymous) if _argument(node) is not None]
    if not calls:
        return False
    columns = columns_of_type(tree, schema_of, _is_binary)
    changed = False
    for node in calls:
        operand = _argument(node)
        if not _is_bytea(operand, columns):
            continue
        new: exp.Expression = exp.Anonymous(this="bytea_length", expressions=[operand.copy()])
        if isinstance(node, exp.BitLength):
            new = exp.Cast(this=exp.Mul(this=new, expression=exp.Literal.number(8)), to=exp.DataType.build("INT"))
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            new.meta[PG_NAME] = pg_name(node)
        node.replace(new)
        changed = True
    return changed
