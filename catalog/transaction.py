"""Write transactions on one branch: snapshot isolation, optimistic commit.

Data files are written as soon as rows arrive (they are invisible until a
commit references them); the commit writes manifests and the commit object and
then swaps the branch ref. If the ref moved, the recorded operations are
replayed onto the new head, or the commit fails with 40001 and writes nothing.
"""

from __future__ import annotations

import functools
import getpass
import time
import uuid
import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import changes as ops
from .constraint_checks import find_violations, raise_first, violation_error
from .constraints import CheckEvaluator, Constraint
from .datafiles import build_data_file, conform, key_tuples
from .errors import CatalogError, ColumnExists, ColumnNotFound, ConflictError, RefNotFound, SchemaMismatch, TableExists
from .names import validate_column_name, validate_table_name
from .objects import FIELD_ID, ROWID, Commit, DataFile, Manifest, object_path
from .snapshot import Snapshot
from .storage.base import RefState

if TYPE_CHECKING:
    from .repository import Repository

MAX_COMMIT_ATTEMPTS = 50


def _with_field_ids(schema: pa.Schema, start: int) -> tuple[pa.Schema, int]:
    fields = []
    for f in schema:
        validate_column_name(f.name)
        meta = dict(f.metadata or {})
        meta[FIELD_ID] = str(start).encode()
        fields.append(f.with_metadata(meta))
        start += 1
    return pa.schema(fields, metadata=schema.metadata), start


