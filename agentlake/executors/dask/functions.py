"""Scalar functions by name, applied to whole partition columns.

Each function takes Series (or scalars, for literal arguments) and returns a Series
or a scalar, using only methods pandas and cuDF share. Other modules add their own
(the vector layer registers ``l2_distance`` and friends) with
:func:`register_scalar_function`; a :class:`~agentlake.api.context.Context` keeps its own
overlay for ``register_function``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

ScalarFunction = Callable[..., Any]

_FUNCTIONS: dict[str, ScalarFunction] = {}
_PLANNER_UDFS: dict[str, Any] = {}


def register_scalar_function(name: str, fn: ScalarFunction, planner_udf: Any = None) -> None:
    """Make ``fn`` callable from compiled SQL as ``name`` (case-insensitive).

    DataFusion must know a function to plan a query that calls it: pass its
    ``datafusion.udf(...)`` as ``planner_udf`` for functions DataFusion lacks (vector
    distances, say), and every :class:`~agentlake.api.context.Context` registers it.
    """
    _FUNCTIONS[name.lower()] = fn
    if planner_udf is not None:
        _PLANNER_UDFS[name.lower()] = planner_udf


def planner_udfs() -> list[Any]:
    """DataFusion UDFs that sessions planning for the compiler must register."""
    return list(_PLANNER_UDFS.values())


def lookup(name: str, overlay: dict[str, ScalarFunction] | None = None) -> ScalarFunction | None:
    """The function called ``name``: the overlay first, then the global registry."""
    key = name.lower()
    if overlay and key in overlay:
        return overlay[key]
    return _FUNCTIONS.get(key)


def _is_series(x: Any) -> bool:
    return hasattr(x, "dtype") and hasattr(x, "index")


def _date_part(part: str, value: Any):
    part = str(part).lower()
    if not _is_series(value):
        import pandas as pd

        value = pd.Series([value]).astype("datetime64[ms]")
        return _date_part(part, value).iloc[0]
    dt = value.dt
    if part in ("year", "month", "day", "hour", "minute", "second", "quarter"):
        result = getattr(dt, part)
    elif part in ("dow",):
        result = (dt.dayofweek + 1) % 7
    elif part in ("doy",):
        result = dt.dayofyear
    elif part == "week":
        result = dt.isocalendar().week
    else:
        from ...errors import NotSupportedError

        raise NotSupportedError(f"date_part('{part}') is not supported by the dask executor")
    return result.astype("float64") if part == "second" else result.astype("int32")


def _substr(value: Any, start: Any, length: Any = None):
    begin = max(int(start) - 1, 0)
    stop = None if length is None else max(int(start) - 1 + int(length), 0)
    if _is_series(value):
        return value.str.slice(begin, stop)
    return None if value is None else value[begin:stop]


def _unary_str(method: str) -> ScalarFunction:
    def apply(value: Any, *args: Any):
        if _is_series(value):
            return getattr(value.str, method)(*args)
        return None if value is None else getattr(str, method)(value, *args)

    return apply


def _length(value: Any):
    return value.str.len() if _is_series(value) else (None if value is None else len(value))


def _concat(*values: Any):
    result = None
    for value in values:
        part = value.fillna("").astype("str") if _is_series(value) else ("" if value is None else str(value))
        result = part if result is None else result + part
    return result


def _coalesce(*values: Any):
    result = values[-1]
    for value in reversed(values[:-1]):
        result = value.fillna(result) if _is_series(value) else (result if value is None else value)
    return result


def _nullif(a: Any, b: Any):
    return a.where(a != b) if _is_series(a) else (None if a == b else a)


def _round(value: Any, digits: Any = 0):
    return value.round(int(digits)) if _is_series(value) else round(value, int(digits))


def _numeric(ufunc: Callable[[Any], Any], scalar: Callable[[float], float]) -> ScalarFunction:
    def apply(value: Any):
        return ufunc(value) if _is_series(value) else (None if value is None else scalar(value))

    return apply


def _power(base: Any, exponent: Any):
    return base**exponent


def _now():
    import pandas as pd

    return np.datetime64(pd.Timestamp.now(tz="UTC").tz_localize(None), "us")


def _starts_with(value: Any, prefix: Any):
    return value.str.startswith(prefix) if _is_series(value) else str(value).startswith(prefix)


def _strpos(value: Any, needle: Any):
    return value.str.find(needle) + 1 if _is_series(value) else str(value).find(needle) + 1


def _replace(value: Any, old: Any, new: Any):
    return value.str.replace(old, new, regex=False) if _is_series(value) else str(value).replace(old, new)


def _left(value: Any, n: Any):
    return _substr(value, 1, n)


def _right(value: Any, n: Any):
    return value.str.slice(-int(n)) if _is_series(value) else str(value)[-int(n) :]


for _name, _fn in {
    "date_part": _date_part,
    "datepart": _date_part,
    "substr": _substr,
    "substring": _substr,
    "upper": _unary_str("upper"),
    "lower": _unary_str("lower"),
    "trim": _unary_str("strip"),
    "btrim": _unary_str("strip"),
    "ltrim": _unary_str("lstrip"),
    "rtrim": _unary_str("rstrip"),
    "length": _length,
    "char_length": _length,
    "character_length": _length,
    "concat": _concat,
    "coalesce": _coalesce,
    "nullif": _nullif,
    "round": _round,
    "abs": _numeric(abs, abs),
    "floor": _numeric(np.floor, math.floor),
    "ceil": _numeric(np.ceil, math.ceil),
    "sqrt": _numeric(np.sqrt, math.sqrt),
    "ln": _numeric(np.log, math.log),
    "log10": _numeric(np.log10, math.log10),
    "exp": _numeric(np.exp, math.exp),
    "power": _power,
    "pow": _power,
    "now": _now,
    "starts_with": _starts_with,
    "strpos": _strpos,
    "replace": _replace,
    "left": _left,
    "right": _right,
}.items():
    register_scalar_function(_name, _fn)
