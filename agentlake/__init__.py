"""agentlake: a versioned SQL + vector database for fleets of AI agents.

``agentlake.connect(repo, branch=...)`` gives each agent its own copy-on-write
branch of every table; ``agentlake.Context`` answers SQL as Dask frames.
"""

from __future__ import annotations

from .api.connection import Connection, connect
from .api.cursor import Cursor
from .embeddings import register_model
from .errors import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    MergeConflict,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    SerializationFailure,
    Warning,
)

apilevel = "2.0"
threadsafety = 1
paramstyle = "pyformat"
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "Context":  # Dask is imported only by those who ask for it
        from .api.context import Context

        return Context
    raise AttributeError(f"module 'agentlake' has no attribute {name!r}")


__all__ = [
    "Connection",
    "Context",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "MergeConflict",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "SerializationFailure",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "register_model",
    "threadsafety",
]
