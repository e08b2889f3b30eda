"""pgvector's functions as DataFusion UDFs, each one numpy call over a whole Arrow batch.

The SQL front end rewrites ``a <-> b`` to ``l2_distance(a, b)``, ``<=>`` to
``cosine_distance``, ``<#>`` to ``negative_inner_product``, ``<+>`` to ``l1_distance``
and ``'[1,2]'::vector`` to ``to_vector('[1,2]')`` (bound parameters arrive as
``vector_from_float4`` of their bytes); this module gives those names a meaning.
Vector arguments are declared ``list<float32>`` so that DataFusion accepts any vector
column (``fixed_size_list`` of any size, float32 or float64) and literals alike.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyarrow as pa
from datafusion import Accumulator, SessionContext, udaf, udf

from ..errors import DataError, keep_sqlstate
from ..sql.types import SPARSEVEC_TYPE
from .aggregate_states import state_functions
from .arrays import (
    VECTOR_RESULT,
    VECTOR_TYPE,
    expected_dimensions,
    float4_vector,
    from_matrix,
    parse_vector,
    to_matrix,
    vector_text,
)
from .bitvec import BIT_FUNCTIONS
from .halfvec import HALFVEC_RESULT, half_result, halfvec_functions
from .metrics import dimension_error, distance, normalized, norms
from .sparsevec import sparsevec_functions

STATE_TYPE = pa.list_(pa.float64())
DISTANCES = {"l2_distance": "l2", "cosine_distance": "cosine", "negative_inner_product": "ip", "l1_distance": "l1"}


def _paired(left: pa.Array, right: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, a_valid, a_len = to_matrix(left)
    b, b_valid, b_len = to_matrix(right)
    valid = a_valid & b_valid
    wrong = valid & (a_len != b_len)
    if wrong.any():
        row = int(np.argmax(wrong))
        raise dimension_error(int(a_len[row]), int(b_len[row]))
    return a, b, valid


_FLOAT4_MAX = float(np.finfo(np.float32).max)


def _float4_sums(metric: str, a: np.ndarray, b: np.ndarray, result: np.ndarray) -> np.ndarray:
    """pgvector sums in float4: a sum beyond float4's range is infinity (and cosine's infinite norms
    give NaN), where the float8 sums here stay finite."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if metric == "l2":
            return np.where(result * result > _FLOAT4_MAX, np.inf, result)
        if metric in ("ip", "l1"):
            return np.where(np.abs(result) > _FLOAT4_MAX, np.copysign(np.inf, result), result)
        wide_a, wide_b = a.astype(np.float64), b.astype(np.float64)
        dot, na, nb = (np.einsum("ij,ij->i", x, y) for x, y in ((wide_a, wide_b), (wide_a, wide_a), (wide_b, wide_b)))
        overflow = (np.abs(dot) > _FLOAT4_MAX) | (na > _FLOAT4_MAX) | (nb > _FLOAT4_MAX)
        if not overflow.any():
            return result
        narrow = [np.where(np.abs(x) > _FLOAT4_MAX, np.copysign(np.inf, x), x) for x in (dot, na, nb)]
        similarity = np.clip(narrow[0] / np.sqrt(narrow[1] * narrow[2]), -1.0, 1.0)
        return np.where(overflow, 1.0 - similarity, result)


def _distance_udf(metric: str, sign: float = 1.0) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        a, b, valid = _paired(left, right)
        if a.shape[1] != b.shape[1]:  # every row NULL on one side, or ragged all-NULL input
            return pa.nulls(len(valid), pa.float64())
        return pa.array(sign * _float4_sums(metric, a, b, distance(a, b, metric)), pa.float64(), mask=~valid)

    return call


