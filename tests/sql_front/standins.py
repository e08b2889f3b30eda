"""Tiny numpy stand-ins for the vector layer's UDFs, so rewritten SQL can run on a bare DataFusion context.

The real UDFs come from the vector helper; these only need the same names and
argument shapes to prove that the generated SQL plans and computes.
"""

from __future__ import annotations

import functools
import json

import datafusion
import numpy as np
import pyarrow as pa
from datafusion import udf

from agentlake.sql.uuid_input import canonical_uuids

VECTOR3 = pa.list_(pa.float32(), 3)


def _rows(array: pa.Array) -> np.ndarray:
    return np.asarray(array.to_pylist(), dtype=np.float64)


def _distance(fn):
    def call(a: pa.Array, b: pa.Array) -> pa.Array:
        return pa.array(fn(_rows(a), _rows(b)), pa.float64())

    return call


DISTANCES = {
    "l2_distance": _distance(lambda a, b: np.linalg.norm(a - b, axis=1)),
    "cosine_distance": _distance(
        lambda a, b: 1 - (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    ),
    "negative_inner_product": _distance(lambda a, b: -(a * b).sum(1)),
    "l1_distance": _distance(lambda a, b: np.abs(a - b).sum(1)),
}


def _to_vector(text: pa.Array) -> pa.Array:
    return pa.array([json.loads(t) for t in text.to_pylist()], VECTOR3)


def _from_float4(data: pa.Array) -> pa.Array:
    return pa.array([np.frombuffer(b, "<f4").tolist() for b in data.to_pylist()], VECTOR3)


def _json_get(path_type: pa.DataType):
    def call(doc: pa.Array, key: pa.Array) -> pa.Array:
        out = []
        for d, k in zip(doc.to_pylist(), key.to_pylist()):
            value = json.loads(d)
            value = value[k] if isinstance(value, list) else value.get(k)
            out.append(
                value if value is None or path_type == pa.string() and isinstance(value, str) else json.dumps(value)
            )
        return pa.array(out, pa.string())

    return call


@functools.lru_cache(maxsize=1)
def context() -> datafusion.SessionContext:
    """A DataFusion context (shared, read-only) with the stand-in UDFs and a small table ``items``."""
    ctx = datafusion.SessionContext()
    for name, fn in DISTANCES.items():
        ctx.register_udf(udf(fn, [VECTOR3, VECTOR3], pa.float64(), "immutable", name))
    ctx.register_udf(udf(_to_vector, [pa.string()], VECTOR3, "immutable", "to_vector"))
    ctx.register_udf(udf(_from_float4, [pa.binary()], VECTOR3, "immutable", "vector_from_float4"))
    ctx.register_udf(udf(lambda v, dims: v, [VECTOR3, pa.int64()], VECTOR3, "immutable", "vector_with_dimensions"))
    ctx.register_udf(
        udf(_json_get(pa.large_string()), [pa.string(), pa.string()], pa.string(), "immutable", "json_get")
    )
    ctx.register_udf(udf(_json_get(pa.string()), [pa.string(), pa.string()], pa.string(), "immutable", "json_get_text"))
    ctx.register_udf(udf(lambda text: text, [pa.string()], pa.string(), "immutable", "jsonb_in"))  # ::jsonb
    ctx.register_udf(udf(canonical_uuids, [pa.string()], pa.string(), "immutable", "uuid_in"))  # ::uuid, the real one
    items = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int32()),
            "name": ["apple", "Banana", "cherry"],
            "doc": ['{"a": "x", "n": 1}', '{"a": "y", "n": 2}', '{"a": "z", "n": 3}'],
            "ts": pa.array([0, 86_400_000_000, 2 * 86_400_000_000], pa.timestamp("us", tz="UTC")),
            "embedding": pa.array([[1, 0, 0], [0, 1, 0], [1, 1, 0]], VECTOR3),
        }
    )
    ctx.register_record_batches("items", [items.to_batches()])
    return ctx
