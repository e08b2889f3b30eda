"""Backends under test and the code child processes run (importable by spawned interpreters)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

import pyarrow as pa

from catalog import Repository
from catalog.storage import RefState, Storage, open_storage

ID = pa.schema([("id", pa.int64())])


@dataclass(frozen=True)
class Backend:
    """One repository location; ``processes`` says whether other processes can reach it."""

    name: str
    url: str
    options: dict = field(default_factory=dict)
    processes: bool = True

    def open(self) -> Storage:
        return open_storage(self.url, self.options or None)

    def repository(self, **kwargs) -> Repository:
        return Repository.open(self.url, storage_options=self.options or None, **kwargs)


def race_put(backend: Backend, path: str, payload: bytes, barrier, results) -> None:
    store = backend.open()
    barrier.wait(60)
    results.put((payload, store.put_if_absent(path, payload)))


def race_swap(backend: Backend, expected: str, new: str, barrier, results) -> None:
    store = backend.open()
    store.ref_get("heads", "main")  # warm the cache, as a writer that read the ref would have
    barrier.wait(60)
    results.put((new, store.ref_swap("heads", "main", expected, RefState(new, 0.0), [], durable=True)))


def setup_table(backend: Backend) -> Repository:
    repo = backend.repository()
    tx = repo.begin("main")
    tx.create_table("t", ID)
    tx.commit("create t")
    return repo


def commit_then_die(backend: Backend, out: str, kill_at: int) -> None:
    """Commit row i as commit i, acknowledging each in ``out``; SIGKILL itself inside commit ``kill_at``,
    after its objects are written and before its ref swap."""
    repo = backend.repository(create=False)
    swap, done = repo.storage.ref_swap, [0]

    def swap_or_die(*args, **kwargs):
        if done[0] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return swap(*args, **kwargs)

    repo.storage.ref_swap = swap_or_die
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    while True:
        tx = repo.begin("main")
        tx.append("t", pa.table({"id": [done[0]]}, schema=ID))
        commit_id = tx.commit(f"row {done[0]}")
        os.write(fd, f"{commit_id} {done[0]}\n".encode())
        done[0] += 1


def hold_then_exit(backend: Backend, ready, go) -> None:
    """Become the writer of a store, report it, and exit normally when told (releasing the lease)."""
    store = backend.open()
    store.ref_create("heads", "main", RefState("c0", 0.0), durable=True)
    ready.put(os.getpid())
    go.wait(60)


def try_write(backend: Backend, results) -> None:
    """Report what a second process gets from reading and from writing the store."""
    store = backend.open()
    results.put(("read", store.ref_get("heads", "main").commit))
    try:
        store.ref_swap("heads", "main", "c0", RefState("c1", 0.0), [], durable=True)
        results.put(("write", "ok"))
    except Exception as err:  # the parent asserts on what came back
        results.put(("write", getattr(err, "sqlstate", type(err).__name__), str(err)))
