"""Vector search inside SQL: index DDL, per-file indexes, and top-k planning.

``WHERE <filter> ORDER BY embedding <-> $1 LIMIT k`` is answered as a vector
search, not as "compute a distance for every row and sort": the filter is
evaluated first (so its selectivity is known, not guessed), each data file is
searched with its index or exactly, and the per-file top-k merge into the global
top-k. A select list of plain columns and the distance is then read straight
from those k rows; any other select list is evaluated by DataFusion over just
those rows, so every other part of the query keeps its normal meaning.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import DataFile, Manifest, Repository, on_new_files
from catalog.changes import locate_each
from catalog.objects import ROWID, field_id

from ..errors import DataError, NotSupportedError, ProgrammingError
from ..sql.dialect import VECTOR_OPERATORS
from ..sql.params import PARAM_META
from ..vector.arrays import checked_vector, parse_vector
from ..vector.index import Progress
from ..vector.metrics import OPCLASSES, distance
from ..results import Result
from .arrow_filter import Declined, compile_filter
from .btree_indexes import drop_scalar_index, is_scalar_spec
from .ddl import index_name_free, new_index_name, table_name
from .literals import constant
from .typed_rewrites import typed_rewrites

if TYPE_CHECKING:
    from .session import Session

DISTANCE_FUNCTIONS = {
    "l2_distance": "l2", "cosine_distance": "cosine", "negative_inner_product": "ip", "l1_distance": "l1",
}
MIN_INDEXED_ROWS = 2048
_FILE_NUMBER = "_agentlake_file"


def _vector_cache_bytes() -> int:
    """Two fifths of the machine's memory (at least 2 GiB): a 1M x 384 file needs 1.5 GiB for its
    vectors and as much for its HNSW index, and a budget below both evicts one per query."""
    try:
        physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        physical = 0
    return max(2 << 30, physical * 2 // 5)


VECTOR_CACHE_BYTES = _vector_cache_bytes()


def index_path(manifest: Manifest, index_name: str, entry: DataFile) -> str:
    return f"index/{manifest.table_id}/{index_name}/{entry.id}.idx"


class VectorCache:
    """Decoded vectors and loaded indexes per immutable data file, within a memory budget."""

    def __init__(self, budget: int = VECTOR_CACHE_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, build, size=lambda v: getattr(v, "nbytes", 1 << 20)):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = build()
        with self._lock:
            self._items[key] = value
            self._bytes += size(value)
            while self._bytes > self.budget and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self._bytes -= size(old)
        return value


_cache = VectorCache()


def file_vectors(repo: Repository, manifest: Manifest, entry: DataFile, column: str) -> np.ndarray:
    """The (rows x dim) float32 matrix of one vector column of one file, in file order."""
    fid = field_id(manifest.schema.field(column))
    stored = entry.columns.get(fid)

    def build() -> np.ndarray:
        if stored is None:
            return np.full((entry.rows, manifest.schema.field(column).type.list_size), np.nan, dtype=np.float32)
        array = repo.files.columns(entry, [stored]).column(stored).combine_chunks()
        dim = array.type.list_size
        values = array.values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
        matrix = values.reshape(len(array), dim)
        if array.null_count:
            matrix = matrix.copy()
            matrix[np.asarray(array.is_null())] = np.nan
        return matrix

    return _cache.get(("vectors", entry.id, stored), build)


# index DDL ------------------------------------------------------------------
@dataclass(frozen=True)
class IndexDefinition:
    name: str
    column: str
    method: str
    metric: str
    params: dict

    def to_json(self) -> dict:
        return {"column": self.column, "method": self.method, "metric": self.metric, "params": self.params}


def _definition_from_ast(stmt: exp.Create, manifest: Manifest, table: str) -> IndexDefinition:
    from ..vector.options import checked_options

    index = stmt.this
    params_node = index.args.get("params")
    method = "hnsw"
    column, opclass = None, "vector_l2_ops"
    if params_node is not None:
        using = params_node.args.get("using")
        method = (using.name if isinstance(using, exp.Expression) else str(using or "hnsw")).lower()
        columns = params_node.args.get("columns") or []
        if len(columns) != 1:
            raise NotSupportedError("vector indexes cover exactly one column")
        target = columns[0].this if isinstance(columns[0], exp.Ordered) else columns[0]
        if isinstance(target, exp.Opclass):
            column, opclass = target.this.name, target.expression.name.lower()
        else:
            column = target.name
        with_params = {p.this.name.lower(): constant(p.args.get("value"))
                       for p in (params_node.args.get("with_storage") or [])}
    else:
        with_params = {}
    if column is None or manifest.schema.get_field_index(column) < 0:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")
    if not pa.types.is_fixed_size_list(manifest.schema.field(column).type):
        raise ProgrammingError(f'column "{column}" is not a vector; only vector columns can be indexed', sqlstate="42809")
    if opclass not in OPCLASSES:
        raise ProgrammingError(f'operator class "{opclass}" does not exist for access method "{method}"', sqlstate="42704")
    options = checked_options(method, with_params, manifest.schema.field(column).type.list_size)
    return IndexDefinition(index.name, column, method, OPCLASSES[opclass], options)


def create_index(session: "Session", stmt: exp.Create) -> Result:
    table = table_name(stmt.this.args.get("table") or stmt.this)
    tx = session.write_tx()
    manifest = tx.manifest(table)
    definition = _definition_from_ast(stmt, manifest, table)
    if not definition.name:
        definition = dataclasses.replace(definition, name=new_index_name(tx, table, [definition.column]))
    if not index_name_free(session, tx, definition.name, bool(stmt.args.get("exists"))):
        return Result(None, 0, "CREATE INDEX")
    indexes = {**manifest.indexes, definition.name: definition.to_json()}
    tx.alter_table(table, indexes=indexes)
    _build_files(session, tx.manifest(table), definition)
    return Result(None, 0, "CREATE INDEX")


def reindex(session: "Session", kind: str, name: str) -> Result:
    """REINDEX INDEX name | TABLE name | SCHEMA public | DATABASE name: build every file's index
    again, overwriting what is stored. A file whose build never finished (it runs after the commit
    that added the file) or whose stored index cannot be read is searched exactly until then."""
    snapshot = session.snapshot
    if kind == "TABLE":
        manifest = snapshot.manifest(name)
        targets = [(manifest, index) for index in vector_indexes(manifest)]
    elif kind in ("SCHEMA", "DATABASE", "SYSTEM"):
        if kind == "SCHEMA" and name.lower() != "public":
            raise ProgrammingError(f'schema "{name}" does not exist', sqlstate="3F000")
        targets = [(m, index) for m in snapshot.tables.values() for index in vector_indexes(m)]
    else:
        if not any(name in m.indexes for m in snapshot.tables.values()):
            raise ProgrammingError(f'index "{name}" does not exist', sqlstate="42704")
        targets = [(m, name) for m in snapshot.tables.values() if name in vector_indexes(m)]
    for manifest, index in targets:
        _build_files(session, manifest, _definition(index, manifest.indexes[index]), rebuild=True)
    return Result(None, 0, "REINDEX")


def _build_files(session: "Session", manifest: Manifest, definition: IndexDefinition, rebuild: bool = False) -> None:
    files = [entry for entry in manifest.files if _indexable(entry, definition)]
    progress = _BuildProgress(session.notice, definition.name, files)
    for entry in files:
        build_file_index(session.repo, manifest, definition, entry, progress.of(entry), rebuild)


class _BuildProgress:
    """CREATE INDEX's progress as NOTICEs, one each time the build passes another tenth of the rows
    it indexes: a 1M-row HNSW build takes minutes, and psql or ``add_notice_handler`` show it move."""

    def __init__(self, notice: Callable[[str], None], name: str, files: list[DataFile]) -> None:
        self._notice, self._name = notice, name
        self._total, self._count = sum(entry.rows for entry in files), len(files)
        self._done = self._number = self._tenths = 0

    def of(self, entry: DataFile) -> Progress:
        """The progress callback of one file's build (``done`` of ``total`` steps)."""
        self._number += 1
        start, number = self._done, self._number
        self._done += entry.rows

        def report(done: int, total: int) -> None:
            rows = start + entry.rows * done // max(total, 1)
            tenths = 10 * rows // max(self._total, 1)
            if tenths > self._tenths:
                self._tenths = tenths
                self._notice(f'index "{self._name}": {10 * tenths}% built ({rows:,} of {self._total:,} rows, '
                             f"file {number} of {self._count})")
        return report


