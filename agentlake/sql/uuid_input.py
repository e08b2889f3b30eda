"""PostgreSQL's uuid input: 32 hex digits, in any case, with or without hyphens and braces, stored
and printed as the canonical lower-case hyphenated form; anything else is 22P02.

uuid columns are text underneath, so without this any text was stored as written: ``'x'`` was
accepted, and an upper-case uuid printed upper-case and did not equal the same uuid in lower case.
"""

from __future__ import annotations

import uuid

import pyarrow as pa

from ..errors import DataError
from .types import TYPE_KEY


def is_uuid_field(field: pa.Field) -> bool:
    """Whether a column is a uuid one (text underneath, tagged in its metadata)."""
    return (field.metadata or {}).get(TYPE_KEY) == b"uuid"


def canonical_uuid(text: str) -> str:
    """The canonical form of a uuid's text; 22P02 for text that is no uuid."""
    try:
        if text.strip() != text or text.lower().startswith("urn:"):
            raise ValueError(text)
        return str(uuid.UUID(text))
    except ValueError:
        raise DataError(f'[SQLSTATE 22P02] invalid input syntax for type uuid: "{text}"', sqlstate="22P02") from None


def canonical_uuids(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column of uuid texts in canonical form (NULLs kept)."""
    return pa.array(
        [None if t is None else canonical_uuid(t) for t in array.cast(pa.string()).to_pylist()], pa.string()
    )
