"""What every storage backend must do, run against each (see conftest.BACKENDS).

Object I/O: put-if-absent under races, get, list, delete. Ref compare-and-swap:
success, failure, races between threads and between processes, listing,
pruning of old versions. And a writer SIGKILLed between writing a commit's
objects and swapping its ref loses nothing acknowledged.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import pyarrow as pa
import pytest
import storage_workers
from storage_workers import Backend

from catalog.errors import RefExists, RefNotFound, StorageError
from catalog.storage import RefState

PROCESSES = 4
TIMEOUT_S = 120


def _needs_processes(backend: Backend) -> None:
    if not backend.processes:
        pytest.skip(f"{backend.url.split('://')[0]}:// lives inside one process")


def _in_processes(target, args_per_process: list[tuple]) -> list:
    """Run ``target(*args, barrier, results)`` in fresh interpreters lined up on a barrier."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(args_per_process)), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for args in args_per_process]
    for p in procs:
        p.start()
    out = [results.get(timeout=TIMEOUT_S) for _ in procs]
    for p in procs:
        p.join(TIMEOUT_S)
        assert p.exitcode == 0
    return out


def _in_threads(target, count: int) -> list:
    barrier, results, lock = threading.Barrier(count), [], threading.Lock()

    def run(i: int) -> None:
        barrier.wait(TIMEOUT_S)
        value = target(i)
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S)
    return results


def _state(commit: str) -> RefState:
    return RefState(commit, time.time())


# object I/O ---------------------------------------------------------------
def test_every_backend_has_a_real_compare_and_swap(backend):
    assert backend.open().atomic_cas is True


def test_put_if_absent_creates_once_and_never_overwrites(backend):
    store = backend.open()
    assert store.put_if_absent("objects/aa/one.json", b"first") is True
    assert store.put_if_absent("objects/aa/one.json", b"second") is False
    assert store.read("objects/aa/one.json") == b"first"
    assert backend.open().put_if_absent("objects/aa/one.json", b"third") is False  # another client
    assert backend.open().read("objects/aa/one.json") == b"first"


def test_get_list_and_delete(backend):
    store = backend.open()
    for path in ("data/t1/a.parquet", "data/t1/b.parquet", "data/t2/c.parquet", "objects/ab/cd.json"):
        store.write(path, path.encode(), durable=True)
    assert store.exists("data/t1/a.parquet") and not store.exists("data/t1/zz.parquet")
    assert store.read("data/t2/c.parquet") == b"data/t2/c.parquet"
    listed = dict(store.walk("data"))
    assert sorted(listed) == ["data/t1/a.parquet", "data/t1/b.parquet", "data/t2/c.parquet"]
    assert all(mtime > 0 for mtime in listed.values())
    assert sorted(p for p, _ in store.walk("data/t1")) == ["data/t1/a.parquet", "data/t1/b.parquet"]
    assert list(store.walk("nothing")) == []
    store.delete("data/t1/a.parquet")
    store.delete("data/t1/a.parquet")  # deleting what is gone is not an error
    assert not store.exists("data/t1/a.parquet")
    with pytest.raises(StorageError):
        store.read("data/t1/a.parquet")
    assert sorted(p for p, _ in backend.open().walk("data")) == ["data/t1/b.parquet", "data/t2/c.parquet"]


def test_put_if_absent_race_between_threads(backend):
    store = backend.open()
    results = _in_threads(lambda i: (i, store.put_if_absent("race/x", f"writer {i}".encode())), 8)
    winners = [i for i, won in results if won]
    assert len(winners) == 1
    assert store.read("race/x") == f"writer {winners[0]}".encode()


def test_put_if_absent_race_between_processes(backend):
    _needs_processes(backend)
    results = _in_processes(
        storage_workers.race_put, [(backend, "race/x", f"process {i}".encode()) for i in range(PROCESSES)]
    )
    winners = [payload for payload, won in results if won]
    assert len(winners) == 1
    assert backend.open().read("race/x") == winners[0]