def _elementwise(combine: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Callable[[pa.Array, pa.Array], pa.Array]:
    """pgvector's ``+``, ``-`` and ``*``: element by element, in float4, dimensions equal."""

    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        a, b, valid = _paired(_uniform(left), _uniform(right))
        if a.shape[1] != b.shape[1]:  # every row NULL on one side
            return pa.nulls(len(valid), VECTOR_RESULT)
        with np.errstate(over="ignore"):
            out = combine(a, b)
        if not np.isfinite(out[valid]).all():
            raise DataError("[SQLSTATE 22003] value out of range: overflow", sqlstate="22003")
        if combine is np.multiply and ((out == 0) & (a != 0) & (b != 0))[valid].any():
            raise DataError("[SQLSTATE 22003] value out of range: underflow", sqlstate="22003")
        return from_matrix(out, valid)

    return call


def _as_text(v: pa.Array) -> pa.Array:
    values, valid, lengths = to_matrix(v)
    return pa.array([vector_text(row[:n]) if ok else None for row, ok, n in zip(values, valid, lengths)], pa.string())


def _with_dimensions(v: pa.Array, dims: pa.Array) -> pa.Array:
    """``x::vector(n)``: the vectors unchanged, once each is checked to have n dimensions."""
    _, valid, lengths = to_matrix(v)
    want = np.asarray(dims.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    wrong = valid & (lengths != want)
    if wrong.any():
        row = int(np.argmax(wrong))
        raise expected_dimensions(int(want[row]), int(lengths[row]))
    return v.cast(VECTOR_RESULT)


def _dims(v: pa.Array) -> pa.Array:
    _, valid, lengths = to_matrix(v)
    return pa.array(lengths.astype(np.int32), pa.int32(), mask=~valid)


def _norm(v: pa.Array) -> pa.Array:
    values, valid, _ = to_matrix(v)
    return pa.array(norms(values), pa.float64(), mask=~valid)


def _l2_normalize(v: pa.Array) -> pa.Array:
    values, valid, _ = to_matrix(_uniform(v), np.float64)  # in float8, as pgvector: [3e38] is [1]
    return from_matrix(normalized(values), valid)


def _uniform(v: pa.Array) -> pa.Array:
    """Functions returning vectors need one dimension per batch (rows of one column always have it)."""
    _, valid, lengths = to_matrix(v)
    present = lengths[valid]
    if len(present) and (present != present[0]).any():
        raise dimension_error(int(present[0]), int(present[present != present[0]][0]))
    return v


def _subvector(v: pa.Array, start: pa.Array, count: pa.Array) -> pa.Array:
    """pgvector's subvector: 1-based start, ``count`` elements, clipped to the vector like PostgreSQL arrays."""
    values, valid, lengths = to_matrix(_uniform(v))
    first = np.asarray(start.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    take = np.asarray(count.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    valid = valid & np.asarray(start.is_valid()) & np.asarray(count.is_valid())
    lo = np.clip(first - 1, 0, lengths)
    hi = np.clip(first - 1 + take, 0, lengths)
    if (valid & (hi <= lo)).any():
        raise DataError("[SQLSTATE 22000] vector must have at least 1 dimension", sqlstate="22000")
    width = np.where(valid, hi - lo, 0)
    rows = np.repeat(np.arange(len(values)), width)
    cols = np.repeat(lo, width) + (np.arange(width.sum()) - np.repeat(np.cumsum(width) - width, width))
    offsets = pa.array(np.concatenate([[0], np.cumsum(width)]).astype(np.int32))
    return pa.ListArray.from_arrays(
        offsets,
        pa.array(values[rows, cols], pa.float32()),
        type=VECTOR_RESULT,
        mask=None if valid.all() else pa.array(~valid),
    )


def _element(v: pa.Array, i: pa.Array) -> pa.Array:
    """Element ``i`` (1-based, as PostgreSQL subscripts); out of range is NULL, like arrays."""
    values, valid, lengths = to_matrix(v)
    index = np.asarray(i.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    inside = valid & np.asarray(i.is_valid()) & (index >= 1) & (index <= lengths)
    picked = (
        values[np.arange(len(values)), np.clip(index - 1, 0, max(values.shape[1] - 1, 0))]
        if values.size
        else np.zeros(len(values), dtype=np.float32)
    )
    return pa.array(picked, pa.float32(), mask=~inside)


def _decoded(values: pa.Array, decode) -> pa.Array:
    """Decodes each distinct value once: literals arrive as a column repeating one value."""
    distinct = values.dictionary_encode()
    parsed = [decode(s) if s is not None else None for s in distinct.dictionary.to_pylist()]
    dims = {len(p) for p in parsed if p is not None}
    if len(dims) > 1:
        first, second = sorted(dims)[:2]
        raise dimension_error(first, second)
    dim = dims.pop() if dims else 0
    table = (
        np.stack([p if p is not None else np.zeros(dim, np.float32) for p in parsed])
        if parsed
        else np.zeros((0, dim), np.float32)
    )
    codes = distinct.indices.fill_null(0).to_numpy(zero_copy_only=False)
    valid = np.asarray(distinct.indices.is_valid())
    return from_matrix(table[codes] if len(table) else np.zeros((len(values), dim), np.float32), valid)


def _to_vector(text: pa.Array) -> pa.Array:
    return _decoded(text, parse_vector)


def _vector_from_float4(data: pa.Array) -> pa.Array:
    return _decoded(data, float4_vector)


def _cmp(left: pa.Array, right: pa.Array) -> pa.Array:
    """pgvector's vector_cmp: element by element, then the shorter first (what B-tree ordering uses)."""
    out = []
    for a, b in zip(left.to_pylist(), right.to_pylist()):
        if a is None or b is None:
            out.append(None)
            continue
        common = min(len(a), len(b))
        pa32, pb32 = np.asarray(a[:common], np.float32), np.asarray(b[:common], np.float32)
        differ = np.nonzero(pa32 != pb32)[0]
        if len(differ):
            out.append(-1 if pa32[differ[0]] < pb32[differ[0]] else 1)
        else:
            out.append((len(a) > len(b)) - (len(a) < len(b)))
    return pa.array(out, pa.int32())


def _concat(left: pa.Array, right: pa.Array) -> pa.Array:
    """``a || b``: the elements of a, then those of b (at most 16,000, as pgvector allows)."""
    rows = []
    for a, b in zip(left.to_pylist(), right.to_pylist()):
        if a is not None and b is not None and len(a) + len(b) > 16000:
            raise DataError("[SQLSTATE 54000] vector cannot have more than 16000 dimensions", sqlstate="54000")
        rows.append(None if a is None or b is None else a + b)
    return pa.array(rows, VECTOR_RESULT)


def _binary_quantize(v: pa.Array) -> pa.Array:
    """pgvector's binary_quantize: bit i is 1 where element i is positive (a bit string)."""
    values, valid, lengths = to_matrix(v)
    return pa.array(
        ["".join("1" if x > 0 else "0" for x in row[:n]) if ok else None for row, ok, n in zip(values, valid, lengths)],
        pa.string(),
    )


class _VectorSum(Accumulator):
    """Sum (and count) of non-NULL vectors; ``vector_avg`` divides at the end. The errors are
    pgvector's: its avg accumulates with ``vector_accum`` (``expected 2 dimensions, not 1``), its sum
    adds with ``vector_add`` (``different vector dimensions 2 and 1``, and an overflow error where
    a sum leaves the type's range)."""

    average = False
    kind = "vector"
    element = np.float32

    def __init__(self) -> None:
        self.total: np.ndarray | None = None
        self.count = 0

    def _check_dimensions(self, lengths: np.ndarray) -> None:
        if not len(lengths):
            return
        expected = len(self.total) if self.total is not None else int(lengths[0])
        wrong = lengths != expected
        if not wrong.any():
            return
        got = int(lengths[wrong][0])
        if self.average:
            raise expected_dimensions(expected, got)
        raise DataError(f"[SQLSTATE 22000] different {self.kind} dimensions {expected} and {got}", sqlstate="22000")

    def _add(self, values: np.ndarray, count: int) -> None:
        self.total = values if self.total is None else self.total + values
        self.count += count
        if not self.average:
            with np.errstate(over="ignore"):
                if np.isinf(self.total.astype(self.element)).any():
                    raise DataError("[SQLSTATE 22003] value out of range: overflow", sqlstate="22003")

    def update(self, values: pa.Array) -> None:
        matrix, valid, lengths = to_matrix(values, np.float64)
        self._check_dimensions(lengths[valid])
        if valid.any():
            self._add(matrix[valid].sum(axis=0), int(valid.sum()))

    def merge(self, states: list[pa.Array]) -> None:
        totals, counts = states
        count = counts.fill_null(0).to_numpy(zero_copy_only=False)
        seen = count > 0
        if seen.any():
            matrix, valid, lengths = to_matrix(totals.filter(pa.array(seen)), np.float64)
            self._check_dimensions(lengths[valid])
            count = count[seen]
            self._add(matrix[valid].sum(axis=0), int(count[valid].sum()))

    def state(self) -> list[pa.Scalar]:
        # an empty list, not NULL, while nothing was seen: DataFusion cannot take a NULL list scalar as state
        total = [] if self.total is None else self.total.tolist()
        return [pa.scalar(total, STATE_TYPE), pa.scalar(self.count, pa.int64())]

    def evaluate(self) -> pa.Scalar:
        # datafusion-python 55 fails on a NULL list scalar from a UDAF; no input gives an empty vector
        if self.total is None:
            return pa.scalar([], VECTOR_RESULT)
        result = self.total / self.count if self.average else self.total
        return pa.scalar(result.astype(np.float32).tolist(), VECTOR_RESULT)


class _VectorAvg(_VectorSum):
    average = True


class _HalfvecSum(_VectorSum):
    """halfvec's sum: accumulated in float8 like the vector one, narrowed to float16 at the end
    (beyond float16 is pgvector's overflow error)."""

    kind = "halfvec"
    element = np.float16

    def evaluate(self) -> pa.Scalar:
        vector = super().evaluate()
        return half_result(pa.array([vector.as_py()], VECTOR_RESULT))[0]


class _HalfvecAvg(_HalfvecSum):
    average = True


SCALAR_FUNCTIONS: dict[str, tuple[Callable[..., pa.Array], list[pa.DataType], pa.DataType]] = {
    **{name: (_distance_udf(metric), [VECTOR_TYPE, VECTOR_TYPE], pa.float64()) for name, metric in DISTANCES.items()},
    "inner_product": (_distance_udf("ip", -1.0), [VECTOR_TYPE, VECTOR_TYPE], pa.float64()),
    "vector_dims": (_dims, [VECTOR_TYPE], pa.int32()),
    "vector_norm": (_norm, [VECTOR_TYPE], pa.float64()),
    "l2_normalize": (_l2_normalize, [VECTOR_TYPE], VECTOR_RESULT),
    "subvector": (_subvector, [VECTOR_TYPE, pa.int64(), pa.int64()], VECTOR_RESULT),
    "vector_element": (_element, [VECTOR_TYPE, pa.int64()], pa.float32()),
    "to_vector": (_to_vector, [pa.string()], VECTOR_RESULT),
    "vector_with_dimensions": (_with_dimensions, [VECTOR_TYPE, pa.int64()], VECTOR_RESULT),
    "vector_from_float4": (_vector_from_float4, [pa.binary()], VECTOR_RESULT),
    "vector_add": (_elementwise(np.add), [VECTOR_TYPE, VECTOR_TYPE], VECTOR_RESULT),
    "vector_sub": (_elementwise(np.subtract), [VECTOR_TYPE, VECTOR_TYPE], VECTOR_RESULT),
    "vector_mul": (_elementwise(np.multiply), [VECTOR_TYPE, VECTOR_TYPE], VECTOR_RESULT),
    "vector_to_text": (_as_text, [VECTOR_TYPE], pa.string()),
    "l2_norm": (_norm, [VECTOR_TYPE], pa.float64()),
    "vector_cmp": (_cmp, [VECTOR_TYPE, VECTOR_TYPE], pa.int32()),
    "vector_concat": (_concat, [VECTOR_TYPE, VECTOR_TYPE], VECTOR_RESULT),
    "binary_quantize": (_binary_quantize, [VECTOR_TYPE], pa.string()),
}
"""Every scalar vector function: (function over Arrow arrays of one length, argument types, result type).
DataFusion calls them per batch; the Dask executor calls the same ones per partition."""

AGGREGATES = {
    "vector_sum": (_VectorSum, VECTOR_RESULT),
    "vector_avg": (_VectorAvg, VECTOR_RESULT),
    "halfvec_sum": (_HalfvecSum, HALFVEC_RESULT),
    "halfvec_avg": (_HalfvecAvg, HALFVEC_RESULT),
}


ALL_SCALAR_FUNCTIONS = {
    **SCALAR_FUNCTIONS,
    **halfvec_functions(SCALAR_FUNCTIONS),
    **sparsevec_functions(VECTOR_RESULT),
    **state_functions(),
    **BIT_FUNCTIONS,
}
"""The vector functions with their halfvec and sparsevec overloads (``halfvec_<name>``,
``sparsevec_<name>``) and conversions."""


def _volatility(output: pa.DataType) -> str:
    """Every function is immutable, but one whose result is a sparsevec is declared volatile so that
    DataFusion does not fold it: DataFusion 55 does not see a folded struct-of-lists literal as equal
    to itself across the branches of a union, so ``ORDER BY v <-> '{1:3}/3'`` over a table of several
    data files (a union of per-file scans, each sorted) failed its plan's order check."""
    return "volatile" if output == SPARSEVEC_TYPE else "immutable"


def register_vector_functions(ctx: SessionContext) -> None:
    """Register every vector function and aggregate on ``ctx`` (idempotent: re-registering replaces)."""
    for name, (fn, inputs, output) in ALL_SCALAR_FUNCTIONS.items():
        ctx.register_udf(udf(fn, inputs, output, _volatility(output), name=name))
    for name, (accumulator, output) in AGGREGATES.items():
        state = [STATE_TYPE, pa.int64()]
        ctx.register_udaf(udaf(keep_sqlstate(accumulator), [VECTOR_TYPE], output, state, "immutable", name=name))
