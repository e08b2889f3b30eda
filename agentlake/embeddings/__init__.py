"""Embeddings computed by the database: models registered by name, called once per batch of rows
(``embed('model', text)`` in SQL, generated columns filled on INSERT and COPY)."""

from .registry import DEFAULT_MODEL, Model, get_model, register_model

__all__ = ["DEFAULT_MODEL", "Model", "get_model", "register_model"]
