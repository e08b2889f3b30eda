"""pgvector's ``sparsevec``: ``{1:0.5,7:2}/10``, stored sparse as Arrow ``struct<dim, indices, values>``.

Indices are kept 0-based and ascending, as pgvector keeps them, and zeros are never stored, so a
10^9-dimension vector with three non-zeros is three entries. Each function follows pgvector's C
code: float4 accumulation for distances, float8 for norms, and its errors word for word.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np
import pyarrow as pa

from ..errors import DataError
from ..sql.types import SPARSEVEC_TYPE, is_sparsevec
from .dense_text import SPACE, check_elements, syntax_error
from .halfvec import HALFVEC_RESULT, half_result

MAX_DIM = 1_000_000_000
MAX_NNZ = 16000
_STRTOL = re.compile(r"[+-]?\d+")
_STRTOF = re.compile(r"[+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)", re.IGNORECASE)
_INT_MAX = 2**31 - 1

Sparse = tuple[int, np.ndarray, np.ndarray]
"""(dim, 0-based indices int32, values float32)."""


def _error(message: str, sqlstate: str = "22000") -> DataError:
    return DataError(f"[SQLSTATE {sqlstate}] {message}", sqlstate=sqlstate)


def check_dim(dim: int) -> None:
    if dim < 1:
        raise _error("sparsevec must have at least 1 dimension")
    if dim > MAX_DIM:
        raise _error(f"sparsevec cannot have more than {MAX_DIM} dimensions", "54000")


def _check_indices(indices: np.ndarray, dim: int) -> None:
    for i, index in enumerate(indices):
        if index < 0 or index >= dim:
            raise _error("sparsevec index out of bounds")
        if i and index == indices[i - 1]:
            raise _error("sparsevec indices must not contain duplicates")


def parse_sparse(text: str) -> Sparse:
    """``{i:v,...}/dim`` as pgvector's sparsevec_in reads it (indices 1-based in the text)."""
    if text.count(",") + 1 > MAX_NNZ:
        raise _error(f"sparsevec cannot have more than {MAX_NNZ} non-zero elements", "54000")
    pt = text.lstrip(SPACE)
    if not pt.startswith("{"):
        raise syntax_error("sparsevec", text, 'Vector contents must start with "{".')
    pt = pt[1:].lstrip(SPACE)
    pairs: list[tuple[int, np.float32]] = []
    if pt.startswith("}"):
        pt = pt[1:]
    else:
        while True:
            pt = pt.lstrip(SPACE)
            match = _STRTOL.match(pt)
            if match is None:
                raise syntax_error("sparsevec", text)
            index = min(max(int(match.group(0)), -_INT_MAX), _INT_MAX)
            pt = pt[match.end() :].lstrip(SPACE)
            if not pt.startswith(":"):
                raise syntax_error("sparsevec", text)
            pt = pt[1:].lstrip(SPACE)
            match = _STRTOF.match(pt)
            if match is None:
                raise syntax_error("sparsevec", text)
            token = match.group(0)
            wide = float(token)
            with np.errstate(over="ignore", under="ignore"):
                value = np.float32(wide)
            if (np.isinf(value) and not np.isinf(wide)) or (value == 0 and wide != 0):
                raise _error(f'"{token}" is out of range for type sparsevec', "22003")
            check_elements(np.asarray([value]), "sparsevec")
            if value != 0:
                pairs.append((index - 1, value))
            pt = pt[match.end() :].lstrip(SPACE)
            if pt.startswith(","):
                pt = pt[1:]
            elif pt.startswith("}"):
                pt = pt[1:]
                break
            else:
                raise syntax_error("sparsevec", text)
    pt = pt.lstrip(SPACE)
    if not pt.startswith("/"):
        raise syntax_error("sparsevec", text, "Unexpected end of input.")
    pt = pt[1:].lstrip(SPACE)
    match = _STRTOL.match(pt)
    if match is None:
        raise syntax_error("sparsevec", text)
    dim = min(max(int(match.group(0)), -_INT_MAX - 1), _INT_MAX)
    if pt[match.end() :].strip(SPACE):
        raise syntax_error("sparsevec", text, "Junk after closing.")
    check_dim(dim)
    pairs.sort(key=lambda pair: pair[0])
    indices = np.array([i for i, _ in pairs], dtype=np.int64)
    _check_indices(indices, dim)
    return dim, indices.astype(np.int32), np.array([v for _, v in pairs], dtype=np.float32)


def sparse_text(value: dict | Sparse) -> str:
    """pgvector's sparsevec_out: ``{1:1.5,3:3.5}/5``."""
    from .arrays import float4_digits

    dim, indices, values = (value["dim"], value["indices"], value["values"]) if isinstance(value, dict) else value
    return "{" + ",".join(f"{i + 1}:{float4_digits(v)}" for i, v in zip(indices, values)) + "}/" + str(dim)