def drop_index(session: "Session", names: list[str], if_exists: bool) -> Result:
    tx = session.write_tx()
    for name in names:
        owner = next((t for t, m in tx.tables.items() if name in m.indexes), None)
        if owner is None:
            if if_exists:
                session.notice(f'index "{name}" does not exist, skipping')
                continue
            raise ProgrammingError(f'index "{name}" does not exist', sqlstate="42704")
        if is_scalar_spec(tx.manifest(owner).indexes[name]):
            drop_scalar_index(tx, owner, name)
            continue
        indexes = {k: v for k, v in tx.manifest(owner).indexes.items() if k != name}
        tx.alter_table(owner, indexes=indexes)
    return Result(None, 0, "DROP INDEX")


def vector_indexes(manifest: Manifest) -> dict[str, dict]:
    """The table's vector indexes by name (its B-tree indexes are catalog entries only)."""
    return {name: spec for name, spec in manifest.indexes.items() if not is_scalar_spec(spec)}


def _definition(name: str, spec: dict) -> IndexDefinition:
    return IndexDefinition(name, spec["column"], spec["method"], spec["metric"], spec.get("params", {}))


def _indexable(entry: DataFile, definition: IndexDefinition) -> bool:
    """Small files are searched exactly; L1 has no index method."""
    return entry.rows >= MIN_INDEXED_ROWS and definition.metric != "l1"


