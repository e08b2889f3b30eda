"""Tensor columns: the ``tensor(dtype, dims...)`` SQL type, its Arrow storage (Arrow's canonical
fixed- and variable-shape tensor extension types) and the SQL functions over it.

This package sits below the SQL layer: it knows pyarrow and numpy, not statements.
"""

from .arrays import as_column, from_ndarrays, to_ndarrays, to_numpy, to_torch
from .types import COMPUTE_TYPE, DTYPES, TensorSpec, is_tensor_field, tensor_field, tensor_spec

__all__ = [
    "COMPUTE_TYPE",
    "DTYPES",
    "TensorSpec",
    "as_column",
    "from_ndarrays",
    "is_tensor_field",
    "tensor_field",
    "tensor_spec",
    "to_ndarrays",
    "to_numpy",
    "to_torch",
]
