"""PostgreSQL full-text search: the default parser, the simple and english configurations,
tsvector and tsquery values, @@ matching and ranking, as DataFusion functions."""

from .functions import register_fulltext_functions

__all__ = ["register_fulltext_functions"]
