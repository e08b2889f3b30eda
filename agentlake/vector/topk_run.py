"""Top-k execution: the search over every live file of a table (its index or an exact scan), the
filter evaluated where it is cheapest, and the winning rows read back by position."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import DataFile, Manifest, Repository, Snapshot
from catalog.changes import locate_each
from catalog.datafiles import TABLE_CACHE_BYTES
from catalog.objects import ROWID, field_id

from ..executors.local.arrow_filter import Declined, compile_filter, file_test
from ..executors.local.result_types import restore_types
from .index_cache import CACHE, file_vectors, live_rows, load_file_index
from .index_ddl import MIN_INDEXED_ROWS
from .metrics import distance
from .search import FileVectors, SearchSettings, stacked, topk
from .topk_match import TopKQuery, distance_call, with_own_filter

_FILE_NUMBER = "_agentlake_file"
_DECODE_FOR_FILTER_BYTES = TABLE_CACHE_BYTES // 64
"""Files not yet decoded in memory, up to this many stored bytes in all, are decoded (and cached)
for a top-k's filter rather than scanned from Parquet by DataFusion on every search."""


class SearchHost(Protocol):
    """What a search needs of the session running it (the engine's session provides it)."""

    repo: Repository
    settings: Any
    runner: Any

    @property
    def snapshot(self) -> Snapshot: ...

    def apply_typed_rewrites(self, node: exp.Expression) -> bool: ...

    def datafusion_sql(self, node: exp.Expression, part: str | None = None) -> str: ...

    def run_datafusion(self, sql: str) -> pa.Table: ...

    def query_arrow(self, node: exp.Expression) -> pa.Table: ...

    def temp_table(self, hint: str, rows: pa.Table) -> ContextManager[str]: ...


@dataclass
class RowFilter:
    """A top-k's WHERE clause: its tree (evaluated by Arrow when simple enough) and how to make
    its DataFusion SQL (only made when DataFusion evaluates it)."""

    node: exp.Expression
    sql: Callable[[], str]


def search_rowids(
    session: SearchHost,
    table: str,
    column: str,
    metric: str,
    queries: np.ndarray,
    k: int,
    where: RowFilter | None = None,
    alias: str | None = None,
    nulls_last: bool = False,
):
    """Top-k rowids and distances for each query row, over the live rows matching ``where``
    (and, with ``nulls_last``, rows without a vector after them, as SQL orders a NULL distance)."""
    repo, snapshot = session.repo, session.snapshot
    manifest = snapshot.manifest(table)
    alias = alias or table
    allowed, filtered = None, ""
    if where is not None:
        allowed, filtered = _matching_rowids(session, manifest, table, alias, where)
    sources = [
        FileVectors(
            file_id=entry.id,
            rowids=repo.files.rowids(entry),
            vectors=lambda e=entry: file_vectors(repo, manifest, e, column),
            index=load_file_index(repo, manifest, column, metric, entry),
            live=live_rows(repo, entry),
            positions=lambda ids, e=entry: repo.files.positions(e, ids),
        )
        for entry in manifest.files
        if entry.live_rows and (allowed is None or entry.id in allowed)  # a file left out has no row passing
    ]
    settings = SearchSettings(
        ef_search=session.settings.int("hnsw.ef_search"),
        probes=session.settings.int("ivfflat.probes"),
        exact_threshold=session.settings.int("agentlake.vector_exact_threshold"),
        recall_target=session.settings.float("agentlake.recall_target"),
        small_file_rows=MIN_INDEXED_ROWS - 1,
    )
    stack = functools.partial(_stacked_vectors, field_id(manifest.schema.field(column)))
    found = topk(
        sources, np.atleast_2d(np.asarray(queries, dtype=np.float32)), k, metric, allowed, settings, stack, nulls_last
    )
    return dataclasses.replace(found, strategy=found.strategy + filtered)


