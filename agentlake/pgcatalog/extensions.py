"""The extensions this engine provides, as CREATE EXTENSION and pg_extension know them.

plpgsql is always installed, as in every PostgreSQL database. pgvector's types and functions are
built into the engine, but the extension itself is installed per branch by CREATE EXTENSION (the
catalog's commits record it), so pg_extension lists it only where a script has created it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

PGVECTOR_VERSION = "0.8.2"
"""The pgvector release whose SQL this engine speaks (halfvec, sparsevec, bit distances and the
iterative scan settings of 0.8; pgvector's 0.8 regression suite is benchmarks/pgvector_regress.py)."""


@dataclass(frozen=True)
class Extension:
    """A row of pg_available_extensions, with the facts pg_extension reports once it is installed."""

    name: str
    version: str
    oid: int
    schema: str
    relocatable: bool
    comment: str
    """Its control file's comment: pg_description's text for it (psql's ``\\dx``)."""
    always_installed: bool = False


AVAILABLE: dict[str, Extension] = {
    e.name: e
    for e in (
        Extension("plpgsql", "1.0", 13_000, "pg_catalog", False, "PL/pgSQL procedural language", always_installed=True),
        Extension(
            "vector", PGVECTOR_VERSION, 16_500, "public", True, "vector data type and ivfflat and hnsw access methods"
        ),
    )
}


def installed(recorded: Mapping[str, str]) -> list[tuple[Extension, str]]:
    """The installed extensions and their versions, by name: the built-in ones and those a branch
    recorded (name -> version installed)."""
    out = [(e, e.version) for e in AVAILABLE.values() if e.always_installed]
    out += [(AVAILABLE[name], version) for name, version in recorded.items() if name in AVAILABLE]
    return sorted(out, key=lambda pair: pair[0].name)
