"""The ``WITH (...)`` options of CREATE INDEX, checked when the index is declared.

A file gets its index only once it is big enough, so an option checked at build time
could fail much later, on someone else's commit; pgvector refuses a bad option at
CREATE INDEX, with 22023, and so does this.
"""

from __future__ import annotations

from ..errors import ProgrammingError
from .faiss_backend import DEFAULTS

_INTEGERS: dict[str, dict[str, tuple[int, int]]] = {
    "hnsw": {"m": (2, 100), "ef_construction": (4, 1000)},
    "ivfflat": {"lists": (1, 32768)},
    "ivf_pq": {"lists": (1, 32768), "m": (1, 4096), "nbits": (1, 16), "pq_bits": (4, 8), "pq_dim": (0, 4096)},
    "flat": {},
    "cagra": {"graph_degree": (2, 1024), "intermediate_graph_degree": (2, 1024)},
    "brute_force": {},
}
_ON_EITHER_DEVICE = {"ivf_pq", "brute_force", "cagra"}


def checked_options(method: str, options: dict, dim: int) -> dict:
    """``options`` as the index will use them (integers as integers), or the error pgvector gives."""
    if method not in _INTEGERS:
        raise ProgrammingError(f'access method "{method}" does not exist', sqlstate="42704")
    out: dict = {}
    for name, value in options.items():
        if name == "device" and method in _ON_EITHER_DEVICE:
            out[name] = _device(value)
        elif name in _INTEGERS[method]:
            out[name] = _integer(name, value, *_INTEGERS[method][name])
        else:
            raise _invalid(f'unrecognized parameter "{name}"')
    if method == "hnsw":
        settled = {**DEFAULTS["hnsw"], **out}
        if settled["ef_construction"] < 2 * settled["m"]:
            raise _invalid("ef_construction must be greater than or equal to 2 * m")
    if method == "ivf_pq" and dim % out.get("m", 1):
        raise _invalid(f"ivf_pq m = {out['m']} must divide the vector's {dim} dimensions")
    if method == "brute_force" and out.get("device") != "gpu":
        raise ProgrammingError("brute_force indexes run on the GPU: add WITH (device = 'gpu')", sqlstate="0A000")
    return out


def _integer(name: str, value, low: int, high: int) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("+-").isdigit():
        raise _invalid(f'invalid value for integer option "{name}": {value}')
    number = int(text)
    if not low <= number <= high:
        raise ProgrammingError(
            f'value {number} out of bounds for option "{name}"',
            sqlstate="22023",
            detail=f'Valid values are between "{low}" and "{high}".',
        )
    return number


def _device(value) -> str:
    device = str(value).strip().lower()
    if device not in ("cpu", "gpu"):
        raise _invalid(f'invalid value for option "device": {value}; use cpu or gpu')
    return device


def _invalid(message: str) -> ProgrammingError:
    return ProgrammingError(message, sqlstate="22023")
