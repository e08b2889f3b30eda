"""Join: inner, left, right, full, semi and anti on equi keys, plus an extra filter.

SQL never matches NULL keys, while pandas merges NaN with NaN, so rows with a NULL
key are kept out of every match and added back where the join type keeps them.
A join with a non-equi filter is an inner merge plus the filter; outer, semi and anti
forms then find their unmatched rows by a row id given to each side.
"""

from __future__ import annotations

from typing import Any

import dask.dataframe as dd

from ....errors import NotSupportedError
from ..registry import Compiler, field_names, handles
from .projection import filter_frame, project_frame

_MARK = "__matched"


def _with_row_id(frame: dd.DataFrame, name: str) -> dd.DataFrame:
    """A unique int64 id per row: partition number in the high bits, position in the low."""

    def assign(part, partition_info=None):
        number = partition_info["number"] if partition_info else 0
        part = part.copy()
        part[name] = (number << 40) + part[[]].reset_index(drop=True).index.to_series().values
        return part

    meta = frame._meta.copy()
    meta[name] = meta.index.to_series().astype("int64").values
    return frame.map_partitions(assign, meta=meta)


def _keys(compiler, frame, plan, exprs, prefix) -> tuple[dd.DataFrame, list[str]]:
    """Key columns of one side: existing columns by name, computed ones added."""
    scope = compiler.scope(plan)
    if all(e.variant_name() == "Column" for e in exprs):
        return frame, [scope.resolve(e.to_variant().qualified_name()) for e in exprs]
    names = [f"{prefix}{i}" for i in range(len(exprs))]
    return project_frame(compiler, frame, exprs, names, scope, keep_input=True), names


def _not_null(frame, keys):
    return frame.dropna(subset=keys)


def _only_null(frame, keys):
    return frame[frame[keys].isna().any(axis=1)]


def _not_in(kept: dd.DataFrame, keys: list[str], values: dd.DataFrame) -> dd.DataFrame:
    """SQL's ``x NOT IN (subquery)`` beyond the anti join: against an empty subquery every row
    passes, NULL included; once the subquery holds a NULL no row does (each test is NULL or
    false); otherwise a NULL ``x`` does not."""

    def narrow(part, rows, nulls):
        if rows == 0:
            return part
        if nulls:
            return part.iloc[0:0]
        return part[part[keys].notna().all(axis=1)]

    rows, nulls = values.shape[0], values.isna().any(axis=1).any()
    return kept.map_partitions(narrow, rows, nulls, meta=kept._meta)


def _matched_ids(frame: dd.DataFrame, id_name: str) -> dd.DataFrame:
    ids = frame[[id_name]].drop_duplicates()
    return ids.assign(**{_MARK: True})


def _semi_or_anti(left, ids, id_name, anti: bool):
    merged = left.merge(ids, on=id_name, how="left")
    kept = merged[merged[_MARK].isna()] if anti else merged[~merged[_MARK].isna()]
    return kept.drop(columns=[_MARK, id_name])


@handles("Join")
def join(compiler: Compiler, plan, variant: Any) -> dd.DataFrame:
    left_plan, right_plan = plan.inputs()
    kind = str(variant.join_type())
    left = compiler.compile(left_plan)
    right = compiler.compile(right_plan)
    on = list(variant.on())
    if not on:
        if kind != "Inner":
            raise NotSupportedError(f"{kind} join without equality keys is not supported by the dask executor")
        left, right = left.assign(__cross=0), right.assign(__cross=0)
        left_keys = right_keys = ["__cross"]
    else:
        left, left_keys = _keys(compiler, left, left_plan, [left_key for left_key, _ in on], "__lk")
        right, right_keys = _keys(compiler, right, right_plan, [right_key for _, right_key in on], "__rk")
    left_cols, right_cols = field_names(left_plan), field_names(right_plan)
    condition = variant.filter()
    scope = compiler.scope(left_plan, right_plan)

    def merge(a, b, how):
        return a.merge(b, left_on=left_keys, right_on=right_keys, how=how)

    if kind in ("LeftSemi", "LeftAnti", "RightSemi", "RightAnti"):
        keep_left = kind.startswith("Left")
        probe, build = (left, right) if keep_left else (right, left)
        probe_keys, build_keys = (left_keys, right_keys) if keep_left else (right_keys, left_keys)
        probe_cols = left_cols if keep_left else right_cols
        if condition is None:
            found = _not_null(build[build_keys], build_keys).drop_duplicates().assign(**{_MARK: True})
            merged = probe.merge(found, left_on=probe_keys, right_on=build_keys, how="left")
            kept = merged[merged[_MARK].isna()] if kind.endswith("Anti") else merged[~merged[_MARK].isna()]
            if kind == "LeftAnti" and plan.display().endswith("null_aware"):
                kept = _not_in(kept, probe_keys, build[build_keys])
            return kept[probe_cols]
        probe = _with_row_id(probe, "__probe_id")
        a, b = (probe, build) if keep_left else (build, probe)
        matched = filter_frame(
            compiler, merge(_not_null(a, left_keys), _not_null(b, right_keys), "inner"), [condition], scope
        )
        return _semi_or_anti(probe, _matched_ids(matched, "__probe_id"), "__probe_id", kind.endswith("Anti"))[
            probe_cols
        ]

    how = {"Inner": "inner", "Left": "left", "Right": "right", "Full": "outer"}.get(kind)
    if how is None:
        raise NotSupportedError(f"{kind} join is not supported by the dask executor")
    columns = left_cols + right_cols
    if condition is None:
        inner_left = left if how in ("left", "outer") else _not_null(left, left_keys)
        inner_right = right if how in ("right", "outer") else _not_null(right, right_keys)
        if how == "outer":
            result = dd.concat(
                [
                    merge(_not_null(left, left_keys), _not_null(right, right_keys), "outer"),
                    _only_null(left, left_keys),
                    _only_null(right, right_keys),
                ]
            )
        elif how == "left":
            result = merge(inner_left, _not_null(right, right_keys), "left")
        elif how == "right":
            result = merge(_not_null(left, left_keys), inner_right, "right")
        else:
            result = merge(inner_left, inner_right, "inner")
        return result[columns]
    if how != "inner":
        left, right = _with_row_id(left, "__left_id"), _with_row_id(right, "__right_id")
    matched = filter_frame(
        compiler, merge(_not_null(left, left_keys), _not_null(right, right_keys), "inner"), [condition], scope
    )
    pieces = [matched]
    if how in ("left", "outer"):
        pieces.append(_semi_or_anti(left, _matched_ids(matched, "__left_id"), "__left_id", anti=True))
    if how in ("right", "outer"):
        pieces.append(_semi_or_anti(right, _matched_ids(matched, "__right_id"), "__right_id", anti=True))
    return dd.concat(pieces)[columns] if len(pieces) > 1 else matched[columns]
