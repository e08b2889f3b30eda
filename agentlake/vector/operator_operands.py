"""pgvector's distance operators exist for its own operand types only: ``<->``, ``<#>``, ``<=>`` and
``<+>`` between vectors (vector, halfvec, sparsevec), ``<~>`` and ``<%>`` between bit strings. A
column of the other family beside one is PostgreSQL's 42883 (``operator does not exist: bit <->
unknown``), found here from the catalog's column types before DataFusion reports a coercion failure
(or the top-k search reads a bit string as a vector)."""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from ..errors import ProgrammingError
from ..sql.dialect import CosineDistance, HammingDistance, JaccardDistance, L1Distance, NegativeInnerProduct
from ..sql.types import TYPE_KEY, is_sparsevec

_VECTOR_SYMBOLS = {exp.Distance: "<->", CosineDistance: "<=>", NegativeInnerProduct: "<#>", L1Distance: "<+>"}
_BIT_SYMBOLS = {HammingDistance: "<~>", JaccardDistance: "<%>"}
_BIT_TYPES = {b"bit": "bit", b"varbit": "bit varying"}


def _type_name(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> str | None:
    """PostgreSQL's name of ``node``'s type when it is a column of a vector or bit type, ``unknown`` for
    a quoted literal; None otherwise (left to the rest of the front end)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Literal) and node.is_string:
        return "unknown"
    field = fields.get(node.table, {}).get(node.name) if isinstance(node, exp.Column) else None
    if field is None:
        return None
    tagged = (field.metadata or {}).get(TYPE_KEY)
    if tagged in _BIT_TYPES:
        return _BIT_TYPES[tagged]
    if is_sparsevec(field.type):
        return "sparsevec"
    if (pa.types.is_fixed_size_list(field.type) or pa.types.is_list(field.type)) and pa.types.is_floating(
        field.type.value_type
    ):
        return "halfvec" if pa.types.is_float16(field.type.value_type) else "vector"
    return None


def check_operator_operands(tree: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> None:
    """Raise 42883 for a vector distance operator with a bit string column, or a bit one with a vector column."""
    for node in tree.find_all(*_VECTOR_SYMBOLS, *_BIT_SYMBOLS):
        names = [_type_name(node.this, fields), _type_name(node.expression, fields)]
        wrong = ("bit", "bit varying") if type(node) in _VECTOR_SYMBOLS else ("vector", "halfvec", "sparsevec")
        if any(name in wrong for name in names):
            symbol = _VECTOR_SYMBOLS.get(type(node)) or _BIT_SYMBOLS[type(node)]
            left, right = (name or "unknown" for name in names)
            raise ProgrammingError(
                f"operator does not exist: {left} {symbol} {right}",
                sqlstate="42883",
                hint="No operator matches the given name and argument types. You might need to add explicit type casts.",
            )