# refs ---------------------------------------------------------------------
def test_ref_compare_and_swap(backend):
    store = backend.open()
    assert store.ref_get("heads", "main") is None
    store.ref_create("heads", "main", _state("c0"), durable=True)
    with pytest.raises(RefExists):
        store.ref_create("heads", "main", _state("other"), durable=True)
    assert store.ref_swap("heads", "main", "wrong", _state("c1"), [], durable=True) is False
    assert store.ref_get("heads", "main").commit == "c0"
    assert store.ref_swap("heads", "main", "c0", _state("c1"), [], durable=True) is True
    assert store.ref_swap("heads", "main", "c0", _state("c2"), [], durable=True) is False  # c0 is gone
    assert backend.open().ref_get("heads", "main").commit == "c1"
    with pytest.raises(RefNotFound):
        store.ref_swap("heads", "missing", "c0", _state("c1"), [], durable=True)
    store.ref_delete("heads", "main")
    assert store.ref_get("heads", "main") is None and backend.open().ref_get("heads", "main") is None
    with pytest.raises(RefNotFound):
        store.ref_delete("heads", "main")
    with pytest.raises(RefNotFound):
        store.ref_swap("heads", "main", "c1", _state("c2"), [], durable=True)
    store.ref_create("heads", "main", _state("c9"), durable=True)  # a deleted name can be reused
    assert backend.open().ref_get("heads", "main").commit == "c9"


def test_swap_from_a_stale_client_fails(backend):
    one, two = backend.open(), backend.open()
    one.ref_create("heads", "main", _state("c0"), durable=True)
    assert two.ref_get("heads", "main").commit == "c0"  # two caches what it saw
    assert one.ref_swap("heads", "main", "c0", _state("c1"), [], durable=True)
    assert two.ref_swap("heads", "main", "c0", _state("c2"), [], durable=True) is False
    assert two.ref_get("heads", "main").commit == "c1"
    assert two.ref_swap("heads", "main", "c1", _state("c2"), [], durable=True)
    assert one.ref_get("heads", "main").commit == "c2"


def test_ref_listing(backend):
    store = backend.open()
    names = ["main", "agent/one", "agent/two", "ünïcode", "a%2Fb"]
    for i, name in enumerate(names):
        store.ref_create("heads", name, _state(f"c{i}"), durable=False)
    store.ref_create("tags", "v1", _state("c0"), durable=True)
    store.ref_swap("heads", "agent/one", "c1", _state("c9"), [], durable=True)
    store.ref_delete("heads", "agent/two")
    heads = backend.open().ref_list("heads")
    assert {name: state.commit for name, state in heads.items()} == {
        "main": "c0",
        "agent/one": "c9",
        "ünïcode": "c3",
        "a%2Fb": "c4",
    }
    assert list(backend.open().ref_list("tags")) == ["v1"]


def test_concurrent_swaps_between_threads_have_one_winner(backend):
    store = backend.open()
    store.ref_create("heads", "main", _state("c0"), durable=True)
    results = _in_threads(
        lambda i: (i, backend.open().ref_swap("heads", "main", "c0", _state(f"t{i}"), [], durable=True)), 8
    )
    winners = [i for i, won in results if won]
    assert len(winners) == 1
    assert store.ref_get("heads", "main").commit == f"t{winners[0]}"


def test_concurrent_swaps_between_processes_have_one_winner(backend):
    _needs_processes(backend)
    backend.open().ref_create("heads", "main", _state("c0"), durable=True)
    results = _in_processes(storage_workers.race_swap, [(backend, "c0", f"p{i}") for i in range(PROCESSES)])
    winners = [new for new, won in results if won]
    assert len(winners) == 1
    assert backend.open().ref_get("heads", "main").commit == winners[0]


def test_counters_hand_out_disjoint_ranges(backend):
    results = _in_threads(lambda i: backend.open().allocate("rowid", 10), 6)
    starts = sorted(results)
    assert starts == list(range(starts[0], starts[0] + 60, 10))
    assert backend.open().allocate("rowid", 1) == starts[-1] + 10


def test_an_exclusive_lock_held_elsewhere_is_refused_without_waiting(backend):
    """``try_exclusive`` spares processes duplicate work: where the store can tell (local disk, by
    flock) a second holder is refused at once; elsewhere every caller may go ahead."""
    first, second = backend.open(), backend.open()
    with first.try_exclusive("compaction.7") as held:
        assert held
        with second.try_exclusive("compaction.7") as again, second.try_exclusive("compaction.8") as other:
            assert again is (backend.name != "local") and other
    with second.try_exclusive("compaction.7") as after:
        assert after


# pruning ------------------------------------------------------------------
def _swap_times(store, count: int) -> None:
    store.ref_create("heads", "main", _state("c0"), durable=True)
    for i in range(count):
        assert store.ref_swap("heads", "main", f"c{i}", _state(f"c{i + 1}"), [], durable=True)


