"""Vector index definitions and builds: what CREATE INDEX ... USING hnsw stores in the manifest,
and the per-file indexes built from it (by the statement, by REINDEX, and after commits).

Indexes belong to immutable data files, so branches share them; a file too small to need one,
or whose build has not run yet, is searched exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pyarrow as pa
from sqlglot import exp

from catalog import DataFile, Manifest, Repository

from ..errors import Notice, NotSupportedError, ProgrammingError
from ..sql.literals import constant
from ..sql.types import DIM_KEY, OPCLASSES, TYPE_KEY, is_sparsevec
from .index import Progress, create_index
from .index_cache import file_vectors, index_path, null_rows, vector_indexes
from .options import checked_options

MIN_INDEXED_ROWS = 2048


@dataclass(frozen=True)
class IndexDefinition:
    name: str
    column: str
    method: str
    metric: str
    params: dict

    def to_json(self) -> dict:
        return {"column": self.column, "method": self.method, "metric": self.metric, "params": self.params}


def definition_from_ast(stmt: exp.Create, manifest: Manifest, table: str) -> IndexDefinition:
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
            target, opclass = target.this, target.expression.name.lower()
        target = target.unnest() if isinstance(target, exp.Paren) else target
        if not isinstance(target, (exp.Column, exp.Identifier)):  # ((val::bit(3)) bit_hamming_ops)
            raise NotSupportedError("vector indexes on expressions are not supported; index a column")
        column = target.name
        with_params = {
            p.this.name.lower(): constant(p.args.get("value")) for p in (params_node.args.get("with_storage") or [])
        }
    else:
        with_params = {}
    if column is None or manifest.schema.get_field_index(column) < 0:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")
    if (manifest.schema.field(column).metadata or {}).get(
        b"agentlake.type"
    ) == b"vector" and not pa.types.is_fixed_size_list(manifest.schema.field(column).type):  # pgvector's elog
        raise ProgrammingError("column does not have dimensions", sqlstate="XX000")
    field = manifest.schema.field(column)
    if (field.metadata or {}).get(TYPE_KEY) == b"varbit":  # no fixed length to index, as pgvector says
        raise ProgrammingError(f"type not supported for {method} index", sqlstate="XX000")
    dimensions = exact_only_dimensions(field)
    if dimensions is None and not pa.types.is_fixed_size_list(field.type):
        raise ProgrammingError(
            f'column "{column}" is not a vector; only vector columns can be indexed', sqlstate="42809"
        )
    if opclass not in OPCLASSES:
        raise ProgrammingError(
            f'operator class "{opclass}" does not exist for access method "{method}"', sqlstate="42704"
        )
    options = checked_options(method, with_params, dimensions or field.type.list_size)
    return IndexDefinition(index.name, column, method, OPCLASSES[opclass], options)


def little_data_notice(manifest: Manifest, definition: IndexDefinition) -> Notice | None:
    """pgvector's NOTICE when an IVFFlat index is built over fewer rows than it has lists (its
    centroids then come from too few samples); agentlake answers such small tables exactly anyway."""
    if definition.method != "ivfflat" or sum(entry.live_rows for entry in manifest.files) >= definition.params.get(
        "lists", 100
    ):
        return None
    return Notice(
        "ivfflat index created with little data",
        severity="NOTICE",
        sqlstate="00000",
        detail="This will cause low recall.",
        hint="Drop the index until the table has more data.",
    )


def stored_definition(name: str, spec: dict) -> IndexDefinition:
    return IndexDefinition(name, spec["column"], spec["method"], spec["metric"], spec.get("params", {}))


def exact_only_dimensions(field: pa.Field) -> int | None:
    """The declared size of a sparsevec or bit column: its indexes are definitions that queries
    answer exactly (no per-file structure is built for them), so they are never approximate."""
    if is_sparsevec(field.type) or (field.metadata or {}).get(TYPE_KEY) in (b"bit", b"varbit"):
        return int((field.metadata or {}).get(DIM_KEY, b"1"))
    return None


def indexable(entry: DataFile, definition: IndexDefinition) -> bool:
    """Small files are searched exactly; L1, Hamming and Jaccard have no index method here."""
    return entry.rows >= MIN_INDEXED_ROWS and definition.metric in ("l2", "cosine", "ip")


def build_files(
    repo: Repository,
    notice: Callable[[str], None],
    manifest: Manifest,
    definition: IndexDefinition,
    rebuild: bool = False,
) -> None:
    """Build (or, with ``rebuild``, overwrite) the index of every file big enough to need one,
    reporting progress through ``notice``."""
    files = [entry for entry in manifest.files if indexable(entry, definition)]
    progress = _BuildProgress(notice, definition.name, files)
    for entry in files:
        build_file_index(repo, manifest, definition, entry, progress.of(entry), rebuild)


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
                self._notice(
                    f'index "{self._name}": {10 * tenths}% built ({rows:,} of {self._total:,} rows, '
                    f"file {number} of {self._count})"
                )

        return report


def build_file_index(
    repo: Repository,
    manifest: Manifest,
    definition: IndexDefinition,
    entry: DataFile,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> bool:
    """Build one file's index and store it beside the file (unless it is too small to need one, or
    already stored and not to be rebuilt)."""
    if not indexable(entry, definition):
        return False
    path = index_path(manifest, definition.name, entry)
    if rebuild or not repo.storage.exists(path):
        vectors = file_vectors(repo, manifest, entry, definition.column)
        rowids = repo.files.rowids(entry)
        nulls = null_rows(vectors)
        index = create_index(definition.method, definition.metric, definition.params)
        index.build(*((vectors, rowids) if nulls is None else (vectors[~nulls], rowids[~nulls])), progress)
        repo.storage.write(path, index.to_bytes(), durable=False)
    if progress:
        progress(1, 1)
    return True


def index_new_files(repo: Repository, branch: str, table: str, manifest: Manifest, files: list[DataFile]) -> None:
    """Files added by commits and compactions get the table's indexes (off the commit's critical section)."""
    for name, spec in vector_indexes(manifest).items():
        for entry in files:
            build_file_index(repo, manifest, stored_definition(name, spec), entry)
