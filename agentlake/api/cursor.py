"""PEP 249 cursors over Arrow results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

import pyarrow as pa

from ..errors import InterfaceError, ProgrammingError
from ..results import Result, python_rows
from ..tensors import tensor_spec, to_ndarrays

if TYPE_CHECKING:
    from .connection import Connection


class Cursor:
    """Runs statements on its connection and hands out their rows.

    Results are kept as Arrow, so ``fetch_arrow`` and ``fetch_df`` are free and
    Python tuples are only built for what ``fetch*`` asks for.
    """

    arraysize = 1

    def __init__(self, connection: "Connection") -> None:
        self.connection = connection
        self._result: Result | None = None
        self._rows: list[tuple] | None = None
        self._pos = 0
        self.closed = False

    # PEP 249 attributes --------------------------------------------------
    @property
    def description(self) -> list[tuple] | None:
        if self._result is None or self._result.table is None:
            return None
        return [(f.name, _type_code(f), None, None, None, None, f.nullable) for f in self._result.table.schema]

    @property
    def rowcount(self) -> int:
        return -1 if self._result is None else self._result.rowcount

    @property
    def constant(self) -> bool:
        """Whether the last result depends only on the statement's text (``SELECT 1``), so a
        server may send the same encoded answer every time."""
        return self._result is not None and self._result.constant

    @property
    def statusmessage(self) -> str | None:
        return None if self._result is None else self._result.status

    @property
    def arrow_schema(self) -> pa.Schema | None:
        return None if self._result is None or self._result.table is None else self._result.table.schema

    @property
    def rownumber(self) -> int | None:
        return None if self._result is None else self._pos

    # running -------------------------------------------------------------
    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> "Cursor":
        self._check_open()
        self._set(self.connection._run(sql, params))
        return self

    def executemany(self, sql: str, seq_of_params: Sequence[Sequence[Any] | Mapping[str, Any]]) -> "Cursor":
        self._check_open()
        total = 0
        for params in seq_of_params:
            result = self.connection._run(sql, params)
            total += max(result.rowcount, 0)
        self._set(Result(None, total, result.status if seq_of_params else None))
        return self

    def _set(self, result: Result) -> None:
        self._result, self._rows, self._pos = result, None, 0

    def _table(self) -> pa.Table:
        if self._result is None or self._result.table is None:
            raise ProgrammingError("the last statement returned no rows", sqlstate="24000")
        return self._result.table

    def _materialized(self) -> list[tuple]:
        if self._rows is None:
            self._rows = _with_tensors(self._table(), python_rows(self._table()))
        return self._rows

    def fetchone(self) -> tuple | None:
        rows = self._materialized()
        if self._pos >= len(rows):
            return None
        self._pos += 1
        return rows[self._pos - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        rows = self._materialized()
        size = self.arraysize if size is None else size
        out = rows[self._pos : self._pos + size]
        self._pos += len(out)
        return out

    def fetchall(self) -> list[tuple]:
        rows = self._materialized()
        out = rows[self._pos :]
        self._pos = len(rows)
        return out

    def fetch_arrow(self) -> pa.Table:
        """The whole result as an Arrow table (no Python objects built)."""
        return self._table()

    def fetch_df(self):
        """The result as a pandas DataFrame."""
        return self.fetch_arrow().to_pandas()

    def fetch_polars(self):
        import polars

        return polars.from_arrow(self.fetch_arrow())

    def __iter__(self) -> Iterator[tuple]:
        while (row := self.fetchone()) is not None:
            yield row

    def setinputsizes(self, sizes) -> None:
        pass

    def setoutputsize(self, size, column=None) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self._result = None

    def _check_open(self) -> None:
        if self.closed:
            raise InterfaceError("cursor is closed")
        self.connection._check_open()

    def __enter__(self) -> "Cursor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _type_code(field: pa.Field) -> str:
    meta = field.metadata or {}
    return meta.get(b"agentlake.type", str(field.type).encode()).decode()


def _with_tensors(table: pa.Table, rows: list[tuple]) -> list[tuple]:
    """Tensor columns read as numpy arrays (of their shape and dtype), not as Arrow's storage dicts."""
    tensors = {i: to_ndarrays(table.column(i)) for i, f in enumerate(table.schema) if tensor_spec(f) is not None}
    if not tensors:
        return rows
    return [tuple(tensors[i][r] if i in tensors else v for i, v in enumerate(row)) for r, row in enumerate(rows)]
