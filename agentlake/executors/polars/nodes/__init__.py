"""Plan-node handlers, one module per family; importing this package registers them all."""

from . import aggregate, join, projection, scan, setops, sort, subquery, window  # noqa: F401
