"""Sort (with or without fetch) and Limit.

A sort with a fetch is a top-k: every partition keeps its own best ``k`` rows, and
one final task sorts those few rows, so no full shuffle or sort ever happens. Each
key gets a null-flag key ahead of it so NULLS FIRST/LAST holds per key (pandas has
one ``na_position`` for all keys).
"""
from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from ..registry import Compiler, handles
from .projection import project_frame


def _sorter(keys: list[str], ascending: list[bool], nulls_first: list[bool], fetch: int | None, drop: list[str]):
    def sort(part):
        work = part.copy()
        order, directions = [], []
        for i, (key, asc, first) in enumerate(zip(keys, ascending, nulls_first)):
            flag = f"__null{i}"
            work[flag] = work[key].isna()
            order += [flag, key]
            directions += [not first, asc]
        work = work.sort_values(order, ascending=directions, kind="stable") if len(work) else work
        if fetch is not None:
            work = work.head(fetch)
        return work.drop(columns=[f"__null{i}" for i in range(len(keys))] + drop)

    return sort


def head(frame: dd.DataFrame, count: int, skip: int = 0) -> dd.DataFrame:
    """Rows ``skip`` to ``skip + count`` in partition order, reduced to one partition.

    Partition counts known before Dask lowers the graph can change, so the reduction
    to one partition always happens (it is free on one partition).
    """
    meta = frame._meta
    frame = frame.map_partitions(lambda p: p.head(skip + count), meta=meta).repartition(npartitions=1)
    return frame.map_partitions(lambda p: p.iloc[skip: skip + count], meta=meta)


@handles("Sort")
def sort(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    child = plan.inputs()[0]
    frame = compiler.compile(child)
    scope = compiler.scope(child)
    sort_exprs = list(variant.sort_exprs())
    fetch = variant.get_fetch_val()
    keys, computed, exprs = [], [], []
    for i, s in enumerate(sort_exprs):
        e = s.expr()
        if e.variant_name() == "Column":
            keys.append(scope.resolve(e.to_variant().qualified_name()))
        else:
            keys.append(f"__sortkey{i}")
            computed.append(f"__sortkey{i}")
            exprs.append(e)
    if exprs:
        frame = dd.concat([frame, project_frame(compiler, frame, exprs, computed, scope)], axis=1)
    sorter = _sorter(keys, [s.ascending() for s in sort_exprs], [s.nulls_first() for s in sort_exprs],
                     None if fetch is None else int(fetch), computed)
    if fetch is not None:
        partial = _sorter(keys, [s.ascending() for s in sort_exprs], [s.nulls_first() for s in sort_exprs],
                          int(fetch), [])
        frame = frame.map_partitions(partial, meta=frame._meta).repartition(npartitions=1)
    else:
        frame = frame.repartition(npartitions=1)
    return frame.map_partitions(sorter, meta=sorter(frame._meta))


@handles("Limit")
def limit(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    frame = compiler.compile(plan.inputs()[0])
    skip = variant.skip()
    fetch = variant.fetch()
    skip_n = int(skip.python_value().as_py()) if skip is not None else 0
    if fetch is None:
        return frame.repartition(npartitions=1).map_partitions(lambda p: p.iloc[skip_n:], meta=frame._meta)
    return head(frame, int(fetch.python_value().as_py()), skip_n)
