"""pg_catalog and information_schema for PostgreSQL clients, planned by DataFusion.

``register_pg_catalog(ctx, tables, ...)`` installs the catalog relations (Arrow
tables built from the branch's real tables) and the catalog functions (UDFs)
into a DataFusion session; ``rewrite.RULES`` map PostgreSQL-only syntax onto
them. Call it again whenever the branch's tables change.
"""

from __future__ import annotations

from importlib import import_module

from .tables import TableInfo, relation_oid
from .types import VECTOR_OID, PgType, lookup

_LAZY = {"register_pg_catalog": "catalog", "RULES": "rewrite"}


def __getattr__(name: str):
    """DataFusion is imported only with the parts that register into it, so a server starting
    cold (or a client that never asks the catalog) does not pay for it."""
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["RULES", "PgType", "TableInfo", "VECTOR_OID", "lookup", "register_pg_catalog", "relation_oid"]
