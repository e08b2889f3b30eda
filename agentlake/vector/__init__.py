"""The vector layer: pgvector-compatible SQL functions, per-file ANN indexes and multi-file top-k.

Nothing here imports a GPU library at import time; ``gpu_backend`` loads cuVS only
when a GPU index is asked for.
"""
from .functions import register_vector_functions
from .index import VectorIndex, create_index, load_index
from .search import FileVectors, SearchSettings, TopKResult, exact_search, topk

__all__ = ["register_vector_functions", "VectorIndex", "create_index", "load_index", "FileVectors",
           "SearchSettings", "TopKResult", "exact_search", "topk"]
