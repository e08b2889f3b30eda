"""Diff and three-way merge: every clean case, every conflict kind, every strategy."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from catalog_helpers import ITEMS, items, repo_with_items, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import MergeConflict, Repository


def _commit(repo, branch, work, message="work"):
    tx = repo.begin(branch)
    work(tx)
    return tx.commit(message)


def _set_qty(tx, key, qty):
    tx.update_where("items", {"qty": qty}, pc.field("id") == key)


def test_diff_reports_added_removed_changed(repo):
    repo.create_branch("b")
    _commit(
        repo, "b", lambda tx: (tx.append("items", items([10, 11])), tx.delete_keys("items", [0]), _set_qty(tx, 5, 9))
    )
    result = repo.diff("main", "b")
    d = result["items"]
    assert d.counts == {"added": 2, "removed": 1, "changed": 1}
    assert sorted(d.added.column("id").to_pylist()) == [10, 11]
    assert d.removed.column("id").to_pylist() == [0]
    change = d.changed.to_pylist()[0]
    assert change["id"] == 5 and change["old"]["qty"] == 0 and change["new"]["qty"] == 9
    assert repo.diff("b", "main")["items"].counts == {"added": 1, "removed": 2, "changed": 1}
    assert repo.diff("main", "main") == {}


def test_diff_skips_files_identical_on_both_sides(repo):
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: tx.append("items", items([10])))
    shared = repo.snapshot("main").manifest("items").files[0]
    repo.files.read_raw = lambda entry, columns=None, _orig=repo.files.read_raw: (
        pytest.fail("read a shared file") if entry.id == shared.id else _orig(entry, columns)
    )
    assert repo.diff("main", "b")["items"].counts == {"added": 1, "removed": 0, "changed": 0}


def test_diff_of_created_and_dropped_tables(repo):
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: (tx.drop_table("items"), tx.create_table("other", pa.schema([("a", pa.int64())]))))
    result = repo.diff("main", "b")
    assert result["items"].counts["removed"] == 10 and result["items"].schema_changed
    assert result["other"].counts == {"added": 0, "removed": 0, "changed": 0} and result["other"].schema_changed


def test_fast_forward_and_up_to_date(repo):
    repo.create_branch("b")
    head_b = _commit(repo, "b", lambda tx: tx.append("items", items([10])))
    assert repo.merge("b", "main") == head_b
    assert repo.head("main") == head_b
    assert repo.merge("b", "main") == head_b  # nothing new


def test_clean_three_way_merge_of_different_keys(repo):
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: (tx.append("items", items([20])), _set_qty(tx, 1, 11), tx.delete_keys("items", [2])))
    _commit(
        repo, "main", lambda tx: (tx.append("items", items([30])), _set_qty(tx, 3, 33), tx.delete_keys("items", [4]))
    )
    data_before = {p for p, _ in repo.storage.walk("data")}
    merged = repo.merge("b", "main")
    commit = repo.commit(merged)
    assert len(commit.parents) == 2 and commit.parents[1] == repo.head("b")
    got = {r["id"]: r["qty"] for r in rows(repo)}
    assert set(got) == {0, 1, 3, 5, 6, 7, 8, 9, 20, 30}
    assert got[1] == 11 and got[3] == 33
    assert {p for p, _ in repo.storage.walk("data")} == data_before  # zero-copy: the source's files are reused
    assert repo.merge("b", "main") == merged


@pytest.mark.parametrize(
    "ours, theirs, kind",
    [
        (lambda tx: _set_qty(tx, 1, 100), lambda tx: _set_qty(tx, 1, 200), "update/update"),
        (lambda tx: _set_qty(tx, 1, 100), lambda tx: tx.delete_keys("items", [1]), "update/delete"),
        (lambda tx: tx.delete_keys("items", [1]), lambda tx: _set_qty(tx, 1, 200), "delete/update"),
        (
            lambda tx: tx.append("items", items([50], qty=1)),
            lambda tx: tx.append("items", items([50], qty=2)),
            "insert/insert",
        ),
    ],
)
def test_each_conflict_kind_and_strategy(repo, ours, theirs, kind):
    repo.create_branch("b")
    _commit(repo, "b", theirs)
    _commit(repo, "b", lambda tx: tx.append("items", items([60])))  # a clean change beside the conflict
    head = _commit(repo, "main", ours)
    ours_rows = rows(repo)
    with pytest.raises(MergeConflict) as err:
        repo.merge("b", "main")
    assert err.value.sqlstate == "40001"
    (conflict,) = err.value.conflicts
    assert conflict["table"] == "items" and conflict["kind"] == kind
    key = conflict["key"]
    assert conflict["base"] is None or conflict["base"]["id"] == key
    assert repo.head("main") == head and rows(repo) == ours_rows  # nothing written
    repo.create_branch("try-ours", from_="main")
    repo.merge("b", "try-ours", strategy="ours")
    kept = {r["id"]: r for r in rows(repo, "try-ours")}
    assert kept.get(key) == {r["id"]: r for r in ours_rows}.get(key) and 60 in kept
    repo.merge("b", "main", strategy="theirs")
    taken = {r["id"]: r for r in rows(repo)}
    assert taken.get(key) == {r["id"]: r for r in rows(repo, "b")}.get(key) and 60 in taken


def test_same_change_on_both_sides_is_not_a_conflict(repo):
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: (_set_qty(tx, 1, 5), tx.delete_keys("items", [2])))
    _commit(repo, "main", lambda tx: (_set_qty(tx, 1, 5), tx.delete_keys("items", [2])))
    repo.merge("b", "main")
    assert {r["id"]: r["qty"] for r in rows(repo)}[1] == 5 and 2 not in {r["id"] for r in rows(repo)}


def test_tables_without_primary_key_merge_by_rowid(repo_url):
    repo = repo_with_items(repo_url, primary_key=())
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: (_set_qty(tx, 1, 10), tx.append("items", items([1]))))
    _commit(repo, "main", lambda tx: (_set_qty(tx, 2, 20), tx.append("items", items([1]))))
    repo.merge("b", "main")
    ids = [r["id"] for r in rows(repo)]
    assert ids.count(1) == 3 and len(ids) == 12
    _commit(repo, "b", lambda tx: _set_qty(tx, 3, 1))
    _commit(repo, "main", lambda tx: _set_qty(tx, 3, 2))
    with pytest.raises(MergeConflict) as err:
        repo.merge("b", "main")
    assert err.value.conflicts[0]["kind"] == "update/update"


def test_schema_change_on_one_side_merges(repo):
    repo.create_branch("b")
    _commit(
        repo,
        "b",
        lambda tx: (
            tx.add_column("items", pa.field("note", pa.string())),
            tx.append("items", pa.table({"id": [40], "note": ["new"]})),
        ),
    )
    _commit(repo, "main", lambda tx: tx.append("items", items([41])))
    repo.merge("b", "main")
    got = {r["id"]: r for r in rows(repo)}
    assert (
        got[40]["note"] == "new" and got[41]["note"] is None and "note" in repo.snapshot("main").schema("items").names
    )


def test_incompatible_schema_changes_on_both_sides_conflict(repo):
    repo.create_branch("b")
    _commit(repo, "b", lambda tx: tx.rename_column("items", "qty", "quantity"))
    _commit(repo, "main", lambda tx: tx.drop_column("items", "qty"))
    with pytest.raises(MergeConflict) as err:
        repo.merge("b", "main")
    assert [c["kind"] for c in err.value.conflicts] == ["schema"]


def test_table_created_on_both_sides_conflicts(repo):
    repo.create_branch("b")
    schema = pa.schema([("a", pa.int64())])
    _commit(repo, "b", lambda tx: tx.create_table("t", schema))
    _commit(repo, "main", lambda tx: tx.create_table("t", schema))
    with pytest.raises(MergeConflict) as err:
        repo.merge("b", "main")
    assert err.value.conflicts[0]["kind"] == "table"


def test_merge_into_unknown_branch(repo):
    from catalog import RefNotFound

    with pytest.raises(RefNotFound):
        repo.merge("main", "nope")
    with pytest.raises(RefNotFound):
        repo.merge("nope", "main")


# property: non-conflicting random changes on two branches merge to both change sets applied
_op = st.tuples(st.sampled_from(["insert", "update", "delete"]), st.integers(0, 29), st.integers(1, 99))


def _apply(tx, model: dict, ops, insert_base: int) -> None:
    for kind, key, value in ops:
        if kind == "insert":
            k = insert_base + key
            if k not in model:
                tx.append("items", items([k], qty=value))
                model[k] = value
        elif key in model:
            if kind == "update":
                _set_qty(tx, key, value)
                model[key] = value
            else:
                tx.delete_keys("items", [key])
                del model[key]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ours=st.lists(_op, max_size=8), theirs=st.lists(_op, max_size=8), compact=st.booleans())
def test_merge_equals_applying_both_change_sets(ours, theirs, compact):
    repo = Repository.open("memory://" + __import__("uuid").uuid4().hex)
    tx = repo.begin("main")
    tx.create_table("items", ITEMS, ["id"])
    tx.append("items", items(range(20)))
    tx.commit("base")
    base = {i: 0 for i in range(20)}
    repo.create_branch("b")
    # keep the change sets disjoint: ours touches even keys, theirs odd keys (inserts in separate ranges)
    ours = [(k, key * 2 % 20, v) for k, key, v in ours]
    theirs = [(k, (key * 2 + 1) % 20, v) for k, key, v in theirs]
    model_ours, model_theirs = dict(base), dict(base)
    tx = repo.begin("main")
    _apply(tx, model_ours, ours, 100)
    tx.commit("ours")
    tx = repo.begin("b")
    _apply(tx, model_theirs, theirs, 200)
    tx.commit("theirs")
    if compact:
        repo.compact("b")
    repo.merge("b", "main")
    expected = dict(base)
    for model in (model_ours, model_theirs):
        for key in set(base) - set(model):
            expected.pop(key, None)
        expected.update({k: v for k, v in model.items() if base.get(k) != v})
    got = repo.snapshot("main").read("items")
    assert sorted(got.column("id").to_pylist()) == sorted(expected)
    assert {r["id"]: r["qty"] for r in got.to_pylist()} == expected
