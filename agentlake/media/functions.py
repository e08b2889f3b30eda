"""SQL functions over media columns, as DataFusion UDFs over whole Arrow batches.

The header facts (``width(img)``, ``sample_rate(a)``, ...) read the stored struct and decode
nothing; ``image_decode``, ``image_resize``, ``audio_decode`` and ``video_frames`` fetch the bytes
(inline, or from the repository's blobs) and return tensors in the query-time form.
"""

from __future__ import annotations

from typing import Callable

import pyarrow as pa
import pyarrow.compute as pc

from ..tensors.arrays import compute_array
from ..tensors.types import COMPUTE_TYPE
from .blobs import BlobStore
from .columns import reader
from .decode import decode_audio, decode_image, decode_video
from .types import MEDIA_TYPE

_FACTS = {
    "width": ("width", pa.int32()),
    "height": ("height", pa.int32()),
    "channels": ("channels", pa.int32()),
    "sample_rate": ("sample_rate", pa.int32()),
    "duration": ("duration", pa.float64()),
    "frame_count": ("frames", pa.int64()),
    "media_format": ("format", pa.string()),
    "media_size": ("size", pa.int64()),
    "media_sha256": ("sha256", pa.string()),
}
"""SQL name -> (struct field, type); ``format`` is PostgreSQL's string function, hence media_format."""

MEDIA_TENSOR_FUNCTIONS = frozenset({"image_decode", "image_resize", "audio_decode", "video_frames"})


def _fact(field: str) -> Callable[[pa.Array], pa.Array]:
    def call(values: pa.Array) -> pa.Array:
        return pc.struct_field(values, field)  # NULL where the whole value is NULL

    return call


def _decoding(blobs: BlobStore, decode: Callable) -> Callable[..., pa.Array]:
    read = reader(blobs)

    def call(values: pa.Array, *args: pa.Array) -> pa.Array:
        rows = values.to_pylist()
        extra = [a.to_pylist() for a in args]
        out = []
        for i, row in enumerate(rows):
            params = [e[i] for e in extra]
            out.append(None if row is None or any(p is None for p in params) else decode(read(row), *params))
        return compute_array(out)

    return call


FACT_FUNCTIONS: dict[str, tuple[Callable[..., pa.Array], list[pa.DataType], pa.DataType]] = {
    name: (_fact(field), [MEDIA_TYPE], out) for name, (field, out) in _FACTS.items()
}
"""The header facts: (function over Arrow arrays, argument types, result type); no blobs read."""


def decoding_functions(blobs: BlobStore) -> dict[str, tuple[Callable[..., pa.Array], list[pa.DataType], pa.DataType]]:
    """The decoders reading values from ``blobs``: (function over Arrow arrays, argument types, result type)."""
    decoders = {
        "image_decode": (lambda data: decode_image(data), []),
        "image_resize": (lambda data, w, h: decode_image(data, (int(w), int(h))), [pa.int64(), pa.int64()]),
        "audio_decode": (decode_audio, []),
        "video_frames": (lambda data, fps: decode_video(data, float(fps) or None), [pa.float64()]),
    }
    return {
        name: (_decoding(blobs, decode), [MEDIA_TYPE, *extra], COMPUTE_TYPE)
        for name, (decode, extra) in decoders.items()
    }


def register_media_functions(ctx, blobs: BlobStore) -> None:
    """Register the media functions on a DataFusion ``SessionContext``, reading blobs from ``blobs``."""
    from datafusion import udf

    for name, (fn, inputs, output) in {**FACT_FUNCTIONS, **decoding_functions(blobs)}.items():
        ctx.register_udf(udf(fn, inputs, output, "immutable", name=name))