def test_pruning_keeps_every_current_value(backend):
    store, stale = backend.open(), backend.open()
    _swap_times(store, 5)
    assert stale.ref_get("heads", "main").commit == "c5"
    store.allocate("rowid", 3)
    store.allocate("rowid", 3)
    store.ref_create("tags", "v1", _state("c2"), durable=True)
    future = time.time() + 60
    assert store.prune_versions(future, dry_run=True) >= 5
    assert store.ref_get("heads", "main").commit == "c5"  # a dry run changes nothing
    assert store.prune_versions(future) >= 5
    assert store.prune_versions(future) == 0
    for client in (store, stale, backend.open()):
        assert client.ref_get("heads", "main").commit == "c5"
        assert client.ref_get("tags", "v1").commit == "c2"
    assert stale.ref_swap("heads", "main", "c4", _state("x"), [], durable=True) is False
    assert stale.ref_swap("heads", "main", "c5", _state("c6"), [], durable=True) is True
    assert store.ref_get("heads", "main").commit == "c6"
    assert store.allocate("rowid", 1) == 7


def test_pruning_forgets_deleted_refs(backend):
    store = backend.open()
    store.ref_create("heads", "gone", _state("c0"), durable=True)
    store.ref_swap("heads", "gone", "c0", _state("c1"), [], durable=True)
    store.ref_delete("heads", "gone")
    store.prune_versions(time.time() + 60)
    assert "gone" not in store.ref_list("heads") and store.ref_get("heads", "gone") is None
    assert not any("gone" in path for path, _ in store.walk("refs"))
    store.ref_create("heads", "gone", _state("c7"), durable=True)
    assert backend.open().ref_get("heads", "gone").commit == "c7"


def test_pruning_spares_versions_younger_than_the_cutoff(backend):
    if backend.name == "local":
        pytest.skip("a local journal is checkpointed under flock: no writer can be between read and swap")
    store = backend.open()
    _swap_times(store, 3)
    store.ref_delete("heads", "main")
    assert store.prune_versions(time.time() - 3600) == 0
    assert len(list(store.walk("refs/heads"))) == 5


def test_gc_prunes_ref_versions_and_the_repository_goes_on(backend):
    repo = storage_workers.setup_table(backend)
    for i in range(4):
        tx = repo.begin("main")
        tx.append("t", pa.table({"id": [i]}, schema=storage_workers.ID))
        tx.commit(f"row {i}")
    assert repo.gc(grace=0, dry_run=True).ref_versions >= 4
    assert repo.gc(grace=0).ref_versions >= 4
    again = backend.repository(create=False)
    assert sorted(again.snapshot("main").read("t").column("id").to_pylist()) == [0, 1, 2, 3]
    written = [c for _, c in again.log("main") if not c.metadata.get("compaction")]  # the compactor may fold t
    assert len(written) == 6
    tx = again.begin("main")
    tx.append("t", pa.table({"id": [4]}, schema=storage_workers.ID))
    tx.commit("after gc")
    assert repo.snapshot("main").read("t").num_rows == 5


# crashes ------------------------------------------------------------------
def test_writer_killed_between_object_writes_and_ref_swap(backend, tmp_path):
    _needs_processes(backend)
    storage_workers.setup_table(backend)
    out, kill_at = str(tmp_path / "acks"), 3
    proc = multiprocessing.get_context("spawn").Process(
        target=storage_workers.commit_then_die, args=(backend, out, kill_at)
    )
    proc.start()
    proc.join(TIMEOUT_S)
    assert proc.exitcode == -9
    with open(out) as fh:
        acks = [line.split() for line in fh if line.endswith("\n")]
    assert [int(row) for _, row in acks] == list(range(kill_at))
    repo = backend.repository(create=False)
    assert sorted(repo.snapshot("main").read("t").column("id").to_pylist()) == list(range(kill_at))
    assert [commit_id for commit_id, _ in repo.log("main", limit=kill_at)] == [c for c, _ in reversed(acks)]
    garbage = repo.gc(grace=0, dry_run=True)
    if backend.name == "local":  # the dead commit's objects would have ridden in its journal record
        assert (garbage.commits, garbage.data_files) == (0, 0)
    else:  # they were written, and nothing reaches them
        assert garbage.commits >= 1 and garbage.data_files >= 1
    tx = repo.begin("main")
    tx.append("t", pa.table({"id": [99]}, schema=storage_workers.ID))
    tx.commit("after the crash")
    assert 99 in backend.repository(create=False).snapshot("main").read("t").column("id").to_pylist()
