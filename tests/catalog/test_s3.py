"""The catalog on S3, against moto's S3 server on 127.0.0.1 (no mocks of the client library)."""

from __future__ import annotations

import uuid

import pyarrow.compute as pc
import pytest

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")

from catalog_helpers import items, repo_with_items, rows  # noqa: E402

from catalog import ConflictError, Repository  # noqa: E402


@pytest.fixture
def endpoint(s3_endpoint: str) -> str:
    """The session's moto S3 server (tests/conftest.py); each test makes its own bucket."""
    return s3_endpoint


def _options(endpoint: str) -> dict:
    # a separate client per Repository, as two processes would have
    return {
        "key": "testing",
        "secret": "testing",
        "skip_instance_cache": True,
        "use_listings_cache": False,
        "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
    }


@pytest.fixture
def s3_url(endpoint):
    import s3fs

    bucket = f"b{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(**_options(endpoint)).call_s3("create_bucket", Bucket=bucket)
    return f"s3://{bucket}/repo"


def test_conditional_create_rejects_a_second_writer(endpoint, s3_url):
    import s3fs

    first, second = s3fs.S3FileSystem(**_options(endpoint)), s3fs.S3FileSystem(**_options(endpoint))
    path = s3_url[len("s3://") :] + "/probe"
    first.pipe_file(path, b"first", mode="create")
    with pytest.raises(FileExistsError):
        second.pipe_file(path, b"second", mode="create")
    assert second.cat_file(path) == b"first"


def test_branch_commit_merge_and_time_travel_on_s3(endpoint, s3_url):
    repo = repo_with_items(s3_url, n=5, storage_options=_options(endpoint))
    first = repo.head("main")
    repo.create_branch("agent")
    tx = repo.begin("agent")
    tx.append("items", items([10]))
    tx.update_where("items", {"qty": 3}, pc.field("id") == 1)
    tx.commit("agent")
    tx = repo.begin("main")
    tx.delete_keys("items", [4])
    tx.commit("main")
    assert repo.diff("main", "agent")["items"].counts == {"added": 2, "removed": 0, "changed": 1}
    repo.merge("agent", "main")
    again = Repository.open(s3_url, create=False, storage_options=_options(endpoint))
    assert [(r["id"], r["qty"]) for r in rows(again)] == [(0, 0), (1, 3), (2, 0), (3, 0), (10, 0)]
    assert again.snapshot(first).read("items").num_rows == 5
    assert set(again.branches()) == {"main", "agent"}


def test_two_writers_on_s3_rebase_or_conflict(endpoint, s3_url):
    one = repo_with_items(s3_url, n=3, storage_options=_options(endpoint))
    two = Repository.open(s3_url, create=False, storage_options=_options(endpoint))
    a, b = one.begin("main"), two.begin("main")
    a.append("items", items([100]))
    b.append("items", items([200]))
    a.commit("a")
    b.commit("b")  # the ref moved under b: its append is replayed on the new head
    assert [r["id"] for r in rows(one)] == [0, 1, 2, 100, 200]
    a, b = one.begin("main"), two.begin("main")
    a.update_where("items", {"qty": 1}, pc.field("id") == 0)
    b.update_where("items", {"qty": 2}, pc.field("id") == 0)
    a.commit("a")
    with pytest.raises(ConflictError):
        b.commit("b")
    assert rows(two)[0]["qty"] == 1
