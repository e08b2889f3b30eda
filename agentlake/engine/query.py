"""Running queries: the route each takes (no planning, vector top-k, DataFusion, Dask) and the
DataFusion context a session plans in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ..embeddings.functions import fold_constant_embeddings
from ..errors import NotSupportedError
from ..executors.local.numeric_functions import quotient_columns, with_numeric_quotients
from ..executors.local.result_batches import streamable, typed_batches
from ..executors.local.result_types import described_schema, normalize, restore_types
from ..executors.local.rich_results import restore_rich_columns
from ..media import BlobStore
from ..sql.types import padded_characters
from . import router, small_counts
from .fastpath import constant_select, point_lookup
from .result_stream import QueryStream, held_or_streamed

if TYPE_CHECKING:
    from datafusion import SessionContext

    from ..executors.local.snapshot_tables import SnapshotRegistry, StoredRows
    from .session import Session


class QueryRunner:
    """Owns a session's DataFusion context and keeps it registered to the snapshot being read."""

    def __init__(self, session: "Session") -> None:
        self.session = session
        self._ctx: SessionContext | None = None
        self._registry: SnapshotRegistry | None = None
        """Made with the first statement that reads a table; its DataFusion context only when a
        statement plans (a count over a small table reads the registry's rows and plans nothing)."""
        self.last_route = ""
        self.last_topk: tuple | None = None
        """(statement, plan, select list, schema) of the last top-k answered by its plain path."""

    def context(self) -> SessionContext:
        """Made at the first statement that plans (constant SELECTs, key lookups and small counts
        never do): a DataFusion session with every function installed costs about a millisecond,
        which a fleet of short-lived connections would otherwise pay once each."""
        if self._ctx is None:
            # imported here, not at the top: DataFusion loads with the first statement that plans
            from ..embeddings.functions import register_embedding_functions
            from ..executors.local.snapshot_tables import new_session
            from ..media.functions import register_media_functions
            from .function_library import stateless_functions
            from .session_functions import register_session_functions

            self._ctx = new_session()
            stateless_functions().install(self._ctx)
            register_media_functions(self._ctx, BlobStore(self.session.repo.storage))
            register_embedding_functions(self._ctx, BlobStore(self.session.repo.storage))
            register_session_functions(self._ctx, self.session)
        return self._ctx

    def registry(self) -> SnapshotRegistry:
        if self._registry is None:
            from ..executors.local.snapshot_tables import SnapshotRegistry

            self._registry = SnapshotRegistry(self.context)
        return self._registry

    def sync(self) -> SessionContext:
        self.registry().sync(self.session.snapshot)
        return self.context()

    def memory_rows(self, name: str) -> StoredRows | None:
        """Table ``name``'s rows as of the session's snapshot when it is small enough to be held
        decoded in memory (``snapshot_tables.SMALL_TABLE_ROWS``), else None."""
        return self.registry().memory_rows(self.session.snapshot, name)

    def plan(self, sql: str):
        return self.sync().sql(sql).optimized_logical_plan()

    def run_without_planning(self, stmt, cached_only: bool = False, params: list | None = None) -> pa.Table | None:
        """Constant SELECTs and primary-key lookups; None for everything that needs a plan
        (and, with ``cached_only``, for lookups that would read a file). ``params``: ``stmt`` is
        unbound and these are its parameters (``fastpath.point_lookup``)."""
        found = constant_select(stmt)
        if found is not None:
            self.last_route = "constant (no planning)"
            return found
        found = point_lookup(self.session, stmt, cached_only, params)
        if found is not None:
            self.last_route = "primary-key lookup (no planning)"
            found = padded_characters(restore_rich_columns(found, self.session.snapshot, stmt))  # media as bytes
        return found

    def run_query(self, stmt) -> pa.Table:
        """A SELECT-like statement's whole result."""
        found = self.stream_query(stmt)
        return found if isinstance(found, pa.Table) else pa.concat_tables(iter(found.next_batch, None))

    def stream_query(self, stmt) -> pa.Table | QueryStream:
        """A SELECT-like statement; the executor router hooks in here. A large result planned by
        DataFusion streams (``engine.result_stream``); the other routes answer whole tables."""
        found = self.run_without_planning(stmt)
        if found is not None:
            return found
        from ..vector.topk_match import match_topk
        from ..vector.topk_run import run_topk

        found = small_counts.small_count(self, stmt)
        if found is not None:
            self.last_route = small_counts.ROUTE
            return found
        fold_constant_embeddings(stmt)  # embed('m', 'text') as its vector, so top-k can use an index

        search = match_topk(stmt, self.session.snapshot)
        if search is not None:
            table, self.last_route = run_topk(self.session, stmt, search)
            return table
        executor, reason = router.choose(self.session, stmt)
        self.last_route = f"{executor} ({reason})"
        if executor == "local":
            return self._run_local(stmt)
        described = self.describe(stmt.copy())  # planned as the local executor would (it rewrites its tree)
        try:
            table = normalize(router.run_on_dask(self.session, stmt, executor == "gpu", quotient_columns(described)))
        except NotSupportedError as err:
            if self.session.settings["agentlake.executor"] != "auto":
                raise
            self.last_route = f"local (the {executor} compiler declined: {err})"
            return self._run_local(stmt)
        return restore_types(with_numeric_quotients(table, described), self.session.snapshot, stmt)

    def _run_local(self, stmt) -> pa.Table | QueryStream:
        sql = self.session.datafusion_sql(stmt)
        frame = self.sync().sql(sql)
        snapshot = self.session.snapshot  # the statement's: later batches are typed by it too
        if not streamable(frame):
            return restore_types(normalize(frame.to_arrow_table()), snapshot, stmt)
        return held_or_streamed(self.session, stmt, typed_batches(frame, snapshot, stmt))

    def route_for(self, stmt) -> str:
        """Which executor would run a planned query, and why (for EXPLAIN)."""
        executor, reason = router.choose(self.session, stmt)
        return f"{executor} ({reason})"

    def run_sql(self, sql: str, sync: bool = True) -> pa.Table:
        """``sql`` on the session's DataFusion context; ``sync=False`` for SQL that reads only
        temporary tables, which skips bringing the snapshot's tables up to date."""
        ctx = self.sync() if sync else self.context()
        return normalize(ctx.sql(sql).to_arrow_table())

    def describe(self, stmt) -> pa.Schema:
        """The columns a query returns, planned (placeholders unbound) but not run."""
        constant = constant_select(stmt)
        if constant is not None:
            return constant.schema
        planned = self.sync().sql(self.session.datafusion_sql(stmt)).schema()
        return described_schema(planned, self.session.snapshot, stmt)
