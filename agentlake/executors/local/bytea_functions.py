"""bytea functions DataFusion lacks: its ``octet_length`` and ``length`` take strings only, and
``length`` of binary reads the bytes as UTF-8 (failing on most binary data); its encode/decode
have no ``escape`` format; and ``bit_count`` of a bytea, its set bits."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from ...sql.rules.bytea import ESCAPE_DECODE, ESCAPE_ENCODE, escape_decode

if TYPE_CHECKING:
    from datafusion import SessionContext


def _byte_count(values: pa.Array) -> pa.Array:
    return pc.cast(pc.binary_length(values), pa.int32())  # int4, as PostgreSQL's octet_length returns


def escape_encode(data: bytes) -> str:
    """PostgreSQL's encode(bytea, 'escape'): zero bytes and bytes with the high bit set as ``\\nnn``
    octal, a backslash doubled, every other byte as itself."""
    return "".join(
        "\\\\" if byte == 0x5C else f"\\{byte:03o}" if byte == 0 or byte >= 0x80 else chr(byte) for byte in data
    )


def _escape_encoded(values: pa.Array) -> pa.Array:
    return pa.array([None if v is None else escape_encode(v) for v in values.to_pylist()], pa.string())


def _escape_decoded(values: pa.Array) -> pa.Array:
    return pa.array([None if v is None else escape_decode(v) for v in values.to_pylist()], pa.binary())


def _set_bits(values: pa.Array) -> pa.Array:
    return pa.array([None if v is None else int.from_bytes(v).bit_count() for v in values.to_pylist()], pa.int64())


def register_bytea_functions(ctx: SessionContext) -> None:
    """``bytea_length`` (the number of bytes of a bytea value), the escape format's encode/decode
    and ``bit_count``."""
    from datafusion import udf

    ctx.register_udf(udf(_set_bits, [pa.binary()], pa.int64(), "immutable", name="bit_count"))
    ctx.register_udf(udf(_byte_count, [pa.binary()], pa.int32(), "immutable", name="bytea_length"))
    ctx.register_udf(udf(_escape_encoded, [pa.binary()], pa.string(), "immutable", name=ESCAPE_ENCODE))
    ctx.register_udf(udf(_escape_decoded, [pa.string()], pa.binary(), "immutable", name=ESCAPE_DECODE))
