"""The vector layer: pgvector-compatible SQL functions, per-file ANN indexes and multi-file top-k.

Nothing here imports a GPU library at import time; ``gpu_backend`` loads cuVS only
when a GPU index is asked for, and the SQL functions load DataFusion only when registered.
"""

from .index import VectorIndex, create_index, load_index
from .search import FileVectors, SearchSettings, TopKResult, exact_search, topk


def __getattr__(name: str):
    if name == "register_vector_functions":
        from .functions import register_vector_functions

        return register_vector_functions
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "register_vector_functions",
    "VectorIndex",
    "create_index",
    "load_index",
    "FileVectors",
    "SearchSettings",
    "TopKResult",
    "exact_search",
    "topk",
]
