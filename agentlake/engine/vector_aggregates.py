"""pgvector's ``avg(vector)`` and ``sum(vector)``.

Which aggregate ``avg(x)`` means depends on the type of ``x``, which the SQL text does not
say and DataFusion cannot overload (a function named ``avg`` would replace the numeric one).
The catalog knows: a call over a vector column of a table the statement reads, or over an
expression that makes a vector, becomes ``vector_avg`` / ``vector_sum``.
"""
from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from catalog.snapshot import Snapshot

_VECTOR_AGGREGATES = {exp.Avg: "vector_avg", exp.Sum: "vector_sum"}
_MAKES_VECTORS = {"to_vector", "vector_with_dimensions", "vector_from_float4", "l2_normalize", "subvector"}


def vector_aggregates(tree: exp.Expression, snapshot: Snapshot) -> bool:
    """Rename, in place, every avg/sum whose argument is a vector; True when any was."""
    calls = [node for node in tree.find_all(exp.Avg, exp.Sum) if not isinstance(node.this, exp.Distinct)]
    if not calls:
        return False
    columns = _vector_columns(tree, snapshot)
    renamed = False
    for call in calls:
        if _is_vector(call.this, columns):
            vector_call = exp.Anonymous(this=_VECTOR_AGGREGATES[type(call)], expressions=[call.this])
            if isinstance(call.parent, exp.Select) and call.arg_key == "expressions":  # the column keeps its name
                vector_call = exp.alias_(vector_call, call.key)
            call.replace(vector_call)
            renamed = True
    return renamed


def _vector_columns(tree: exp.Expression, snapshot: Snapshot) -> dict[str, set[str]]:
    """Vector column names of the tables the statement reads, by the names it reads them as
    (an alias, the table's name) and under "" for unqualified references."""
    out: dict[str, set[str]] = {"": set()}
    for table in tree.find_all(exp.Table):
        manifest = snapshot.tables.get(table.name)
        if manifest is None:
            continue
        names = {f.name for f in manifest.schema if pa.types.is_fixed_size_list(f.type)}
        for qualifier in {table.name, table.alias_or_name, ""}:
            out.setdefault(qualifier, set()).update(names)
    return out


def _is_vector(node: exp.Expression, columns: dict[str, set[str]]) -> bool:
    if isinstance(node, exp.Column):
        return node.name in columns.get(node.table, ())
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.VECTOR or str(node.to.args.get("kind", "")).lower() == "vector"
    return isinstance(node, exp.Anonymous) and node.name.lower() in _MAKES_VECTORS