def _stacked_vectors(column_id: str, sources) -> np.ndarray:
    """Small files' vectors one after another, kept per set of files (a commit makes a new set)."""
    return CACHE.get(("stacked", column_id, tuple(source.file_id for source in sources)), lambda: stacked(sources))


def _matching_rowids(
    session: SearchHost, manifest: Manifest, table: str, alias: str, where: RowFilter
) -> tuple[dict[str, np.ndarray], str]:
    """Per file, its rows that pass a top-k's filter (their rowids, or a mask over the file's rows),
    and how it was evaluated. A file whose statistics show that none of its rows can pass
    (:func:`file_test`) is left out: it is not decoded, filtered or searched."""
    may_match = file_test(where.node, manifest.schema, {table, alias, ""})
    candidates = [entry for entry in manifest.files if entry.live_rows]
    live = [entry for entry in candidates if may_match(entry.stats)]
    excluded = len(candidates) - len(live)
    if candidates and not live:
        return {}, f"; all {excluded} files excluded by their statistics"
    allowed, how = _evaluate_filter(session, manifest, live, table, alias, where)
    return allowed, how + (f"; {excluded} of {len(candidates)} files excluded by their statistics" if excluded else "")


def _evaluate_filter(
    session: SearchHost, manifest: Manifest, live: list[DataFile], table: str, alias: str, where: RowFilter
) -> tuple[dict[str, np.ndarray], str]:
    """The rows of files ``live`` that pass the filter, and how it was evaluated.

    When every file is decoded in memory (small ones are decoded now, see ``_in_memory``)
    the filter runs over those columns there (by Arrow when it is simple, else by
    DataFusion): scanning the Parquet files again would cost more than the search itself.
    Deleted rows may pass there (the search masks them), so each match keeps its file: an
    updated row's old version must not let its new one through.
    """
    from ..executors.local.snapshot_tables import ROWS_PREFIX  # loads DataFusion: only when a filter needs it

    files = session.repo.files
    if not live or not _in_memory(files, live):
        matching = session.run_datafusion(
            f'SELECT "{alias}"."{ROWID}" FROM "{ROWS_PREFIX}{table}" AS "{alias}" WHERE {where.sql()}'
        )
        ids = matching.column(0).to_numpy()
        return {entry.id: ids for entry in live}, "; filter scanned from Parquet"
    compiled = compile_filter(where.node, manifest.schema, {table, alias, ""})
    if compiled is not None:
        try:
            return {
                entry.id: _arrow_matches(files, manifest, entry, *compiled) for entry in live
            }, "; filter evaluated in memory by Arrow"
        except (Declined, pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass  # a NaN, or a comparison Arrow will not make: DataFusion decides
    parts = []
    for number, entry in enumerate(live):
        rows = files.read(entry, manifest, apply_deletes=False)
        parts.append(rows.append_column(_FILE_NUMBER, pa.array(np.full(rows.num_rows, number, np.int32))))
    with session.temp_table(f"filter_{table}", pa.concat_tables(parts)) as name:
        matching = session.run_datafusion(
            f'SELECT "{_FILE_NUMBER}", "{alias}"."{ROWID}" FROM "{name}" AS "{alias}" WHERE {where.sql()}'
        )
    numbers, ids = matching.column(0).to_numpy(), matching.column(1).to_numpy()
    return {entry.id: ids[numbers == number] for number, entry in enumerate(live)}, "; filter evaluated in memory"


def _in_memory(files, live: list[DataFile]) -> bool:
    """Whether every file is decoded in memory, decoding the missing ones when they are small: files
    another process wrote (its merges and compactions of the branch) are not, and scanning them
    from Parquet each search costs milliseconds where decoding them once costs less."""
    missing = [entry for entry in live if files.table(entry, cached_only=True) is None]
    if sum(entry.size for entry in missing) > _DECODE_FOR_FILTER_BYTES:
        return False
    for entry in missing:
        files.table(entry)
    return True


def _arrow_matches(files, manifest: Manifest, entry: DataFile, predicate, columns: list[str]) -> np.ndarray:
    """Which of the file's rows pass, as a mask in file order (what the search takes without a lookup)."""
    rows = files.read(entry, manifest, columns, with_rowid=False, apply_deletes=False)
    passing = predicate(rows)
    if isinstance(passing, pa.Scalar):  # WHERE true, or false
        return np.full(entry.rows, bool(passing.as_py()))
    return pc.fill_null(passing, False).to_numpy(zero_copy_only=False)


def run_topk(session: SearchHost, stmt: exp.Select, plan: TopKQuery) -> tuple[pa.Table, str]:
    """Search, then answer the select list over just the winning rows: directly when it names only
    columns and the distance, else by letting DataFusion evaluate the original query over them."""
    manifest = session.snapshot.manifest(plan.table)
    outputs = _plain_outputs(stmt, plan, manifest)
    if outputs is not None:
        session.runner.last_topk = (stmt, with_own_filter(plan), outputs, manifest.schema)
        return run_plain_topk(session, plan, outputs)
    found = _search(session, plan)
    winners = rows_by_rowid(session, manifest, found.rowids[0][found.rowids[0] >= 0])
    session.apply_typed_rewrites(stmt)  # while the statement still names the table, not its winners
    with session.temp_table(f"topk_{plan.table}", winners) as temp:
        narrowed = stmt.copy()
        narrowed.set("from_", exp.From(this=exp.to_table(temp).as_(plan.alias)))
        return restore_types(session.query_arrow(narrowed), session.snapshot, stmt), found.strategy


def run_plain_topk(session: SearchHost, plan: TopKQuery, outputs: list[tuple[str, str | None]]) -> tuple[pa.Table, str]:
    """A top-k whose select list names only columns and the distance: the search, then those
    columns of the rows found."""
    found = _search(session, plan)
    rowids = found.rowids[0][found.rowids[0] >= 0]
    manifest = session.snapshot.manifest(plan.table)
    return _ranked(session, manifest, rowids, outputs, plan), f"{found.strategy}; select list read from the rows found"


def _search(session: SearchHost, plan: TopKQuery):
    where = (
        None if plan.where is None else RowFilter(plan.where, lambda: session.datafusion_sql(plan.where, part="where"))
    )
    return search_rowids(
        session, plan.table, plan.column, plan.metric, plan.query, plan.k, where, plan.alias, nulls_last=True
    )


_TOPK_PARTS = {"expressions", "from_", "from", "where", "order", "limit"}


def _plain_outputs(stmt: exp.Select, plan: TopKQuery, manifest: Manifest) -> list[tuple[str, str | None]] | None:
    """(output name, table column or None for the distance) when the select list is only columns
    and the ordering distance; None for anything else (expressions, ties on more keys, OFFSET)."""
    if {k for k, v in stmt.args.items() if v} - _TOPK_PARTS or len(stmt.args["order"].expressions) != 1:
        return None
    outputs: list[tuple[str, str | None]] = []
    for node in stmt.expressions:
        name = node.alias if isinstance(node, exp.Alias) else None
        inner = node.this if isinstance(node, exp.Alias) else node
        if isinstance(inner, exp.Star) or (isinstance(inner, exp.Column) and isinstance(inner.this, exp.Star)):
            outputs.extend((f.name, f.name) for f in manifest.schema)
        elif (
            isinstance(inner, exp.Column)
            and inner.table in ("", plan.alias)
            and manifest.schema.get_field_index(inner.name) >= 0
        ):
            outputs.append((name or inner.name, inner.name))
        elif name and _same_distance(distance_call(inner, stmt, manifest.schema), plan):
            outputs.append((name, None))
        else:
            return None
    return outputs if len({n for n, _ in outputs}) == len(outputs) else None


def _same_distance(call: tuple[str, str, np.ndarray] | None, plan: TopKQuery) -> bool:
    return call is not None and call[:2] == (plan.column, plan.metric) and np.array_equal(call[2], plan.query)


def _ranked(
    session: SearchHost, manifest: Manifest, rowids: np.ndarray, outputs: list[tuple[str, str | None]], plan: TopKQuery
) -> pa.Table:
    """The rows found, only the selected columns, in the order the search ranked them (nearest
    first, ties by rowid). A distance in the select list is the exact float8 the SQL functions
    give, computed from each file's vector matrix, and the rows are ranked again by it as
    PostgreSQL orders float8: numbers, then NaN, then NULL."""
    columns = list(dict.fromkeys(source for _, source in outputs if source is not None))
    located = _located(session, manifest, rowids)
    rows = _rows_located(session, manifest, located, len(rowids), columns, with_rowid=False)
    distances = null = None
    if any(source is None for _, source in outputs):
        matrix = np.empty((len(rowids), manifest.schema.field(plan.column).type.list_size), np.float32)
        for entry, inside, at in located:
            matrix[inside] = file_vectors(session.repo, manifest, entry, plan.column)[at]
        distances = distance(plan.query[None, :], matrix, plan.metric)
        null = np.isnan(matrix).any(axis=1)  # no vector: a NULL distance; a zero vector's cosine is NaN
        order = np.lexsort((rowids, np.isnan(distances), np.where(np.isnan(distances), np.inf, distances), null))
        rows, distances, null = rows.take(pa.array(order)), distances[order], null[order]
    fields, arrays = [], []
    for name, source in outputs:
        if source is None:
            fields.append(pa.field(name, pa.float64()))
            arrays.append(pa.array(distances, pa.float64(), mask=null))
        else:
            fields.append(rows.schema.field(source).with_name(name))
            arrays.append(rows.column(source))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def _located(
    session: SearchHost, manifest: Manifest, rowids: np.ndarray
) -> list[tuple[DataFile, np.ndarray, np.ndarray]]:
    """``locate_each`` with each file named and decoded once, so later searches take rows from memory."""
    out = []
    for index, inside, at in locate_each(manifest, rowids, session.repo.files):
        entry = manifest.files[index]
        session.repo.files.table(entry)
        out.append((entry, inside, at))
    return out


def rows_by_rowid(
    session: SearchHost, manifest: Manifest, rowids: np.ndarray, columns: list[str] | None = None
) -> pa.Table:
    """The rows with these rowids (``columns`` of them, or all, and their rowids) in the order given:
    a rowid may repeat, and one that is -1 or not live gives a row of NULLs. Rows are taken by
    position from the decoded files, not by scanning the table, and come out in place, so a batch
    search lays out its 10,000 answers without sorting or hashing them."""
    return _rows_located(session, manifest, _located(session, manifest, rowids), len(rowids), columns, with_rowid=True)


def _rows_located(
    session: SearchHost,
    manifest: Manifest,
    located: list[tuple[DataFile, np.ndarray, np.ndarray]],
    count: int,
    columns: list[str] | None,
    with_rowid: bool,
) -> pa.Table:
    """``count`` rows laid out as ``located`` places them (rows of NULLs where nothing is placed)."""
    parts = [
        session.repo.files.read(entry, manifest, columns, with_rowid=with_rowid, apply_deletes=False, positions=at)
        for entry, _, at in located
    ]
    if not parts:
        fields = [f for f in manifest.schema if columns is None or f.name in columns]
        fields += [pa.field(ROWID, pa.int64())] if with_rowid else []
        return pa.schema(fields).empty_table().take(pa.nulls(count, pa.int64()))
    rows = pa.concat_tables(parts)
    if len(located) == 1 and len(located[0][1]) == count:  # one file held every rowid: already in order
        return rows
    source = np.full(count, -1, dtype=np.int64)
    source[np.concatenate([inside for _, inside, _ in located])] = np.arange(rows.num_rows)
    return rows.take(pa.array(source, mask=source < 0))