def build_file_index(repo: Repository, manifest: Manifest, definition: IndexDefinition, entry: DataFile,
                     progress: Progress | None = None, rebuild: bool = False) -> bool:
    """Build one file's index and store it beside the file (unless it is too small to need one, or
    already stored and not to be rebuilt)."""
    from ..vector.index import create_index as new_index

    if not _indexable(entry, definition):
        return False
    path = index_path(manifest, definition.name, entry)
    if rebuild or not repo.storage.exists(path):
        vectors = file_vectors(repo, manifest, entry, definition.column)
        rowids = repo.files.rowids(entry)
        nulls = _null_rows(vectors)
        index = new_index(definition.method, definition.metric, definition.params)
        index.build(*((vectors, rowids) if nulls is None else (vectors[~nulls], rowids[~nulls])), progress)
        repo.storage.write(path, index.to_bytes(), durable=False)
    if progress:
        progress(1, 1)
    return True


def _null_rows(vectors: np.ndarray) -> np.ndarray | None:
    """Which rows hold no vector (NULL, read as NaN), or None when all do: what an index leaves out."""
    nulls = np.isnan(vectors.sum(axis=1))
    return nulls if nulls.any() else None


def _indexed_vectors(vectors: np.ndarray) -> np.ndarray:
    """The rows a file's index was built over, in its order (GPU indexes store no vectors of their own)."""
    nulls = _null_rows(vectors)
    return vectors if nulls is None else vectors[~nulls]


@on_new_files
def _index_new_files(repo: Repository, branch: str, table: str, manifest: Manifest, files: list[DataFile]) -> None:
    """Files added by commits and compactions get the table's indexes (off the commit's critical section)."""
    for name, spec in vector_indexes(manifest).items():
        for entry in files:
            build_file_index(repo, manifest, _definition(name, spec), entry)


# top-k planning --------------------------------------------------------------
@dataclass
class TopKQuery:
    table: str
    alias: str
    column: str
    metric: str
    query: np.ndarray
    k: int
    where: exp.Expression | None


def _vector_constant(node: exp.Expression) -> np.ndarray | None:
    """The query vector a top-k compares with, checked as pgvector checks a vector value (a NaN
    query is 22000, not an empty answer); None when ``node`` is not a constant."""
    bound = node.meta.get(PARAM_META) if node.meta else None
    if bound is not None and not isinstance(bound, str):   # a bound parameter: its value, not its text
        try:
            vector = np.asarray(bound, dtype=np.float32).reshape(-1)
        except (TypeError, ValueError):
            return None
        return checked_vector(vector)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_vector" and node.expressions:
        return _vector_constant(node.expressions[0])
    text = constant(node.this) if isinstance(node, exp.Cast) else constant(node)
    return parse_vector(text) if isinstance(text, str) else None


def _distance_call(node: exp.Expression, select: exp.Select) -> tuple[str, str, np.ndarray] | None:
    if isinstance(node, exp.Column) and not node.table:
        for item in select.expressions:
            if isinstance(item, exp.Alias) and item.alias == node.name:
                return _distance_call(item.this, select)
        return None
    if type(node) in VECTOR_OPERATORS:
        name, args = VECTOR_OPERATORS[type(node)], [node.this, node.expression]
    else:
        name = node.name.lower() if isinstance(node, exp.Anonymous) else ""
        args = node.expressions if isinstance(node, exp.Anonymous) else []
    metric = DISTANCE_FUNCTIONS.get(name)
    if metric is None or len(args) != 2:
        return None
    for column, other in ((args[0], args[1]), (args[1], args[0])):
        if isinstance(column, exp.Column):
            vector = _vector_constant(other)
            if vector is not None:
                return column.name, metric, vector
    return None


