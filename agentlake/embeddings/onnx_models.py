"""Models run by onnxruntime: an ``.onnx`` file over a batch of arrays, and a sentence-transformers
directory whose transformer runs from its ``onnx/model.onnx`` export.

sentence-transformers' own ``backend="onnx"`` goes through optimum-onnx, whose releases require
transformers < 4.58 while sentence-transformers 6 requires transformers 5 (and optimum fails to
import on it), so it cannot be installed beside them. The directory's tokenizer and its modules
after the transformer (pooling, normalization) still come from sentence-transformers; only the
transformer's forward pass is the ONNX graph's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import DataError, NotSupportedError, ProgrammingError

ONNX_EXPORT = Path("onnx") / "model.onnx"
"""Where a sentence-transformers directory keeps its ONNX export (as the Hugging Face Hub lays it out)."""


def _session(path: Path):
    """An onnxruntime session over ``path``, on CUDA when this onnxruntime build has it."""
    try:
        import onnxruntime
    except ImportError:
        raise NotSupportedError("ONNX models need the embeddings extra (onnxruntime)", sqlstate="0A000") from None
    wanted = ("CUDAExecutionProvider", "CPUExecutionProvider")
    providers = [p for p in wanted if p in onnxruntime.get_available_providers()]
    try:
        return onnxruntime.InferenceSession(str(path), providers=providers)
    except Exception as err:  # onnxruntime raises its own exception types, not exported by name
        raise DataError(f'"{path}" is not an ONNX model onnxruntime can run: {err}', sqlstate="22023") from None


def _refuse(name: str, takes: str, item: Any) -> DataError:
    """A model handed the wrong kind of value is a wrong argument value (22023), not a missing function
    (42883): ``embed`` and ``embed_image`` resolve by their argument types, and which model a
    call names is one of its values, known only when the call runs."""
    return DataError(f'[SQLSTATE 22023] model "{name}" takes {takes}, not {type(item).__name__}', sqlstate="22023")


def onnx_array_model(path: Path) -> Callable[[list], Any]:
    """An ``.onnx`` file whose graph has one input: a batch of arrays (decoded images, tensors) of one
    shape is stacked to float32 and fed to it, and its first output is the batch's embeddings."""
    if not path.is_file():
        raise ProgrammingError(f'model file "{path}" does not exist', sqlstate="58P01")
    session = _session(path)
    inputs = session.get_inputs()
    if len(inputs) != 1:
        raise DataError(
            f'ONNX model "{path}" has {len(inputs)} inputs; a model over arrays takes one', sqlstate="22023"
        )
    feed = inputs[0].name

    def encode(batch: list) -> np.ndarray:
        for item in batch:
            if isinstance(item, (str, bytes)):
                raise _refuse(path.name, "arrays (images, tensors)", item)
        shapes = {np.shape(item) for item in batch}
        if len(shapes) > 1:
            raise DataError(
                f'[SQLSTATE 22023] model "{path.name}" takes arrays of one shape; a batch held {sorted(shapes)}',
                sqlstate="22023",
            )
        return session.run(None, {feed: np.stack(batch).astype(np.float32)})[0]

    return encode


def onnx_sentence_model(path: Path, forward_batch: int) -> Callable[[list], Any]:
    """A sentence-transformers directory run through its ``onnx/model.onnx``, loaded at its first batch."""
    if not (path / ONNX_EXPORT).is_file():
        raise ProgrammingError(f'model directory "{path}" has no ONNX export {ONNX_EXPORT}', sqlstate="58P01")
    loaded: list = []

    def encode(batch: list) -> np.ndarray:
        for item in batch:
            if not isinstance(item, str):
                raise _refuse(path.name, "text", item)
        if not loaded:
            loaded.append(_load_sentence_model(path))
        model, session = loaded[0]
        return np.concatenate(
            [
                _sentence_embeddings(model, session, batch[i : i + forward_batch])
                for i in range(0, len(batch), forward_batch)
            ]
        )

    return encode


def _load_sentence_model(path: Path) -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(path), device="cpu"), _session(path / ONNX_EXPORT)


def _sentence_embeddings(model: Any, session: Any, texts: list[str]) -> np.ndarray:
    """Tokenized by the model, the transformer's token embeddings from the graph, then the model's
    remaining modules (pooling, normalization) over them, as sentence-transformers' forward would."""
    import torch

    features = model.preprocess(texts)
    missing = [i.name for i in session.get_inputs() if i.name not in features]
    if missing:
        raise DataError(
            f"[SQLSTATE 22023] the ONNX export takes {missing}, which the model's tokenizer does not make",
            sqlstate="22023",
        )
    feed = {i.name: features[i.name].numpy() for i in session.get_inputs()}
    features["token_embeddings"] = torch.from_numpy(session.run(None, feed)[0])
    with torch.no_grad():
        for module in list(model)[1:]:
            features = module(features)
    return features["sentence_embedding"].numpy()