class Transaction:
    """Changes to any number of tables of one branch, committed atomically."""

    def __init__(self, repo: "Repository", branch: str, base_commit: str) -> None:
        self.repo = repo
        self.branch = branch
        self.base_id = base_commit
        base = repo.snapshot_at(base_commit)
        self._base_tables = dict(base.tables)
        self.tables: dict[str, Manifest] = dict(base.tables)
        self.views: dict[str, str] = dict(base.views)
        self.extensions: dict[str, str] = dict(base.extensions)
        self.types: dict[str, list[str]] = dict(base.types)
        self.sequences: dict[str, dict] = dict(base.sequences)
        self.ops: list = []
        self._journal: list[tuple[str, bytes]] = []
        self._staged: list[str] = []  # unstaged when the transaction is gone, whether it committed or not
        self._new_files: dict[str, list[DataFile]] = {}
        self.closed = False
        self.checks_by_statement = False
        """An engine that groups operations into statements sets this and calls :meth:`end_statement`
        after each; otherwise every operation is checked against the constraints as it is made."""
        self.check_evaluator: CheckEvaluator | None = None
        """How CHECK constraints are evaluated: the engine that parsed them hands it in."""
        self.constraint_modes: dict[str | None, bool] = {}
        """SET CONSTRAINTS: constraint name (None: ALL) -> deferred, for deferrable constraints."""
        self._checked = dict(self.tables)  # the state the last constraint check accepted
        self._deferred_skipped = False

    # reading -----------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        """The branch as of the transaction's start plus its own writes."""
        return Snapshot(
            self.repo,
            None if self.ops else self.base_id,
            dict(self.tables),
            dict(self.views),
            extensions=dict(self.extensions),
            types=dict(self.types),
            sequences=dict(self.sequences),
        )

    @property
    def dirty(self) -> bool:
        return bool(self.ops)

    def manifest(self, name: str) -> Manifest:
        return self.snapshot.manifest(name)

    # operations --------------------------------------------------------
    def _do(self, op) -> None:
        self._check_open()
        before = dict(self.tables)
        state = self.tables
        state.update(self._named_state())  # type: ignore[arg-type]
        try:
            op.apply(state, ops.ApplyContext(self.repo.files))
        finally:
            self.views, self.extensions, self.types, self.sequences = _pop_named(state)
        self.ops.append(op)
        if not self.checks_by_statement:
            try:
                self.end_statement()
            except CatalogError:
                self.tables = before
                self.ops.pop()
                raise

    # constraints -------------------------------------------------------
    def is_deferred(self, constraint: Constraint) -> bool:
        """Whether a constraint is checked at COMMIT rather than at the end of each statement."""
        if not constraint.deferrable:
            return False
        return self.constraint_modes.get(constraint.name, self.constraint_modes.get(None, constraint.deferred))

    def _immediate(self, constraint: Constraint) -> bool:
        if self.is_deferred(constraint):
            self._deferred_skipped = True
            return False
        return True

    def end_statement(self) -> None:
        """Check what changed since the last check against the constraints not deferred (23xxx)."""
        if self.tables is not self._checked:
            raise_first(
                find_violations(self._checked, self.tables, self.repo.files, self.check_evaluator, self._immediate)
            )
        self._checked = dict(self.tables)

    def check_deferred(self) -> None:
        """Check every change of the transaction against every constraint (SET CONSTRAINTS ...
        IMMEDIATE and COMMIT, when a deferred constraint was skipped)."""
        if self._deferred_skipped:
            raise_first(find_violations(self._base_tables, self.tables, self.repo.files, self.check_evaluator))
            self._deferred_skipped = False

    def create_table(
        self,
        name: str,
        schema: pa.Schema,
        primary_key: list[str] | tuple[str, ...] = (),
        constraints: dict | None = None,
        if_not_exists: bool = False,
    ) -> bool:
        """Create an empty table; returns False if it existed and ``if_not_exists`` was given."""
        validate_table_name(name)
        if name in self.tables:
            if if_not_exists:
                return False
            raise TableExists(f'relation "{name}" already exists')
        if ROWID in schema.names:
            raise SchemaMismatch("column name '_rowid' is reserved")
        if len(set(schema.names)) != len(schema.names):
            repeated = next(n for n in schema.names if schema.names.count(n) > 1)
            raise ColumnExists(f'column "{repeated}" specified more than once')
        missing = [k for k in primary_key if k not in schema.names]
        if missing:
            raise ColumnNotFound(f"primary key column(s) {missing} are not in the table")
        schema = pa.schema(
            [f.with_nullable(False) if f.name in primary_key else f for f in schema], metadata=schema.metadata
        )
        schema, next_id = _with_field_ids(schema, 1)
        manifest = Manifest(uuid.uuid4().hex, schema, tuple(primary_key), (), next_id, dict(constraints or {}))
        self._do(ops.CreateTable(name, manifest))
        return True

    def drop_table(self, name: str, if_exists: bool = False) -> bool:
        if if_exists and name not in self.tables:
            return False
        self._do(ops.DropTable(name))
        return True

    def rename_table(self, old: str, new: str) -> None:
        validate_table_name(new)
        self._do(ops.RenameTable(old, new))

    def alter_table(self, name: str, **changes: Any) -> None:
        """Replace schema-level facts (constraints, indexes, properties) without touching data."""
        before = self.manifest(name)
        self._do(ops.AlterTable(name, before, replace(before, **changes)))

    def add_column(self, name: str, column: pa.Field) -> None:
        before = self.manifest(name)
        if column.name in before.schema.names:
            raise ColumnExists(f'column "{column.name}" of relation "{name}" already exists')
        (new_field,), next_id = _with_field_ids(pa.schema([column.with_nullable(True)]), before.next_field_id)
        self._do(
            ops.AlterTable(name, before, replace(before, schema=before.schema.append(new_field), next_field_id=next_id))
        )

    def drop_column(self, name: str, column: str) -> None:
        before = self.manifest(name)
        index = before.schema.get_field_index(column)
        if index < 0:
            raise ColumnNotFound(f'column "{column}" of relation "{name}" does not exist')
        if column in before.primary_key:
            raise SchemaMismatch(f'cannot drop primary key column "{column}"')
        self._do(ops.AlterTable(name, before, replace(before, schema=before.schema.remove(index))))

    def rename_column(self, name: str, old: str, new: str) -> None:
        before = self.manifest(name)
        index = before.schema.get_field_index(old)
        if index < 0:
            raise ColumnNotFound(f'column "{old}" of relation "{name}" does not exist')
        validate_column_name(new)
        if new in before.schema.names:
            raise ColumnExists(f'column "{new}" of relation "{name}" already exists')
        schema = before.schema.set(index, before.schema.field(index).with_name(new))
        pk = tuple(new if k == old else k for k in before.primary_key)
        self._do(ops.AlterTable(name, before, replace(before, schema=schema, primary_key=pk)))

    def set_views(self, views: dict[str, str]) -> None:
        self._do(ops.SetViews(dict(views), dict(self.views)))

    def set_extensions(self, extensions: dict[str, str]) -> None:
        """Make ``extensions`` (name -> version) the branch's installed extensions."""
        self._do(ops.SetEntries("__extensions__", "extension", dict(extensions), dict(self.extensions)))

    def set_types(self, types: dict[str, list[str]]) -> None:
        """Make ``types`` (name -> enum labels in order) the branch's user-defined types."""
        self._do(ops.SetEntries("__types__", "type", dict(types), dict(self.types)))

    def set_sequences(self, sequences: dict[str, dict]) -> None:
        """Make ``sequences`` (name -> definition) the branch's standalone sequences."""
        self._do(ops.SetEntries("__sequences__", "sequence", dict(sequences), dict(self.sequences)))

    def _named_state(self) -> dict:
        return {
            "__views__": self.views,
            "__extensions__": self.extensions,
            "__types__": self.types,
            "__sequences__": self.sequences,
        }

    def append(self, name: str, data: pa.Table | pa.RecordBatch, rowids: np.ndarray | None = None) -> np.ndarray:
        """Add rows; returns their rowids. Given ``rowids`` keep a row's identity (updates)."""
        manifest = self.manifest(name)
        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])
        if data.num_rows == 0:
            return np.empty(0, dtype=np.int64)
        if rowids is None:
            start = self.repo.allocate_rowids(data.num_rows)
            rowids = np.arange(start, start + data.num_rows, dtype=np.int64)
        data = data.drop_columns([ROWID]) if ROWID in data.schema.names else data
        data = conform(data.append_column(ROWID, pa.array(rowids, pa.int64())), manifest)
        entry, payload = build_data_file(manifest.table_id, data, manifest, small_as_arrow=self.repo.arrow_data_files)
        self._write(entry.path, payload)
        self.repo.files.remember(entry, data)
        self._do(ops.Append(name, (entry,), manifest.schema))
        self._new_files.setdefault(name, []).append(entry)
        return np.asarray(rowids, dtype=np.int64)

    def replace_files(self, name: str, old: tuple[DataFile, ...], rows: pa.Table | None, file_rows: int) -> None:
        """Swap files for new ones holding the same live rows (with their rowids): compaction."""
        manifest = self.manifest(name)
        new = []
        for offset in range(0, rows.num_rows if rows is not None else 0, file_rows):
            chunk = conform(rows.slice(offset, file_rows), manifest)
            entry, payload = build_data_file(manifest.table_id, chunk, manifest, origin="compaction")
            self._write(entry.path, payload)
            self.repo.files.remember(entry, chunk)
            new.append(entry)
        self._do(ops.ReplaceFiles(name, old, tuple(new)))
        self._new_files.setdefault(name, []).extend(new)

    def _write(self, path: str, payload: bytes) -> None:
        """A data file is published by the commit's ``ref_swap`` with the rest of the commit (on local
        disk it rides in the journal record; see ``ObjectIO.stage``)."""
        self._stage(path, payload)
        self._journal.append((path, payload))

    def _stage(self, path: str, payload: bytes) -> None:
        if not self._staged:
            weakref.finalize(self, self.repo.storage.unstage, self._staged)
        self.repo.storage.stage(path, payload)
        self._staged.append(path)

    def delete_rowids(self, name: str, rowids: np.ndarray) -> int:
        rowids = np.unique(np.asarray(rowids, dtype=np.int64))
        if len(rowids):
            self._do(ops.Delete(name, rowids))
        return len(rowids)

    def delete_where(self, name: str, predicate: pc.Expression | None = None) -> int:
        """Delete the live rows matching a pyarrow compute predicate (all rows if None)."""
        rows = self.snapshot.read(name, with_rowid=True)
        if predicate is not None:
            rows = rows.filter(predicate)
        return self.delete_rowids(name, rows.column(ROWID).to_numpy())

    def update_where(self, name: str, values: dict[str, Any], predicate: pc.Expression | None = None) -> int:
        """Set columns (constants or pyarrow expressions) on matching rows, keeping their rowids."""
        rows = self.snapshot.read(name, with_rowid=True)
        if predicate is not None:
            rows = rows.filter(predicate)
        if rows.num_rows == 0:
            return 0
        manifest = self.manifest(name)
        for column, value in values.items():
            index = rows.schema.get_field_index(column)
            if index < 0:
                raise ColumnNotFound(f'column "{column}" of relation "{name}" does not exist')
            target = manifest.schema.field(column).type
            if isinstance(value, pc.Expression):
                import pyarrow.dataset as ds  # slow to import, and only computed updates need it

                computed = ds.dataset(rows).to_table(columns={column: value}).column(column).cast(target)
            else:
                computed = pa.array([value] * rows.num_rows, type=target)
            rows = rows.set_column(index, rows.schema.field(index), computed)
        return self.put_rows(name, rows)

    def put_rows(self, name: str, rows: pa.Table) -> int:
        """Replace rows by ``_rowid``: the delete-plus-insert form of an update."""
        rowids = rows.column(ROWID).to_numpy()
        self.delete_rowids(name, rowids)
        self.append(name, rows.drop_columns([ROWID]), rowids=rowids)
        return len(rowids)

    def upsert(self, name: str, data: pa.Table) -> tuple[int, int]:
        """Insert rows, replacing those whose primary key exists; returns (inserted, updated)."""
        manifest = self.manifest(name)
        if not manifest.primary_key:
            raise SchemaMismatch(f'table "{name}" has no primary key to upsert on')
        existing = ops.live_keys(manifest, self.repo.files)
        keys = key_tuples(data, list(manifest.primary_key))
        rowids = [existing.get(k) for k in keys]
        hit = np.array([r is not None for r in rowids], dtype=bool)
        if hit.any():
            self.delete_rowids(name, np.array([r for r in rowids if r is not None], dtype=np.int64))
        fresh = self.repo.allocate_rowids(int((~hit).sum())) if (~hit).any() else 0
        assigned, counter = [], fresh
        for r in rowids:
            if r is None:
                assigned.append(counter)
                counter += 1
            else:
                assigned.append(r)
        self.append(name, data, rowids=np.array(assigned, dtype=np.int64))
        return int((~hit).sum()), int(hit.sum())

    def delete_keys(self, name: str, keys: list) -> int:
        existing = ops.live_keys(self.manifest(name), self.repo.files)
        return self.delete_rowids(name, np.array([existing[k] for k in keys if k in existing], dtype=np.int64))

    # commit ------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise CatalogError("transaction is already committed or rolled back", sqlstate="25000")

    def commit(self, message: str = "", author: str | None = None, metadata: dict | None = None) -> str:
        """Publish every change atomically; returns the new commit id (the base id if nothing changed)."""
        self._check_open()
        if not self.ops:
            self.closed = True
            return self.base_id
        storage, repo = self.repo.storage, self.repo
        author = author or _default_author()
        self.check_deferred()
        for _ in range(MAX_COMMIT_ATTEMPTS):
            head = storage.ref_get("heads", self.branch)
            if head is None:
                raise RefNotFound(f'branch "{self.branch}" was deleted while this transaction was open')
            tables, views, extensions, types, sequences = self._replay_onto(head.commit)
            if head.commit != self.base_id:
                self._check_replayed(repo.snapshot_at(head.commit).tables, tables)
            commit = Commit(
                (head.commit,),
                {},
                author,
                message,
                time.time(),
                dict(metadata or {}),
                views,
                repo.ancestry.generation(head.commit) + 1,
                extensions,
                types=types,
                sequences=sequences,
            )
            journal = list(self._journal)
            for name, manifest in tables.items():
                manifest_id, payload = manifest.encoded
                commit.tables[name] = manifest_id
                if not repo.has_object(manifest_id):
                    journal.append((object_path(manifest_id), payload))
            commit_id, payload = commit.encoded
            journal.append((object_path(commit_id), payload))
            durable = repo.durability == "full"
            for path, data in journal[len(self._journal) :]:
                self._stage(path, data)
            new_ref = RefState(commit_id, head.created, head.expires, head.meta)
            if storage.ref_swap("heads", self.branch, head.commit, new_ref, journal, durable=durable):
                self.closed = True
                repo.remember(commit_id, commit, tables)
                repo.after_commit(self.branch, commit_id, tables, self._new_files)
                return commit_id
        raise ConflictError(f'could not commit to branch "{self.branch}": too many concurrent commits')

    def _check_replayed(
        self,
        head: dict[str, Manifest],
        replayed: dict[str, Manifest],
        wanted: Callable[[Constraint], bool] = lambda c: True,
    ) -> None:
        """What this transaction added or removed must still hold against what landed meanwhile: a
        key inserted twice or a referenced row deleted concurrently is 40001, never a silent break.
        ``wanted``: which constraints to check (all of them by default)."""
        violations = find_violations(head, replayed, self.repo.files, self.check_evaluator, wanted)
        if violations:
            error = violation_error(violations[0])
            raise ConflictError(f"{error} ({error.detail}) after a concurrent commit; retry the transaction")

    def _replay_onto(self, head_id: str) -> tuple[dict[str, Manifest], dict, dict, dict, dict]:
        """The tables, views, extensions, types and sequences this transaction's operations make of
        ``head_id``."""
        if head_id == self.base_id:
            return dict(self.tables), dict(self.views), dict(self.extensions), dict(self.types), dict(self.sequences)
        own = frozenset(f.id for files in self._new_files.values() for f in files)
        return self._applied(head_id, ops.ApplyContext(self.repo.files, base=self._base_tables, own=own))

    def _applied(self, commit_id: str, ctx: ops.ApplyContext) -> tuple[dict[str, Manifest], dict, dict, dict, dict]:
        """This transaction's operations applied to the commit ``commit_id``."""
        snapshot = self.repo.snapshot_at(commit_id)
        state: dict = dict(snapshot.tables)
        state.update(
            __views__=dict(snapshot.views),
            __extensions__=dict(snapshot.extensions),
            __types__=dict(snapshot.types),
            __sequences__=dict(snapshot.sequences),
        )
        for op in self.ops:
            op.apply(state, ctx)
        return (state, *_pop_named(state))

    def refresh(self) -> None:
        """Read the branch as its head is now, this transaction's changes replayed on top: READ
        COMMITTED's snapshot per statement, and the first statement's snapshot at the other levels
        (PostgreSQL takes it there, not at BEGIN). Changes that no longer apply to the new head are
        a ConflictError (40001), as they would be at COMMIT."""
        self._check_open()
        head = self.repo.storage.ref_get("heads", self.branch)
        if head is None or head.commit == self.base_id:
            return  # a deleted branch is reported by COMMIT
        replayed = self._replay_onto(head.commit)
        head_tables = self.repo.snapshot_at(head.commit).tables
        if self.ops:  # a deferred constraint waits for COMMIT, where the transaction may yet meet it
            self._check_replayed(head_tables, replayed[0], self._immediate)
        self.base_id, self._base_tables = head.commit, dict(head_tables)
        self.tables, self.views, self.extensions, self.types, self.sequences = replayed
        self._checked = dict(self.tables)

    def savepoint(self) -> tuple:
        """A token that :meth:`rollback_to` returns the transaction to (states are immutable, so this is cheap)."""
        self._check_open()
        return (
            self.base_id,
            dict(self.tables),
            dict(self.views),
            dict(self.extensions),
            dict(self.types),
            dict(self.sequences),
            len(self.ops),
            len(self._journal),
            {name: len(files) for name, files in self._new_files.items()},
        )

    def rollback_to(self, token: tuple) -> None:
        base_id, tables, views, extensions, types, sequences, n_ops, n_journal, n_files = token
        del self.ops[n_ops:]
        del self._journal[n_journal:]
        self._new_files = {name: files[: n_files[name]] for name, files in self._new_files.items() if name in n_files}
        if base_id != self.base_id:  # refreshed since: the operations kept, on the base read now (checked then)
            tables, views, extensions, types, sequences = self._applied(self.base_id, ops.ApplyContext(self.repo.files))
        self.tables, self.views, self.extensions = dict(tables), dict(views), dict(extensions)
        self.types, self.sequences = dict(types), dict(sequences)
        self._checked = dict(tables)

    def rollback(self) -> None:
        """Forget every change; written data files become garbage for GC."""
        self.closed = True
        self.ops.clear()


@functools.cache
def _default_author() -> str:
    """Once per process: the password database lookup cost ~10-40 us of every commit."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return "agentlake"


def _pop_named(state: dict) -> tuple[dict, dict, dict, dict]:
    """The commit-level mappings an operation applied to, taken back out of its state: views,
    extensions, types, sequences."""
    return state.pop("__views__"), state.pop("__extensions__"), state.pop("__types__"), state.pop("__sequences__")
