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
    return frame.map_partitions(lambda p: p.iloc[skip : skip + count], meta=meta)


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
        frame = project_frame(compiler, frame, exprs, computed, scope, keep_input=True)
    ascending = [s.ascending() for s in sort_exprs]
    nulls_first = [s.nulls_first() for s in sort_exprs]
    if fetch is None and frame.npartitions > 1:
        return distributed_sort(frame, keys, ascending, nulls_first, computed)
    sorter = _sorter(keys, ascending, nulls_first, None if fetch is None else int(fetch), computed)
    if fetch is not None:
        partial = _sorter(keys, ascending, nulls_first, int(fetch), [])
        frame = frame.map_partitions(partial, meta=frame._meta)
    frame = frame.repartition(npartitions=1)
    return frame.map_partitions(sorter, meta=sorter(frame._meta))


def distributed_sort(
    frame: dd.DataFrame, keys: list[str], ascending: list[bool], nulls_first: list[bool], drop: list[str]
) -> dd.DataFrame:
    """A full sort across partitions with Dask's sample-partitioned sort.

    Dask splits on the first key and cannot hold NULLs there, so rows with a NULL
    first key are sorted apart (by the other keys, in one partition) and put before
    or after the rest; later keys get a null-flag key in front, as in ``_sorter``.
    """
    first = keys[0]
    flags = {f"__null{i}": keys[i] for i in range(1, len(keys))}

    def add_flags(part):
        part = part.copy()
        for flag, key in flags.items():
            part[flag] = part[key].isna()
        return part

    present = frame[~frame[first].isna()]
    if flags:
        present = present.map_partitions(add_flags, meta=add_flags(present._meta))
    order, directions = [first], [ascending[0]]
    for i in range(1, len(keys)):
        order += [f"__null{i}", keys[i]]
        directions += [not nulls_first[i], ascending[i]]
    ordered = present.sort_values(order, ascending=directions)
    ordered = ordered.drop(columns=list(flags) + drop) if flags or drop else ordered
    missing = frame[frame[first].isna()].repartition(npartitions=1)
    if len(keys) > 1:
        rest = _sorter(keys[1:], ascending[1:], nulls_first[1:], None, drop)
        missing = missing.map_partitions(rest, meta=rest(missing._meta))
    elif drop:
        missing = missing.drop(columns=drop)
    return dd.concat([missing, ordered] if nulls_first[0] else [ordered, missing])


@handles("Limit")
def limit(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    frame = compiler.compile(plan.inputs()[0])
    skip = variant.skip()
    fetch = variant.fetch()
    skip_n = int(skip.python_value().as_py()) if skip is not None else 0
    if fetch is None:
        return frame.repartition(npartitions=1).map_partitions(lambda p: p.iloc[skip_n:], meta=frame._meta)
    return head(frame, int(fetch.python_value().as_py()), skip_n)
