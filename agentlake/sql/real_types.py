"""``sum`` of a real is a real, as in PostgreSQL (``sum(float4)`` returns float4).

DataFusion sums a Float32 column into a Float64, so ``sum(r)`` of 0.1 and 0.2 came back as
0.30000000447034836, the float8 nearest the float4 sum, where PostgreSQL prints 0.3. The sum
(over a window or with a FILTER too) is cast back to real, keeping the name it was written as.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, columns_of_type, is_column_in
from .rules.column_names import PG_NAME, pg_name

_REAL = exp.DataType.Type.FLOAT


def real_sums(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the sums of real columns and of casts to real; True when any was."""
    sums = list(tree.find_all(exp.Sum))
    if not sums:
        return False
    reals = columns_of_type(tree, schema_of, pa.types.is_float32)
    changed = False
    for call in sums:
        operand = call.this
        if not (is_column_in(operand, reals) or (isinstance(operand, exp.Cast) and operand.to.this == _REAL)):
            continue
        whole: exp.Expression = call
        while isinstance(whole.parent, (exp.Window, exp.Filter)) and whole.parent.this is whole:
            whole = whole.parent
        typed = exp.Cast(this=whole.copy(), to=exp.DataType.build("REAL"))
        typed.meta[PG_NAME] = pg_name(whole)
        whole.replace(typed)
        changed = True
    return changed
