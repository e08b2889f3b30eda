"""An offline, deterministic embedding: words hashed into a fixed number of buckets, then normalised.

Texts that share words get close vectors, so similarity search returns meaningful, repeatable
orders without a model or a network; each framework's embeddings interface wraps ``embed``."""

from __future__ import annotations

import hashlib
import math
import re

DIMENSIONS = 16


def embed(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """A unit vector: each word adds a signed weight to the bucket its SHA-256 names."""
    vector = [0.0] * dimensions
    for word in re.findall(r"\w+", text.lower()):
        digest = hashlib.sha256(word.encode()).digest()
        bucket = int.from_bytes(digest[:4], "little") % dimensions
        vector[bucket] += 1.0 if digest[4] % 2 else -1.0
        vector[(bucket + 1 + digest[5] % (dimensions - 1)) % dimensions] += 0.5
    norm = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / norm for value in vector]
