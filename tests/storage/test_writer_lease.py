"""A store without a real compare-and-swap takes one writer process at a time.

gs:// and az:// are such stores here (gcsfs and adlfs are neither installed nor
reachable); fsspec's own local filesystem (local://), used as an object store, stands in
for them: its put-if-absent is a check then a write, like theirs.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid

import pytest
import storage_workers
from storage_workers import Backend

from catalog.storage import RefState, WriterLeaseHeld
from catalog.storage.lease import LEASE_PATH, WriterLease
from catalog.storage.objectstore import ObjectStorage

TIMEOUT_S = 120


@pytest.fixture
def no_cas(tmp_path) -> Backend:
    return Backend("fsspec-local", f"local://{tmp_path}/repo", {"auto_mkdir": True})


def test_a_store_without_conditional_writes_says_so(no_cas):
    assert ObjectStorage(no_cas.url, no_cas.options).atomic_cas is False


def test_a_second_writer_process_is_refused_until_the_first_exits(no_cas):
    ctx = multiprocessing.get_context("spawn")
    ready, go, results = ctx.Queue(), ctx.Event(), ctx.Queue()
    holder = ctx.Process(target=storage_workers.hold_then_exit, args=(no_cas, ready, go))
    holder.start()
    holder_pid = ready.get(timeout=TIMEOUT_S)
    second = ctx.Process(target=storage_workers.try_write, args=(no_cas, results))
    second.start()
    assert results.get(timeout=TIMEOUT_S) == ("read", "c0")  # readers are never refused
    kind, sqlstate, message = results.get(timeout=TIMEOUT_S)
    second.join(TIMEOUT_S)
    assert (kind, sqlstate) == ("write", "55P03")
    assert f"process {holder_pid}" in message and LEASE_PATH in message and "one writer process" in message
    go.set()
    holder.join(TIMEOUT_S)
    assert holder.exitcode == 0
    store = ObjectStorage(no_cas.url, no_cas.options)  # the holder released the lease as it exited
    assert not store.exists(LEASE_PATH)
    assert store.ref_swap("heads", "main", "c0", RefState("c1", 0.0), [], durable=True)


def test_storages_of_one_process_share_its_lease(no_cas):
    one, two = ObjectStorage(no_cas.url, no_cas.options), ObjectStorage(no_cas.url, no_cas.options)
    one.ref_create("heads", "main", RefState("c0", 0.0), durable=True)
    assert two.ref_swap("heads", "main", "c0", RefState("c1", 0.0), [], durable=True)


def test_a_lapsed_lease_passes_to_the_next_writer(no_cas):
    objects = ObjectStorage(no_cas.url, no_cas.options).objects
    dead = WriterLease(objects, no_cas.url, ttl=0.5, settle=0.05)
    alive = WriterLease(objects, no_cas.url, ttl=0.5, settle=0.05)
    dead.hold()
    with pytest.raises(WriterLeaseHeld) as refused:
        alive.hold()
    assert refused.value.sqlstate == "55P03"
    time.sleep(0.6)
    alive.hold()
    with pytest.raises(WriterLeaseHeld):
        dead.hold()  # it came back after its lease lapsed: it must not write


def test_writers_racing_for_a_free_lease_get_it_once():
    """On a store whose PUTs are atomic, as every object store's are (local:// files are not)."""
    url = f"memory://{uuid.uuid4().hex}"
    objects = ObjectStorage(url).objects
    leases = [WriterLease(objects, url, ttl=30, settle=1.0) for _ in range(4)]
    barrier, won, lock = threading.Barrier(len(leases)), [], threading.Lock()

    def take(lease: WriterLease) -> None:
        barrier.wait(TIMEOUT_S)
        try:
            lease.hold()
        except WriterLeaseHeld:
            return
        with lock:
            won.append(lease)

    threads = [threading.Thread(target=take, args=(lease,)) for lease in leases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S)
    assert len(won) == 1
