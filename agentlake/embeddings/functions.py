"""``embed(model, text)`` and ``embed_image(model, img)`` as DataFusion UDFs: each call gets a
whole Arrow batch and makes one model call per model named in it, over the distinct non-NULL
inputs (a query's own parameter arrives as a column repeating one value: embedded once)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from sqlglot import exp

from ..media import MEDIA_TYPE, BlobStore
from ..media.columns import media_values
from ..media.decode import decode_image
from ..vector.arrays import VECTOR_RESULT, from_matrix
from .registry import get_model


def _embed_distinct(models: pa.Array, inputs: list, key=lambda v: v) -> pa.Array:
    names = models.to_pylist()
    out: list = [None] * len(inputs)
    for name in {n for n in names if n is not None}:
        rows = [i for i, n in enumerate(names) if n == name and inputs[i] is not None]
        distinct: dict = {}
        for i in rows:
            distinct.setdefault(key(inputs[i]), inputs[i])
        if not distinct:
            continue
        vectors = get_model(name)(list(distinct.values()))
        position = {k: j for j, k in enumerate(distinct)}
        for i in rows:
            out[i] = vectors[position[key(inputs[i])]]
    dims = {len(v) for v in out if v is not None}
    dim = dims.pop() if len(dims) == 1 else 0
    matrix = (
        np.stack([v if v is not None else np.zeros(dim, np.float32) for v in out])
        if out
        else np.zeros((0, dim), np.float32)
    )
    return from_matrix(matrix, np.array([v is not None for v in out], bool))


def _embed(models: pa.Array, texts: pa.Array) -> pa.Array:
    return _embed_distinct(models, texts.to_pylist())


def register_embedding_functions(ctx, blobs: BlobStore) -> None:
    """Register ``embed`` and ``embed_image`` on a DataFusion ``SessionContext``."""
    from datafusion import udf

    def embed_image(models: pa.Array, images: pa.Array) -> pa.Array:
        data = media_values(images, blobs)
        decoded = [None if d is None else decode_image(d) for d in data]
        return _embed_distinct(models, decoded, key=id)

    ctx.register_udf(udf(_embed, [pa.string(), pa.string()], VECTOR_RESULT, "stable", name="embed"))
    ctx.register_udf(udf(embed_image, [pa.string(), MEDIA_TYPE], VECTOR_RESULT, "stable", name="embed_image"))


def fold_constant_embeddings(tree: exp.Expression) -> bool:
    """``embed('m', 'some text')`` with both arguments constant (a bound parameter is one) becomes the
    vector itself, before planning: the vector top-k path then sees ``ORDER BY e <=> <vector>``."""
    changed = False
    for node in list(tree.find_all(exp.Anonymous)):
        args = node.expressions
        if (
            node.name.lower() == "embed"
            and len(args) == 2
            and all(isinstance(a, exp.Literal) and a.is_string for a in args)
        ):
            vector = get_model(args[0].this)([args[1].this])[0]
            node.replace(
                exp.Anonymous(
                    this="vector_from_float4", expressions=[exp.HexString(this=vector.astype("<f4").tobytes().hex())]
                )
            )
            changed = True
    return changed
