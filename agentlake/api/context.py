"""dask-sql's ``Context``, on DataFusion as the planner and agentlake's plan-to-Dask compiler.

Queries are PostgreSQL, read by the same front end as ``agentlake.connect`` (so
pgvector's operators, casts and ``avg(vector)`` mean what they mean there), then
planned by DataFusion, which sees every table only by its schema (an empty in-memory
table): it plans but never reads data; the compiler reads the data, lazily, through
Dask. A ``dask.distributed.Client`` in scope is used as it is.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import dask.dataframe as dd
import numpy as np
import pyarrow as pa

from ..errors import NotSupportedError, ProgrammingError

_NUMPY_TO_ARROW = {
    np.float64: pa.float64(),
    np.float32: pa.float32(),
    np.int64: pa.int64(),
    np.int32: pa.int32(),
    np.bool_: pa.bool_(),
    bool: pa.bool_(),
    float: pa.float64(),
    int: pa.int64(),
    str: pa.string(),
}


def _arrow_type(t: Any) -> pa.DataType:
    if isinstance(t, pa.DataType):
        return t
    if t in _NUMPY_TO_ARROW:
        return _NUMPY_TO_ARROW[t]
    return pa.from_numpy_dtype(np.dtype(t))


def _schema_of_frame(frame: dd.DataFrame) -> pa.Schema:
    meta = frame._meta
    if type(meta).__module__.split(".")[0] == "cudf":
        meta = meta.to_pandas()
    schema = pa.Schema.from_pandas(meta, preserve_index=False)
    fields = [pa.field(f.name, pa.string() if pa.types.is_null(f.type) else f.type) for f in schema]
    return pa.schema(fields)


class Context:
    """SQL over Dask frames and Parquet files; ``Context(repo, branch)`` also sees a repository's tables.

    ``partition_rows`` is the target number of rows per partition when Parquet files
    are split by row group.
    """

    def __init__(self, repo: str | None = None, branch: str = "main", partition_rows: int = 1_000_000) -> None:
        from ..executors.dask.bridge import planning_context

        self.repo = repo
        self.branch = branch
        self.partition_rows = partition_rows
        self.session = planning_context()
        self.tables: dict[str, Any] = {}
        self.schemas: dict[str, pa.Schema] = {}
        self.functions: dict[str, Callable[..., Any]] = {}
        self._gpu_tables: set[str] = set()
        self._storage: Any = None
        """The repository's storage, where media values larger than a row live."""
        if repo is not None:
            self._register_branch(repo, branch)

    def _register_branch(self, repo: str, branch: str) -> None:
        """Every table of the branch's head, read straight from its Parquet files (deletes applied)."""
        from ..engine.repositories import open_repository
        from ..executors.dask.bridge import table_sources
        from ..executors.dask.tensors import register_decoders

        repository = open_repository(repo, create=False)
        snapshot = repository.snapshot(branch)
        self._storage = repository.storage
        register_decoders(self.session, self.functions, self._storage)
        sources = table_sources(snapshot)
        skipped = sorted(set(snapshot.tables) - set(sources))
        if skipped:
            raise NotSupportedError(
                f"tables {skipped} have renamed or added columns; compact them (agentlake compact) to read them here"
            )
        for name, source in sources.items():
            self.register_table_source(name, source)

    # tables ---------------------------------------------------------------
    def create_table(self, name: str, input: Any, gpu: bool | None = None) -> None:
        """Register a pandas / Dask / cuDF DataFrame, or Parquet file(s) (path, glob or list), as ``name``."""
        from ..executors.dask import TableSource
        from ..executors.dask.partitions import is_gpu_frame

        if isinstance(input, (str, os.PathLike)) or (
            isinstance(input, (list, tuple)) and input and isinstance(input[0], (str, os.PathLike))
        ):
            source = TableSource.from_parquet(input)
            self.register_table_source(name, source)
            if gpu:
                self._gpu_tables.add(name)
            return
        frame = input
        if not isinstance(frame, dd.DataFrame):
            partitions = max(1, len(frame) // self.partition_rows + 1)
            if is_gpu_frame(frame):
                import dask_cudf

                frame = dask_cudf.from_cudf(frame, npartitions=partitions)
            else:
                frame = dd.from_pandas(frame, npartitions=partitions)
        if gpu and not is_gpu_frame(frame):
            frame = frame.to_backend("cudf")
        elif gpu is False and is_gpu_frame(frame):
            frame = frame.to_backend("pandas")
        self._register(name, frame, _schema_of_frame(frame))
        if is_gpu_frame(frame):
            self._gpu_tables.add(name)

    def register_table_source(self, name: str, source: Any) -> None:
        """Register Parquet files with hidden ``_rowid`` columns and deletion sets (a catalog snapshot)."""
        self._register(name, source, source.visible_schema)

    def drop_table(self, name: str) -> None:
        """Forget a table; later queries naming it fail with 42P01."""
        if name not in self.tables:
            raise ProgrammingError(f'table "{name}" does not exist', sqlstate="42P01")
        self.session.deregister_table(name)
        del self.tables[name], self.schemas[name]
        self._gpu_tables.discard(name)

    def _register(self, name: str, table: Any, schema: pa.Schema) -> None:
        from ..executors.dask.bridge import register_schema

        register_schema(self.session, name, schema)
        self.tables[name] = table
        self.schemas[name] = schema

    # functions ------------------------------------------------------------
    def register_function(
        self,
        f: Callable[..., Any],
        name: str,
        parameters: Sequence[tuple[str, Any]],
        return_type: Any,
        replace: bool = True,
    ) -> None:
        """A Python function over columns (pandas/cuDF Series in, Series out), usable in SQL as ``name``."""
        from datafusion import udf

        arrow_in = [_arrow_type(t) for _, t in parameters]
        arrow_out = _arrow_type(return_type)

        def on_arrow(*arrays: pa.Array) -> pa.Array:
            result = f(*(a.to_pandas() for a in arrays))
            return pa.array(np.asarray(result), type=arrow_out)

        self.session.register_udf(udf(on_arrow, arrow_in, arrow_out, "immutable", name.lower()))
        self.functions[name.lower()] = f

    # queries --------------------------------------------------------------
    def _plan(self, query: str):
        from ..executors.dask.bridge import plan

        return plan(self.session, query)[0]

    def sql(self, query: str, return_futures: bool = True, gpu: bool | None = None, executor: str = "dask") -> Any:
        """Answer ``query`` as a lazy Dask DataFrame (computed frame when ``return_futures=False``);
        ``executor="polars"`` answers a Polars LazyFrame (DataFrame), run on the GPU engine when ``gpu``
        (by default where cudf-polars and a GPU are present), see ``agentlake.executors.polars``."""
        return self.run_datafusion_sql(self.datafusion_sql(query), return_futures, gpu, executor)

    def datafusion_sql(self, query: str) -> str:
        """``query``, one PostgreSQL statement, as the DataFusion SQL this context plans."""
        from ..engine.frontend import to_datafusion_sql
        from ..engine.typed_rewrites import typed_rewrites
        from ..sql.params import parse_statements
        from ..sql.trees import clone

        statements = parse_statements(query)
        if len(statements) != 1:
            raise ProgrammingError(f"Context.sql takes one statement, not {len(statements)}", sqlstate="42601")
        tree = clone(statements[0])
        typed_rewrites(tree, self.schemas.get, local_functions=False)
        return to_datafusion_sql(tree)

    def run_datafusion_sql(
        self, query: str, return_futures: bool = True, gpu: bool | None = None, executor: str = "dask"
    ) -> Any:
        """:meth:`sql` for a query already in DataFusion's dialect (what the engine's front end makes)."""
        if executor == "polars":
            from ..executors.polars import run_context

            return run_context(self, query, lazy=return_futures, gpu=gpu)
        from ..executors.dask.bridge import compile_and_run
        from ..executors.dask.rich_results import rich_answer

        use_gpu = bool(gpu) if gpu is not None else bool(self._gpu_tables)
        tables = self.tables if not use_gpu else {k: self._on_gpu(v) for k, v in self.tables.items()}
        logical_plan = self._plan(query)
        frame = compile_and_run(
            self.session,
            logical_plan,
            tables,
            sql=query,
            gpu=use_gpu,
            functions=self.functions,
            partition_rows=self.partition_rows,
            compute=False,
        )
        return rich_answer(self.session, logical_plan, frame, self._storage, compute=not return_futures)

    def explain(self, query: str) -> str:
        """DataFusion's optimized plan, then the Dask operations each node becomes."""
        from ..executors.dask import describe_plan

        plan = self._plan(self.datafusion_sql(query))
        return f"{plan.display_indent()}\n\nDask:\n{describe_plan(plan)}"


__all__ = ["Context", "NotSupportedError"]