def match_topk(stmt: exp.Expression, snapshot) -> TopKQuery | None:
    """Recognize the filtered top-k shape on a single table (after the front end's rewrites)."""
    if not isinstance(stmt, exp.Select):
        return None
    if any(stmt.args.get(k) for k in ("joins", "group", "having", "distinct", "windows", "offset", "with_", "with")):
        return None
    order, limit, source = stmt.args.get("order"), stmt.args.get("limit"), stmt.args.get("from_") or stmt.args.get("from")
    if order is None or limit is None or source is None or not isinstance(source.this, exp.Table):
        return None
    if any(node.find(exp.AggFunc) for node in (*stmt.expressions, order)):
        return None
    first = order.expressions[0]
    if first.args.get("desc") or first.args.get("nulls_first"):   # rows without a vector would come first
        return None
    found = _distance_call(first.this, stmt)
    k = constant(limit.expression)
    table = source.this.name
    if found is None or not isinstance(k, int) or table not in snapshot.tables:
        return None
    column, metric, vector = found
    manifest = snapshot.tables[table]
    if manifest.schema.get_field_index(column) < 0 or not pa.types.is_fixed_size_list(manifest.schema.field(column).type):
        return None
    dim = manifest.schema.field(column).type.list_size
    if len(vector) != dim:
        raise DataError(f"[SQLSTATE 22000] different vector dimensions {dim} and {len(vector)}", sqlstate="22000")
    where = stmt.args.get("where")
    return TopKQuery(table, source.this.alias_or_name, column, metric, vector, k, where.this if where else None)


@dataclass
class RowFilter:
    """A top-k's WHERE clause: its tree (evaluated by Arrow when simple enough) and how to make
    its DataFusion SQL (only made when DataFusion evaluates it)."""

    node: exp.Expression
    sql: Callable[[], str]


def search_rowids(session: "Session", table: str, column: str, metric: str, queries: np.ndarray, k: int,
                  where: RowFilter | None = None, alias: str | None = None, nulls_last: bool = False):
    """Top-k rowids and distances for each query row, over the live rows matching ``where``
    (and, with ``nulls_last``, rows without a vector after them, as SQL orders a NULL distance)."""
    from ..vector.search import FileVectors, SearchSettings, topk

    repo, snapshot = session.repo, session.snapshot
    manifest = snapshot.manifest(table)
    alias = alias or table
    allowed, filtered = None, ""
    if where is not None:
        allowed, filtered = _matching_rowids(session, manifest, table, alias, where)
    sources = [
        FileVectors(
            file_id=entry.id, rowids=repo.files.rowids(entry),
            vectors=lambda e=entry: file_vectors(repo, manifest, e, column),
            index=_load_index(repo, manifest, column, metric, entry), live=_live_rows(repo, entry),
            positions=lambda ids, e=entry: repo.files.positions(e, ids),
        )
        for entry in manifest.files if entry.live_rows
    ]
    settings = SearchSettings(
        ef_search=session.settings.int("hnsw.ef_search"), probes=session.settings.int("ivfflat.probes"),
        exact_threshold=session.settings.int("agentlake.vector_exact_threshold"),
        recall_target=session.settings.float("agentlake.recall_target"), small_file_rows=MIN_INDEXED_ROWS - 1,
    )
    stack = functools.partial(_stacked_vectors, field_id(manifest.schema.field(column)))
    found = topk(sources, np.atleast_2d(np.asarray(queries, dtype=np.float32)), k, metric, allowed, settings, stack,
                 nulls_last)
    return dataclasses.replace(found, strategy=found.strategy + filtered)


def _stacked_vectors(column_id: str, sources) -> np.ndarray:
    """Small files' vectors one after another, kept per set of files (a commit makes a new set)."""
    from ..vector.search import stacked

    return _cache.get(("stacked", column_id, tuple(source.file_id for source in sources)), lambda: stacked(sources))


