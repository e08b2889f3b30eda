"""Branches, tags, time travel and bad input, through the public Repository API."""

from __future__ import annotations

import json
import time

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from catalog_helpers import items, repo_with_items, rows

from catalog import (
    ConflictError,
    InvalidName,
    NotNullViolation,
    ProtectedRef,
    RefExists,
    RefNotFound,
    Repository,
    SchemaMismatch,
    UniqueViolation,
    UnsupportedFormat,
)
from catalog.repository import CONFIG_PATH


def test_branch_isolation(repo):
    repo.create_branch("agent")
    tx = repo.begin("agent")
    tx.append("items", items([100]))
    tx.delete_keys("items", [0])
    tx.commit("agent work")
    assert [r["id"] for r in rows(repo, "agent")] == list(range(1, 10)) + [100]
    assert [r["id"] for r in rows(repo, "main")] == list(range(10))
    tx = repo.begin("main")
    tx.update_where("items", {"qty": 5}, pc.field("id") == 3)
    tx.commit("main work")
    assert rows(repo, "agent")[2] == {"id": 3, "name": "x3", "qty": 0}
    assert rows(repo, "main")[3]["qty"] == 5


def test_branch_creation_copies_no_data(repo):
    before = sorted(p for p, _ in repo.storage.walk("data"))
    repo.create_branch("b1")
    repo.create_branch("b2", from_="b1", ttl=60)
    assert sorted(p for p, _ in repo.storage.walk("data")) == before
    assert repo.head("b2") == repo.head("main")
    assert repo.branches()["b2"].expires > time.time()
    with pytest.raises(RefExists):
        repo.create_branch("b1")


def test_time_travel_by_commit_tag_and_timestamp(repo):
    first = repo.head("main")
    repo.create_tag("v1", "main")
    time.sleep(0.02)
    cutoff = time.time()
    time.sleep(0.02)
    tx = repo.begin("main")
    tx.delete_where("items", pc.field("id") < 5)
    second = tx.commit("delete half")
    assert repo.snapshot("main").read("items").num_rows == 5
    assert repo.snapshot(first).read("items").num_rows == 10
    assert repo.snapshot(first[:8]).read("items").num_rows == 10
    assert repo.snapshot("v1").read("items").num_rows == 10
    assert repo.snapshot("main", as_of=cutoff).read("items").num_rows == 10
    assert repo.resolve("main", as_of=time.time()) == second
    assert [cid for cid, _ in repo.log("main")][:2] == [second, first]
    with pytest.raises(RefNotFound):
        repo.snapshot("main", as_of=0)


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "a/../../b",
        "",
        "x" * 300,
        "bad\x01name",
        "tab\tname",
        "/abs",
        "-opt",
        "a..b",
        "with space",
        "end.lock",
        "a//b",
    ],
)
def test_invalid_branch_and_tag_names_change_nothing(repo, name):
    before = set(repo.branches())
    with pytest.raises(InvalidName) as err:
        repo.create_branch(name)
    assert err.value.sqlstate == "42602"
    with pytest.raises(InvalidName):
        repo.create_tag(name, "main")
    assert set(repo.branches()) == before and not repo.tags()
    assert not any("x" * 300 in p for p, _ in repo.storage.walk("refs"))


@pytest.mark.parametrize("name", ["../t", "", "_hidden", "pg_class", "a b", "x" * 64, "1abc"])
def test_invalid_table_names(repo, name):
    tx = repo.begin("main")
    with pytest.raises(InvalidName):
        tx.create_table(name, pa.schema([("a", pa.int64())]))


def test_unknown_refs(repo):
    for bad in ("nope", "deadbeef" * 4, "abcdef", ""):
        with pytest.raises(RefNotFound) as err:
            repo.snapshot(bad)
        assert err.value.sqlstate in ("3F000", "3D000")
    with pytest.raises(RefNotFound):
        repo.begin("nope")
    with pytest.raises(RefNotFound):
        repo.create_branch("x", from_="nope")
    with pytest.raises(RefNotFound):
        repo.delete_branch("nope")
    with pytest.raises(RefNotFound):
        Repository.open(repo.storage.root + "-missing", create=False)


def test_main_is_protected(repo):
    with pytest.raises(ProtectedRef) as err:
        repo.delete_branch("main")
    assert err.value.sqlstate == "42501"


