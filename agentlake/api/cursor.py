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
    Python tuples are only built for what ``fetch*`` asks for. A result too large
    to hold streams: ``fetch*`` read its batches as they need them, and
    ``rowcount`` is -1 until the last one has been read (PEP 249 allows it).
    """

    arraysize = 1

    def __init__(self, connection: "Connection") -> None:
        self.connection = connection
        self._result: Result | None = None
        self._set(None)
        self.closed = False

    # PEP 249 attributes --------------------------------------------------
    @property
    def description(self) -> list[tuple] | None:
        schema = self.arrow_schema
        if schema is None:
            return None
        return [(f.name, _type_code(f), None, None, None, None, f.nullable) for f in schema]

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
        if self._result is None:
            return None
        if self._result.stream is not None:
            return self._result.stream.schema
        return None if self._result.table is None else self._result.table.schema

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

    def _set(self, result: Result | None) -> None:
        self._result, self._pos = result, 0
        self._batch: pa.Table | None = None  # the batch being fetched from, as Arrow and as tuples
        self._rows: list[tuple] = []
        self._offset = 0  # rows of the batch already fetched
        self._table_read = False  # a held table has been turned into rows
        self._streamed = 0  # rows read from a stream

    def _check_rows(self) -> None:
        if self._result is None or (self._result.table is None and self._result.stream is None):
            raise ProgrammingError("the last statement returned no rows", sqlstate="24000")

    def _next_batch(self) -> pa.Table | None:
        """The next rows not yet read: a held table whole, a stream's next batch; None at the end."""
        self._check_rows()
        stream = self._result.stream
        if stream is None:
            if self._table_read:
                return None
            self._table_read = True
            return self._result.table
        batch = stream.next_batch()
        if batch is None:  # the end: now the count is known
            self._result.rowcount, self._result.status = self._streamed, f"{stream.command} {self._streamed}"
        else:
            self._streamed += batch.num_rows
        return batch

    def _fetch(self, size: int | None) -> list[tuple]:
        """Up to ``size`` rows (all with None), reading batches as they are needed."""
        out: list[tuple] = []
        while size is None or len(out) < size:
            if self._offset >= len(self._rows):
                batch = self._next_batch()
                if batch is None:
                    break
                self._batch, self._rows, self._offset = batch, _with_tensors(batch, python_rows(batch)), 0
            end = len(self._rows) if size is None else min(len(self._rows), self._offset + size - len(out))
            out.extend(self._rows[self._offset : end])
            self._offset = end
        self._pos += len(out)
        return out

    def fetchone(self) -> tuple | None:
        rows = self._fetch(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        return self._fetch(self.arraysize if size is None else size)

    def fetchall(self) -> list[tuple]:
        return self._fetch(None)

    def fetch_arrow(self) -> pa.Table:
        """The result as an Arrow table (no Python objects built): a held one whole, a streamed one
        from the first row not yet fetched to its end."""
        self._check_rows()
        if self._result.stream is not None:
            parts = [self._batch.slice(self._offset)] if self._batch is not None else []
            parts.extend(iter(self._next_batch, None))
            self._pos += sum(part.num_rows for part in parts)
            self._batch, self._rows, self._offset = None, [], 0
            return pa.concat_tables(parts) if parts else self._result.stream.schema.empty_table()
        return self._result.table

    def fetch_arrow_batch(self) -> pa.Table | None:
        """The next rows not yet fetched, as Arrow, a batch at a time (a held result whole); None
        at the end. How a server sends a large result without holding it."""
        if self._batch is not None and self._offset < self._batch.num_rows:
            rest = self._batch.slice(self._offset)
        else:
            rest = self._next_batch()
        self._batch, self._rows, self._offset = None, [], 0
        self._pos += 0 if rest is None else rest.num_rows
        return rest

    def resume(self) -> None:
        """Fetching continues as a new run (a suspended portal executed again): see
        ``results.RowStream.resume``."""
        if self._result is not None and self._result.stream is not None:
            self._result.stream.resume()

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
        self._set(None)

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