def _matching_rowids(session: "Session", manifest: Manifest, table: str, alias: str,
                     where: RowFilter) -> tuple[dict[str, np.ndarray], str]:
    """Per file, its rows that pass a top-k's filter (their rowids, or a mask over the file's rows),
    and how it was evaluated.

    When every file is already decoded in memory the filter runs over those columns
    there (by Arrow when it is simple, else by DataFusion): scanning the Parquet files
    again would cost more than the search itself. Deleted rows may pass there (the
    search masks them), so each match keeps its file: an updated row's old version
    must not let its new one through.
    """
    from .registry import ROWS_PREFIX

    files = session.repo.files
    live = [entry for entry in manifest.files if entry.live_rows]
    if not live or any(files.table(entry, cached_only=True) is None for entry in live):
        matching = session.run_datafusion(
            f'SELECT "{alias}"."{ROWID}" FROM "{ROWS_PREFIX}{table}" AS "{alias}" WHERE {where.sql()}')
        ids = matching.column(0).to_numpy()
        return {entry.id: ids for entry in live}, "; filter scanned from Parquet"
    compiled = compile_filter(where.node, manifest.schema, {table, alias, ""})
    if compiled is not None:
        try:
            return {entry.id: _arrow_matches(files, manifest, entry, *compiled) for entry in live}, \
                "; filter evaluated in memory by Arrow"
        except (Declined, pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            pass  # a NaN, or a comparison Arrow will not make: DataFusion decides
    parts = []
    for number, entry in enumerate(live):
        rows = files.read(entry, manifest, apply_deletes=False)
        parts.append(rows.append_column(_FILE_NUMBER, pa.array(np.full(rows.num_rows, number, np.int32))))
    with session.temp_table(f"filter_{table}", pa.concat_tables(parts)) as name:
        matching = session.run_datafusion(
            f'SELECT "{_FILE_NUMBER}", "{alias}"."{ROWID}" FROM "{name}" AS "{alias}" WHERE {where.sql()}')
    numbers, ids = matching.column(0).to_numpy(), matching.column(1).to_numpy()
    return {entry.id: ids[numbers == number] for number, entry in enumerate(live)}, "; filter evaluated in memory"


def _arrow_matches(files, manifest: Manifest, entry: DataFile, predicate, columns: list[str]) -> np.ndarray:
    """Which of the file's rows pass, as a mask in file order (what the search takes without a lookup)."""
    rows = files.read(entry, manifest, columns, with_rowid=False, apply_deletes=False)
    passing = predicate(rows)
    if isinstance(passing, pa.Scalar):   # WHERE true, or false
        return np.full(entry.rows, bool(passing.as_py()))
    return pc.fill_null(passing, False).to_numpy(zero_copy_only=False)


def run_topk(session: "Session", stmt: exp.Select, plan: TopKQuery) -> tuple[pa.Table, str]:
    """Search, then answer the select list over just the winning rows: directly when it names only
    columns and the distance, else by letting DataFusion evaluate the original query over them."""
    from .query import restore_types

    manifest = session.snapshot.manifest(plan.table)
    outputs = _plain_outputs(stmt, plan, manifest)
    if outputs is not None:
        session.runner.last_topk = (stmt, with_own_filter(plan), outputs, manifest.schema)
        return run_plain_topk(session, plan, outputs)
    found = _search(session, plan)
    winners = rows_by_rowid(session, manifest, found.rowids[0][found.rowids[0] >= 0])
    typed_rewrites(stmt, session.snapshot.find_schema)  # while the statement still names the table, not its winners
    with session.temp_table(f"topk_{plan.table}", winners) as temp:
        narrowed = stmt.copy()
        narrowed.set("from_", exp.From(this=exp.to_table(temp).as_(plan.alias)))
        return restore_types(session.query_arrow(narrowed), session.snapshot, stmt), found.strategy


def with_own_filter(plan: TopKQuery) -> TopKQuery:
    """``plan`` with a copy of its filter that nothing else will change, still inside a statement
    naming the table (the catalog-typed rewrites look the table's columns up through it)."""
    if plan.where is None:
        return plan
    holder = exp.select("1").from_(exp.Table(this=exp.to_identifier(plan.table), alias=exp.TableAlias(
        this=exp.to_identifier(plan.alias)))).where(plan.where.copy(), copy=False)
    return dataclasses.replace(plan, where=holder.args["where"].this)


def run_plain_topk(session: "Session", plan: TopKQuery, outputs: list[tuple[str, str | None]]) -> tuple[pa.Table, str]:
    """A top-k whose select list names only columns and the distance: the search, then those
    columns of the rows found."""
    found = _search(session, plan)
    rowids = found.rowids[0][found.rowids[0] >= 0]
    manifest = session.snapshot.manifest(plan.table)
    return _ranked(session, manifest, rowids, outputs, plan), f"{found.strategy}; select list read from the rows found"


def _search(session: "Session", plan: TopKQuery):
    where = None if plan.where is None else \
        RowFilter(plan.where, lambda: session.datafusion_sql(plan.where, part="where"))
    return search_rowids(session, plan.table, plan.column, plan.metric, plan.query, plan.k, where, plan.alias,
                         nulls_last=True)


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
        elif isinstance(inner, exp.Column) and inner.table in ("", plan.alias) \
                and manifest.schema.get_field_index(inner.name) >= 0:
            outputs.append((name or inner.name, inner.name))
        elif name and _same_distance(_distance_call(inner, stmt), plan):
            outputs.append((name, None))
        else:
            return None
    return outputs if len({n for n, _ in outputs}) == len(outputs) else None


def _same_distance(call: tuple[str, str, np.ndarray] | None, plan: TopKQuery) -> bool:
    return call is not None and call[:2] == (plan.column, plan.metric) and np.array_equal(call[2], plan.query)


def _ranked(session: "Session", manifest: Manifest, rowids: np.ndarray, outputs: list[tuple[str, str | None]],
            plan: TopKQuery) -> pa.Table:
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
        null = np.isnan(matrix).any(axis=1)   # no vector: a NULL distance; a zero vector's cosine is NaN
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


def _located(session: "Session", manifest: Manifest,
             rowids: np.ndarray) -> list[tuple[DataFile, np.ndarray, np.ndarray]]:
    """``locate_each`` with each file named and decoded once, so later searches take rows from memory."""
    out = []
    for index, inside, at in locate_each(manifest, rowids, session.repo.files):
        entry = manifest.files[index]
        session.repo.files.table(entry)
        out.append((entry, inside, at))
    return out


def rows_by_rowid(session: "Session", manifest: Manifest, rowids: np.ndarray,
                  columns: list[str] | None = None) -> pa.Table:
    """The rows with these rowids (``columns`` of them, or all, and their rowids) in the order given:
    a rowid may repeat, and one that is -1 or not live gives a row of NULLs. Rows are taken by
    position from the decoded files, not by scanning the table, and come out in place, so a batch
    search lays out its 10,000 answers without sorting or hashing them."""
    return _rows_located(session, manifest, _located(session, manifest, rowids), len(rowids), columns, with_rowid=True)


def _rows_located(session: "Session", manifest: Manifest, located: list[tuple[DataFile, np.ndarray, np.ndarray]],
                  count: int, columns: list[str] | None, with_rowid: bool) -> pa.Table:
    """``count`` rows laid out as ``located`` places them (rows of NULLs where nothing is placed)."""
    parts = [session.repo.files.read(entry, manifest, columns, with_rowid=with_rowid, apply_deletes=False, positions=at)
             for entry, _, at in located]
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


def _live_rows(repo: Repository, entry: DataFile) -> np.ndarray | None:
    """The file's deletion vector as a mask over its rows, computed once per deletion vector
    (not once per query: the membership test walks every row of the file)."""
    if not len(entry.deleted):
        return None
    deleted = np.asarray(entry.deleted, dtype=np.int64)
    return _cache.get(("live", entry.id, deleted.tobytes()),
                      lambda: ~np.isin(repo.files.rowids(entry), deleted))


def _load_index(repo: Repository, manifest: Manifest, column: str, metric: str, entry: DataFile):
    from ..vector.index import load_index

    for name, spec in vector_indexes(manifest).items():
        if spec["column"] != column or spec["metric"] != metric:
            continue
        path = index_path(manifest, name, entry)
        try:
            vectors = lambda: _indexed_vectors(file_vectors(repo, manifest, entry, column))  # noqa: E731
            return _cache.get(("index", path), lambda: load_index(spec["method"], repo.storage.read(path), vectors),
                              size=lambda _v: entry.rows * manifest.schema.field(column).type.list_size * 4)
        except Exception:  # not built yet (asynchronous) or unreadable: search this file exactly
            continue
    return None


def _install_functions(ctx, session) -> None:
    from ..vector.functions import register_vector_functions

    register_vector_functions(ctx)
