"""How a plan maps onto Dask, for ``Context.explain``."""

from __future__ import annotations

_DASK_OPS = {
    "TableScan": "read_parquet row-group pieces (dd.from_map) with column projection and pruning",
    "Projection": "map_partitions (evaluate expressions)",
    "Filter": "map_partitions (boolean mask); fused into the scan when directly above one",
    "Aggregate": "map_partitions (keys, arguments) -> groupby().agg tree reduction",
    "Join": "merge (hash shuffle, or broadcast when one side has one partition)",
    "Sort": "per-partition top-k + one final sort when fetch is set, else one-partition sort",
    "Limit": "per-partition head + one-partition slice",
    "SubqueryAlias": "rename columns",
    "Subquery": "compiled once, reduced to a Dask scalar",
    "Union": "dd.concat",
    "Distinct": "drop_duplicates",
    "WindowExpr": "shuffle on PARTITION BY -> per-partition sort and window functions",
    "Values": "from_pandas (one partition)",
    "EmptyRelation": "from_pandas (one partition)",
}


def describe_plan(plan, indent: int = 0) -> str:
    """One line per plan node: the node and the Dask operations it becomes."""
    variant = type(plan.to_variant()).__name__
    line = f"{'  ' * indent}{variant} -> {_DASK_OPS.get(variant, 'NOT SUPPORTED (falls back to DataFusion)')}"
    return "\n".join([line] + [describe_plan(child, indent + 1) for child in plan.inputs()])
