"""The Arrow storage of media columns.

One struct serves all three kinds, so that the SQL functions over media have one signature
(DataFusion matches argument types exactly): the content's SHA-256, the bytes themselves when
they are small (``data``; NULL when they live in a blob object), their size, and what the header
said. Fields that do not apply to a kind are NULL (an image has no sample rate).
"""

from __future__ import annotations

import pyarrow as pa

TYPE_KEY = b"agentlake.type"
MEDIA_KINDS = ("image", "audio", "video")

MEDIA_TYPE = pa.struct(
    [
        ("sha256", pa.string()),
        ("data", pa.binary()),
        ("size", pa.int64()),
        ("format", pa.string()),
        ("width", pa.int32()),
        ("height", pa.int32()),
        ("channels", pa.int32()),
        ("sample_rate", pa.int32()),
        ("duration", pa.float64()),
        ("frames", pa.int64()),
    ]
)


def media_field(kind: str) -> tuple[pa.DataType, dict]:
    """(Arrow type, field metadata) of a column of ``kind`` (image, audio or video)."""
    return MEDIA_TYPE, {TYPE_KEY: kind.encode()}


def media_kind(field: pa.Field) -> str | None:
    """image, audio or video for a media column; None for any other."""
    tag = (field.metadata or {}).get(TYPE_KEY, b"").decode()
    return tag if tag in MEDIA_KINDS and field.type == MEDIA_TYPE else None