def rows(array: pa.Array) -> list[Sparse | None]:
    return [
        None if v is None else (v["dim"], np.asarray(v["indices"], np.int64), np.asarray(v["values"], np.float32))
        for v in array.to_pylist()
    ]


def to_arrow(values: list[Sparse | None]) -> pa.Array:
    return pa.array(
        [
            None
            if v is None
            else {"dim": int(v[0]), "indices": [int(i) for i in v[1]], "values": [float(x) for x in v[2]]}
            for v in values
        ],
        SPARSEVEC_TYPE,
    )


def _pairwise(op: Callable[[Sparse, Sparse], float]) -> Callable[[pa.Array, pa.Array], pa.Array]:
    def call(left: pa.Array, right: pa.Array) -> pa.Array:
        out = []
        for a, b in zip(rows(left), rows(right)):
            if a is None or b is None:
                out.append(None)
                continue
            if a[0] != b[0]:
                raise _error(f"different sparsevec dimensions {a[0]} and {b[0]}")
            out.append(op(a, b))
        return pa.array(out, pa.float64())

    return call


def _aligned(a: Sparse, b: Sparse) -> tuple[np.ndarray, np.ndarray]:
    """Both vectors' values over the union of their non-zero indices (zeros where one lacks it)."""
    union = np.union1d(a[1], b[1])
    x, y = np.zeros(len(union), np.float32), np.zeros(len(union), np.float32)
    x[np.searchsorted(union, a[1])] = a[2]
    y[np.searchsorted(union, b[1])] = b[2]
    return x, y


def _float4_sum(values: np.ndarray) -> float:
    """A float4 running sum, as pgvector's loops accumulate."""
    total = np.float32(0)
    with np.errstate(over="ignore"):
        for v in values:
            total = np.float32(total + v)
    return float(total)


def _l2(a: Sparse, b: Sparse) -> float:
    x, y = _aligned(a, b)
    with np.errstate(over="ignore"):
        return float(np.sqrt(np.float64(_float4_sum((x - y) * (x - y)))))


def _ip(a: Sparse, b: Sparse) -> float:
    common, ia, ib = np.intersect1d(a[1], b[1], return_indices=True)
    with np.errstate(over="ignore"):
        return _float4_sum(a[2][ia] * b[2][ib])


def _cosine(a: Sparse, b: Sparse) -> float:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        similarity = _ip(a, b) / np.sqrt(np.float64(_float4_sum(a[2] * a[2])) * np.float64(_float4_sum(b[2] * b[2])))
    return float(1.0 - min(max(similarity, -1.0), 1.0)) if not np.isnan(similarity) else float("nan")


def _l1(a: Sparse, b: Sparse) -> float:
    x, y = _aligned(a, b)
    with np.errstate(over="ignore"):
        return _float4_sum(np.abs(x - y))


def _cmp(a: Sparse, b: Sparse) -> int:
    """pgvector's sparsevec_cmp_internal: values before dimensions, as for PostgreSQL arrays."""
    (adim, ai, ax), (bdim, bi, bx) = a, b
    nnz = min(len(ai), len(bi))
    for i in range(nnz):
        if ai[i] < bi[i]:
            return -1 if ax[i] < 0 else 1
        if ai[i] > bi[i]:
            return 1 if bx[i] < 0 else -1
        if ax[i] != bx[i]:
            return -1 if ax[i] < bx[i] else 1
    if len(ai) < len(bi) and bi[nnz] < adim:
        return 1 if bx[nnz] < 0 else -1
    if len(ai) > len(bi) and ai[nnz] < bdim:
        return -1 if ax[nnz] < 0 else 1
    return (adim > bdim) - (adim < bdim)


def _cmp_udf(left: pa.Array, right: pa.Array) -> pa.Array:
    return pa.array(
        [None if a is None or b is None else _cmp(a, b) for a, b in zip(rows(left), rows(right))], pa.int32()
    )


def _unary(op: Callable[[Sparse], object], out_type: pa.DataType) -> Callable[[pa.Array], pa.Array]:
    def call(v: pa.Array) -> pa.Array:
        results = [None if s is None else op(s) for s in rows(v)]
        return to_arrow(results) if out_type == SPARSEVEC_TYPE else pa.array(results, out_type)

    return call


def _norm(s: Sparse) -> float:
    return float(np.sqrt(np.sum(s[2].astype(np.float64) ** 2)))


def _normalize(s: Sparse) -> Sparse:
    norm = _norm(s)
    if norm <= 0:
        return s
    with np.errstate(over="ignore"):
        values = (s[2].astype(np.float64) / norm).astype(np.float32)
    if np.isinf(values).any():
        raise _error("value out of range: overflow", "22003")
    keep = values != 0
    return s[0], s[1][keep], values[keep]


