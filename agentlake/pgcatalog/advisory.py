"""The names of PostgreSQL's advisory lock functions, which the engine implements (they act on its
sessions); kept here, free of DataFusion, for the rewrite that names their overloads and the wire
server that types their parameters."""

from __future__ import annotations

ADVISORY_LOCK_FUNCTIONS = (
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_shared",
)
"""PostgreSQL's advisory lock functions, each as f(bigint) and f(int4, int4); the engine registers them
(they act on its sessions), the second form as ``<name>_int4`` (see :func:`rewrite.overloads`)."""
