"""Where a loader's rows come from: one commit of a repository, read a row group at a time.

The commit is pinned once, by reading the branch's ref a single time; every read after names that
commit id (``Session`` at a commit), in the main process and in each worker, so a commit made while
a loader runs changes nothing it yields. A query that reads one table row by row streams: each
worker reads the table's Parquet row groups one at a time, runs the query on that group's rows
(``engine.row_scan``) and reads media blobs only for the rows it is about to hand out. Making the
loader reads the WHERE's columns of every row group once, to count the rows each keeps (so ranks
get equal counts). The store's options (credentials, endpoint) travel to the workers with the
dataset. Any other query (ORDER BY, GROUP BY, joins, LIMIT, ...) needs all its rows at
once: it runs once at the commit and its answer is held in memory (``streaming`` is False).
"""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from catalog import Repository

from ..api.connection import Connection
from ..engine.repositories import open_repository
from ..engine.row_scan import RowScan
from ..engine.session import Session
from ..engine.settings import Settings
from ..errors import InternalError


def session_at(repository: Repository, commit: str) -> Session:
    """A read-only view of ``commit``: a session whose every statement reads that commit id."""
    return Session(repository, commit, Settings({}))


def _storage_options(repository: Repository) -> dict:
    """The fsspec options the repository's store was opened with (credentials, an S3 endpoint_url):
    what a worker process needs to open it again, since a worker that does not inherit this
    process's open repository (spawn, forkserver) has only the URL."""
    filesystem, _ = repository.storage.filesystem()
    return dict(filesystem.storage_options)


class RowGroups:
    """The rows of a row-by-row query, one unit per row group of its table's live files."""

    streaming = True

    def __init__(self, url: str, storage_options: dict, commit: str, sql: str, scan: RowScan) -> None:
        self.url, self.storage_options, self.commit, self.sql = url, storage_options, commit, sql
        manifest = scan.snapshot.manifest(scan.table)
        files = scan.session.repo.files
        self.units = [(i, g) for i, f in enumerate(manifest.files) if f.live_rows for g in range(files.row_groups(f))]
        columns = scan.count_columns or manifest.schema.names[:1]
        self.counts = np.array(
            [scan.count(self._read(scan, unit, columns)) for unit in range(len(self.units))], dtype=np.int64
        )
        self._scan: tuple[int, RowScan] | None = (os.getpid(), scan)

    @classmethod
    def open(cls, repository: Repository, commit: str, sql: str) -> "RowGroups | None":
        """None when ``sql`` is not a query that reads one table row by row."""
        scan = RowScan.plan(session_at(repository, commit), sql)
        return None if scan is None else cls(repository.storage.url, _storage_options(repository), commit, sql, scan)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_scan": None}  # each worker process plans its own scan

    def scan(self) -> RowScan:
        """This process's scan (a forked or spawned worker plans its own, on its own session)."""
        if self._scan is None or self._scan[0] != os.getpid():
            repository = open_repository(self.url, storage_options=self.storage_options, create=False)
            self._scan = (os.getpid(), RowScan.plan(session_at(repository, self.commit), self.sql))
        return self._scan[1]

    def rows(self, unit: int) -> pa.Table:
        """The query's rows over one row group, media still stored (see :meth:`finish`)."""
        scan = self.scan()
        rows = scan.run(self._read(scan, unit))
        if rows.num_rows != self.counts[unit]:
            raise InternalError(
                f"the loader's query kept {rows.num_rows} rows of row group {unit}, not the {self.counts[unit]} "
                "it counted (a volatile function such as random() in its WHERE?)"
            )
        return rows

    def finish(self, rows: pa.Table) -> pa.Table:
        return self.scan().finish(rows)

    def _read(self, scan: RowScan, unit: int, columns: list[str] | None = None) -> pa.Table:
        index, group = self.units[unit]
        manifest = scan.snapshot.manifest(scan.table)
        return scan.session.repo.files.read_row_group(manifest.files[index], manifest, group, columns)


class Answer:
    """A query's whole answer at the commit, as one unit held in memory (it cannot be streamed)."""

    streaming = False

    def __init__(self, rows: pa.Table) -> None:
        self._rows = rows
        self.counts = np.array([rows.num_rows], dtype=np.int64)

    @classmethod
    def open(cls, repository: Repository, commit: str, sql: str) -> "Answer":
        with Connection(session_at(repository, commit)) as db:
            return cls(db.execute(sql).fetch_arrow())

    def rows(self, unit: int) -> pa.Table:
        return self._rows

    def finish(self, rows: pa.Table) -> pa.Table:
        return rows