def _to_sparsevec(text: pa.Array) -> pa.Array:
    distinct = text.dictionary_encode()
    parsed = [None if t is None else parse_sparse(t) for t in distinct.dictionary.to_pylist()]
    return to_arrow([None if i is None else parsed[i] for i in distinct.indices.to_pylist()])


def _with_dimensions(v: pa.Array, dims: pa.Array) -> pa.Array:
    for s, want in zip(rows(v), dims.to_pylist()):
        if s is not None and want is not None and s[0] != want:
            raise _error(f"expected {want} dimensions, not {s[0]}")
    return v


def _from_dense(v: pa.Array) -> pa.Array:
    """``vector``/``halfvec``/``real[]`` to sparsevec: the non-zero elements (NULL elements refused)."""
    out = []
    for item in v.to_pylist():
        if item is None:
            out.append(None)
            continue
        if any(x is None for x in item):
            raise _error("array must not contain nulls", "22004")
        with np.errstate(over="ignore"):
            values = np.asarray(item, dtype=np.float64).astype(np.float32)
        check_dim(len(values))
        check_elements(values, "sparsevec")
        nonzero = np.nonzero(values)[0]
        out.append((len(values), nonzero.astype(np.int32), values[nonzero]))
    return to_arrow(out)


def _to_dense(kind_max: int, kind: str) -> Callable[[pa.Array], pa.Array]:
    """sparsevec to vector (or halfvec): zeros filled in, at most ``kind_max`` dimensions."""

    def call(v: pa.Array) -> pa.Array:
        out = []
        for s in rows(v):
            if s is None:
                out.append(None)
                continue
            if s[0] > kind_max:
                raise _error(f"{kind} cannot have more than {kind_max} dimensions", "54000")
            dense = np.zeros(s[0], np.float32)
            dense[s[1]] = s[2]
            out.append(dense.tolist())
        return pa.array(out, pa.list_(pa.float32()))

    return call


def _as_text(v: pa.Array) -> pa.Array:
    return pa.array([None if s is None else sparse_text(s) for s in rows(v)], pa.string())


def as_sparsevecs(array: pa.Array, dim: int | None) -> pa.Array:
    """A ``sparsevec(dim)`` column from text, sparse values or dense lists (what INSERT and COPY store);
    ``dim`` None: any dimension."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        array = _to_sparsevec(array)
    elif pa.types.is_null(array.type):
        return pa.nulls(len(array), SPARSEVEC_TYPE)
    elif not is_sparsevec(array.type):
        array = _from_dense(array)
    return array if dim is None else _with_dimensions(array, pa.array([dim] * len(array), pa.int64()))


def sparsevec_functions(vector_result: pa.DataType) -> dict:
    """The sparsevec functions (``sparsevec_<name>``), conversions and casts, as the vector layer's table."""
    to_vector, to_halfvec = _to_dense(16000, "vector"), _to_dense(16000, "halfvec")
    return {
        "to_sparsevec": (_to_sparsevec, [pa.string()], SPARSEVEC_TYPE),
        "sparsevec_vector_with_dimensions": (_with_dimensions, [SPARSEVEC_TYPE, pa.int64()], SPARSEVEC_TYPE),
        "sparsevec_l2_distance": (_pairwise(_l2), [SPARSEVEC_TYPE, SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_inner_product": (_pairwise(_ip), [SPARSEVEC_TYPE, SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_negative_inner_product": (
            _pairwise(lambda a, b: -_ip(a, b)),
            [SPARSEVEC_TYPE, SPARSEVEC_TYPE],
            pa.float64(),
        ),
        "sparsevec_cosine_distance": (_pairwise(_cosine), [SPARSEVEC_TYPE, SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_l1_distance": (_pairwise(_l1), [SPARSEVEC_TYPE, SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_vector_cmp": (_cmp_udf, [SPARSEVEC_TYPE, SPARSEVEC_TYPE], pa.int32()),
        "sparsevec_l2_norm": (_unary(_norm, pa.float64()), [SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_vector_norm": (_unary(_norm, pa.float64()), [SPARSEVEC_TYPE], pa.float64()),
        "sparsevec_l2_normalize": (_unary(_normalize, SPARSEVEC_TYPE), [SPARSEVEC_TYPE], SPARSEVEC_TYPE),
        "sparsevec_vector_dims": (_unary(lambda s: s[0], pa.int32()), [SPARSEVEC_TYPE], pa.int32()),
        "array_to_sparsevec": (_from_dense, [pa.list_(pa.float64())], SPARSEVEC_TYPE),
        "sparsevec_to_vector": (lambda v: to_vector(v).cast(vector_result), [SPARSEVEC_TYPE], vector_result),
        "sparsevec_to_halfvec": (
            lambda v: half_result(to_halfvec(v), overflow=False),
            [SPARSEVEC_TYPE],
            HALFVEC_RESULT,
        ),
        "sparsevec_to_text": (_as_text, [SPARSEVEC_TYPE], pa.string()),
    }