def test_schema_mismatch_on_append_writes_nothing(repo):
    head = repo.head("main")
    tx = repo.begin("main")
    with pytest.raises(SchemaMismatch) as err:
        tx.append("items", pa.table({"id": [1], "unknown": [2]}))
    assert err.value.sqlstate == "42804"
    with pytest.raises(SchemaMismatch):
        tx.append("items", pa.table({"id": ["not a number"]}))
    with pytest.raises(NotNullViolation):
        tx.append("items", pa.table({"id": pa.array([None], pa.int64())}))
    assert tx.commit() == head
    assert repo.head("main") == head


def test_duplicate_keys_are_rejected(repo):
    tx = repo.begin("main")
    with pytest.raises(UniqueViolation) as err:
        tx.append("items", items([3]))
    assert err.value.sqlstate == "23505"
    with pytest.raises(UniqueViolation):
        tx.append("items", items([50, 50]))
    assert repo.snapshot("main").read("items").num_rows == 10


def test_concurrent_inserts_of_the_same_key_conflict(repo):
    a, b = repo.begin("main"), repo.begin("main")
    a.append("items", items([77]))
    b.append("items", items([77]))
    a.commit("a")
    with pytest.raises(ConflictError) as err:
        b.commit("b")
    assert err.value.sqlstate == "40001"
    assert [r["id"] for r in rows(repo)].count(77) == 1


def test_deleting_the_branch_being_written(repo):
    repo.create_branch("doomed")
    tx = repo.begin("doomed")
    tx.append("items", items([200]))
    repo.delete_branch("doomed")
    with pytest.raises(RefNotFound):
        tx.commit("too late")
    assert "doomed" not in repo.branches()
    assert repo.snapshot("main").read("items").num_rows == 10


def test_newer_format_version_is_refused(repo_url):
    repo = repo_with_items(repo_url, n=1)
    config = json.loads(repo.storage.read(CONFIG_PATH))
    config["format_version"] = 99
    repo.storage.write(CONFIG_PATH, json.dumps(config).encode(), durable=True)
    with pytest.raises(UnsupportedFormat, match="format version 99"):
        Repository.open(repo_url)


def test_memory_store_round_trip():
    repo = repo_with_items("memory://catalog-test-memory", n=5)
    repo.create_branch("m")
    tx = repo.begin("m")
    tx.upsert("items", items([1, 42], qty=7))
    tx.commit("upsert")
    assert repo.merge("m", "main") == repo.head("m")
    again = Repository.open("memory://catalog-test-memory")
    assert [r["qty"] for r in rows(again)] == [0, 7, 0, 0, 0, 7]


def test_compaction_is_invisible_to_readers(repo):
    repo.compaction.enabled = False  # the explicit compaction below is the one under test
    for i in range(10, 30):
        tx = repo.begin("main")
        tx.append("items", items([i]))
        tx.delete_keys("items", [i - 10]) if i % 3 == 0 else None
        tx.commit(f"row {i}")
    before_rows = rows(repo)
    reader = repo.snapshot("main")
    writer = repo.begin("main")
    writer.append("items", items([999]))
    result = repo.compact("main")
    assert result["items"][1] < result["items"][0]
    writer.commit("concurrent with compaction")
    assert reader.read("items").sort_by("id").to_pylist() == before_rows
    assert rows(repo) == sorted(before_rows + items([999]).to_pylist(), key=lambda r: r["id"])
    assert repo.diff(reader.commit_id, "main")["items"].counts == {"added": 1, "removed": 0, "changed": 0}


def _bump(tx, key: int) -> None:
    tx.update_where("items", {"qty": pc.field("qty") + 1}, pc.field("id") == key)


def test_update_folded_into_compaction_still_conflicts(repo):
    """A concurrent update must not slip past because compaction moved the updated row."""
    repo.compaction.enabled = False  # the explicit compaction below is the one under test
    stale = repo.begin("main")
    _bump(stale, 3)
    first = repo.begin("main")
    _bump(first, 3)
    first.commit("first bump")
    repo.compact("main")
    with pytest.raises(ConflictError):
        stale.commit("stale bump")
    assert [r["qty"] for r in rows(repo) if r["id"] == 3] == [1]


def test_row_only_moved_by_compaction_does_not_conflict(repo):
    repo.compaction.enabled = False  # the explicit compaction below is the one under test
    for i in range(10, 30):
        tx = repo.begin("main")
        tx.append("items", items([i]))
        tx.commit(f"row {i}")
    writer = repo.begin("main")
    _bump(writer, 12)
    assert repo.compact("main")["items"][1] < 20
    writer.commit("bump after compaction")
    assert [r["qty"] for r in rows(repo) if r["id"] == 12] == [1]
