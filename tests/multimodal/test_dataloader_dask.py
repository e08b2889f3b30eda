"""agentlake.torch.dataloader made inside Dask tasks on a real LocalCluster: each worker reads its
own shard (its place among the scheduler's workers), every row once per epoch between them, in an
order the seed decides."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
distributed = pytest.importorskip("distributed")

import agentlake  # noqa: E402
from agentlake.torch import dataloader  # noqa: E402

ROWS = 300


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> str:
    path = str(tmp_path_factory.mktemp("loader") / "repo")
    db = agentlake.connect(path)
    db.execute("CREATE TABLE samples (id int PRIMARY KEY, label int)")
    for start in range(0, ROWS, 100):  # three files: several row groups to shuffle
        db.execute("INSERT INTO samples VALUES " + ", ".join(f"({i}, {i % 7})" for i in range(start, start + 100)))
    db.close()
    return path


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def one_epoch(repo: str, seed: int) -> tuple[str, list[int]]:
    """What a training task does: make the loader on the worker, read one epoch."""
    loader = dataloader(repo, "SELECT id, label FROM samples", batch_size=16, shuffle=True, seed=seed)
    return distributed.get_worker().address, [int(i) for batch in loader for i in batch["id"]]


def _per_worker(client, repo: str, seed: int) -> dict[str, list[int]]:
    workers = sorted(client.scheduler_info(n_workers=-1)["workers"])
    futures = [client.submit(one_epoch, repo, seed, workers=[w], pure=False) for w in workers]
    return dict(client.gather(futures))


def test_each_dask_worker_reads_a_disjoint_shard(client, repo):
    seen = _per_worker(client, repo, seed=5)
    assert len(seen) == 2
    first, second = seen.values()
    assert len(first) == len(second) == ROWS // 2
    assert not set(first) & set(second)
    assert sorted(first + second) == list(range(ROWS))  # every row exactly once
    assert _per_worker(client, repo, seed=5) == seen  # the seed decides who reads what, in which order
    assert _per_worker(client, repo, seed=6) != seen


def test_outside_a_dask_task_the_loader_reads_everything(client, repo):
    ids = [int(i) for batch in dataloader(repo, "SELECT id FROM samples", batch_size=50) for i in batch["id"]]
    assert sorted(ids) == list(range(ROWS))
