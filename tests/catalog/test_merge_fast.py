"""The key-lookup merge against the full-diff reference; merge bases; compaction beside merges;
old-format repositories; paged log; concurrent merges from processes."""

from __future__ import annotations

import json
import multiprocessing
import random

import merge_workers
import pyarrow.compute as pc
import pytest
import reference_merge
from catalog_helpers import ITEMS, commit_items, items, repo_with_items, rows

import catalog.merge as merge_module
from catalog import FORMAT_VERSION, MergeConflict, Repository
from catalog.objects import content_id, object_path
from catalog.storage.base import RefState, dumps


def _ancestors(repo: Repository, commit_id: str) -> set[str]:
    out, stack = set(), [commit_id]
    while stack:
        current = stack.pop()
        if current not in out:
            out.add(current)
            stack.extend(repo.commit(current).parents)
    return out


def _assert_best_common_ancestor(repo: Repository, a: str, b: str, base: str | None) -> None:
    common = _ancestors(repo, a) & _ancestors(repo, b)
    if base is None:
        assert not common
        return
    assert base in common
    assert not any(base in _ancestors(repo, other) for other in common - {base}), "a nearer common ancestor exists"


def _random_writes(rng: random.Random, repo: Repository, branch: str, keyed: bool) -> None:
    tx = repo.begin(branch)
    live = tx.snapshot.read("items").column("id").to_pylist()
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["insert", "update", "update", "delete"])
        key = rng.choice(live) if live and kind != "insert" else rng.randrange(60)
        if kind == "insert" and (not keyed or key not in live):
            tx.append("items", items([key], qty=rng.randrange(3)))
            live.append(key)
        elif kind == "update" and key in live:
            tx.update_where("items", {"qty": rng.randrange(3)}, pc.field("id") == key)
        elif kind == "delete" and key in live:
            tx.delete_where("items", pc.field("id") == key)
            live = [k for k in live if k != key]
    tx.commit("random writes")


def _both_merges(repo: Repository, base: str, target: str, source: str, strategy: str):
    fast = merge_module.three_way(repo, base, target, source, strategy)
    saved = merge_module._merge_rows
    merge_module._merge_rows = reference_merge._merge_rows
    try:
        reference = merge_module.three_way(repo, base, target, source, strategy)
    finally:
        merge_module._merge_rows = saved
    return fast, reference


@pytest.mark.parametrize("keyed", [True, False], ids=["primary-key", "rowid"])
@pytest.mark.parametrize("seed", range(5))
def test_merge_equals_full_diff_reference_on_random_histories(repo_url, seed, keyed):
    """Many branches, interleaved merges both ways (criss-cross included), the same keys changed on both
    sides, deletes, compactions, every strategy: the result and the conflicts are the reference's, exactly."""
    rng = random.Random(seed)
    repo = repo_with_items(repo_url, n=30, primary_key=("id",) if keyed else ())
    repo.compaction.enabled = False  # compactions here are explicit, so every run is the same
    branches, compared = ["main"], 0
    for step in range(45):
        action = rng.choice(["branch", "write", "write", "write", "merge", "merge", "merge", "compact"])
        if action == "branch" or len(branches) < 3:
            name = f"b{step}"
            repo.create_branch(name, from_=rng.choice(branches))
            branches.append(name)
        elif action == "write":
            _random_writes(rng, repo, rng.choice(branches), keyed)
        elif action == "compact":
            repo.compact(rng.choice(branches))
        else:
            source, target = rng.sample(branches, 2)
            strategy = rng.choice(merge_module.STRATEGIES)
            s, t = repo.head(source), repo.head(target)
            base = merge_module.merge_base(repo, s, t)
            _assert_best_common_ancestor(repo, s, t, base)
            if base not in (s, t):
                fast, reference = _both_merges(repo, base, t, s, strategy)
                assert {n: m.encoded[0] for n, m in fast[0].items()} == {
                    n: m.encoded[0] for n, m in reference[0].items()
                }
                assert fast[1] == reference[1]
                # conflicts come in the order of Arrow's hash join, which is not fixed: compare as sets
                assert sorted(map(repr, fast[-1])) == sorted(map(repr, reference[-1]))
                compared += 1
            try:
                repo.merge(source, target, strategy=strategy)
            except MergeConflict as err:
                assert strategy == "fail" and err.conflicts
    assert compared >= 3


def test_merge_base_on_criss_cross_history(repo):
    """Two branches merged into each other: both merge commits' parents are best common ancestors."""
    repo.compaction.enabled = False
    repo.create_branch("x")
    repo.create_branch("y")
    for branch, key in (("x", 100), ("y", 200)):
        tx = repo.begin(branch)
        tx.append("items", items([key]))
        tx.commit(branch)
    x1, y1 = repo.head("x"), repo.head("y")
    repo.merge("y", "x")  # x2 = merge(x1, y1)
    tx = repo.begin("y")
    tx.append("items", items([201]))
    tx.commit("y again")
    repo.merge(x1, "y")  # y3 = merge(y2, x1)
    for branch, key in (("x", 101), ("y", 202)):
        tx = repo.begin(branch)
        tx.append("items", items([key]))
        tx.commit(branch)
    a, b = repo.head("x"), repo.head("y")
    base = merge_module.merge_base(repo, a, b)
    assert base in (x1, y1)
    _assert_best_common_ancestor(repo, a, b, base)
    assert merge_module.merge_base(repo, b, a) in (x1, y1)
    assert repo.ancestry.is_ancestor(x1, a) and not repo.ancestry.is_ancestor(a, x1)
    repo.merge("x", "y")
    assert {r["id"] for r in rows(repo, "y")} == set(range(10)) | {100, 101, 200, 201, 202}


def test_merge_base_follows_a_target_that_keeps_moving(repo):
    """Many branches from one base merged one after another: each base is the fork point."""
    fork = repo.head("main")
    for i in range(12):
        repo.create_branch(f"agent{i}")
        tx = repo.begin(f"agent{i}")
        tx.append("items", items([1000 + i]))
        tx.commit("agent work")
    for i in range(12):
        assert merge_module.merge_base(repo, repo.head(f"agent{i}"), repo.head("main")) == fork
        repo.merge(f"agent{i}", "main")
    assert len(rows(repo)) == 22


def test_merge_base_loads_only_commits_between_the_heads_and_the_base(repo_url):
    repo = repo_with_items(repo_url)
    repo.compaction.enabled = False
    for i in range(60):  # a long history before the fork
        tx = repo.begin("main")
        tx.append("items", items([100 + i]))
        tx.commit("old work")
    repo.create_branch("agent")
    for branch, key in (("agent", 500), ("main", 600), ("main", 601)):
        tx = repo.begin(branch)
        tx.append("items", items([key]))
        tx.commit("new work")
    fresh = Repository.open(repo_url, create=False)
    loaded = []
    load = fresh.ancestry._load
    fresh.ancestry._load = lambda commit_id: loaded.append(commit_id) or load(commit_id)
    base = merge_module.merge_base(fresh, fresh.head("agent"), fresh.head("main"))
    assert base == fresh.commit(fresh.head("agent")).parents[0]
    assert len(loaded) <= 5, loaded  # the two heads, main's first new commit, the base (and a parent of it)


def test_a_process_catching_up_on_merges_learns_the_agents_commits_from_them(repo_url):
    """Each merge commit lists its source's commits since the base (``ancestry``): another process
    advancing main's history past a fleet's merges loads the merges, not every agent's commits."""
    repo = repo_with_items(repo_url)
    repo.compaction.enabled = False
    fork = repo.head("main")
    fresh = Repository.open(repo_url, create=False)
    assert merge_module.merge_base(fresh, fork, fresh.head("main")) == fork  # fresh knows main up to here
    commit_items(repo, "main", [999])  # main moves on: every agent's merge is a merge, not a fast-forward
    agents = []
    for agent in range(4):
        branch = f"agent{agent}"
        repo.create_branch(branch, fork)
        agents.append([commit_items(repo, branch, [1000 * (agent + 1) + j]) for j in range(3)])
        merge_module.merge(repo, branch, "main")
        repo.delete_branch(branch)
    last_merge = repo.commit(repo.head("main"))
    assert [c for c, _gen, _parents in last_merge.ancestry] == agents[-1][::-1]  # highest generation first
    for commit_id, generation, parents in last_merge.ancestry:
        commit = repo.commit(commit_id)
        assert (generation, parents) == (commit.generation, commit.parents)
    loaded = []
    load = fresh.ancestry._load
    fresh.ancestry._load = lambda commit_id: loaded.append(commit_id) or load(commit_id)
    repo.create_branch("late", repo.head("main"))
    late = commit_items(repo, "late", [9000])
    assert merge_module.merge_base(fresh, late, fresh.head("main")) == repo.head("main")
    assert not {c for commits in agents for c in commits} & set(loaded), "an agent's commit was loaded"


def test_compaction_during_merges_changes_no_answer(repo_url):
    """The background compactor folds main's files while agents merge into it; every merge commit
    and every state main passes through reads exactly the rows the merges put there."""
    repo = repo_with_items(repo_url, n=200)
    policy = repo.compaction
    policy.max_files, policy.min_deleted_rows, policy.deleted_share = 3, 1, 0.001
    policy.settle_after, policy.settle_files, policy.settle_deleted_share = 0.01, 2, 0.001
    expected = {r["id"]: r["qty"] for r in rows(repo)}
    agents = 16
    for i in range(agents):
        repo.create_branch(f"agent{i}")
        tx = repo.begin(f"agent{i}")
        tx.append("items", items([1000 + 3 * i, 1001 + 3 * i, 1002 + 3 * i], qty=i))
        tx.update_where("items", {"qty": 50 + i}, pc.field("id") == i)
        tx.commit("agent work")
    for i in range(agents):
        merged = repo.merge(f"agent{i}", "main")
        expected.update({1000 + 3 * i: i, 1001 + 3 * i: i, 1002 + 3 * i: i, i: 50 + i})
        assert {r["id"]: r["qty"] for r in rows(repo, merged)} == expected
        assert {r["id"]: r["qty"] for r in rows(repo)} == expected
    assert repo.compactor.wait_idle(30)
    assert {r["id"]: r["qty"] for r in rows(repo)} == expected
    assert any(c.metadata.get("compaction") for _, c in repo.log("main"))
    assert len(repo.snapshot("main").tables["items"].files) == 1


def test_compaction_carries_deletes_that_landed_while_it_ran(repo):
    """A compaction that lost the race to an update still commits: the update's delete moves with the row."""
    repo.compaction.enabled = False
    for key in (20, 21, 22):
        tx = repo.begin("main")
        tx.append("items", items([key]))
        tx.commit("small")
    compaction = repo.begin("main")
    manifest = compaction.manifest("items")
    compaction.replace_files("items", manifest.files, repo.snapshot("main").read("items", with_rowid=True), 1 << 20)
    tx = repo.begin("main")
    tx.update_where("items", {"qty": 7}, pc.field("id") == 21)
    tx.commit("update during compaction")
    compaction.commit("compact", metadata={"compaction": True})
    got = {r["id"]: r["qty"] for r in rows(repo)}
    assert got[21] == 7 and len(got) == 13
    assert len(repo.snapshot("main").tables["items"].files) == 2


def _downgrade_to_format_1(repo: Repository) -> None:
    """Rewrite every commit as format 1 wrote it (no generation), parents first, and point refs at them."""
    renamed: dict[str, str] = {}
    stack = [state.commit for state in repo.branches().values()]
    while stack:
        current = stack[-1]
        pending = [p for p in repo.commit(current).parents if p not in renamed and p not in stack]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if current in renamed:
            continue
        commit = repo.commit(current)
        data = commit.to_json()
        data.pop("generation")
        data["format"], data["parents"] = 1, [renamed[p] for p in commit.parents]
        payload = dumps(data)
        new_id = content_id(payload)
        repo.storage.write(object_path(new_id), payload, durable=True)
        renamed[current] = new_id
    for name, state in repo.branches().items():
        assert repo.storage.ref_swap(
            "heads", name, state.commit, RefState(renamed[state.commit], state.created), [], durable=True
        )
    config = json.loads(repo.storage.read("agentlake.json"))
    config["format_version"] = 1
    repo.storage.write("agentlake.json", dumps(config), durable=True)


def test_format_1_repository_still_opens_merges_and_logs(repo_url):
    repo = repo_with_items(repo_url)
    repo.compaction.enabled = False
    repo.create_branch("agent")
    tx = repo.begin("agent")
    tx.append("items", items([50]))
    tx.commit("agent work")
    tx = repo.begin("main")
    tx.update_where("items", {"qty": 3}, pc.field("id") == 1)
    tx.commit("main work")
    _downgrade_to_format_1(repo)
    old = Repository.open(repo_url, create=False)
    old.compaction.enabled = False
    assert old.config["format_version"] == 1 < FORMAT_VERSION
    assert all(c.generation is None for _, c in old.log("main"))
    head = old.head("main")
    assert old.ancestry.generation(head) == 3  # root, create items, main work
    merged = old.merge("agent", "main")
    assert old.commit(merged).generation == 4
    assert {r["id"]: r["qty"] for r in rows(old)}[1] == 3 and 50 in {r["id"] for r in rows(old)}
    assert [c.message for _, c in old.log("main", limit=2)] == ["merge agent into main", "main work"]


def test_log_pages_newest_first(repo):
    repo.compaction.enabled = False
    for i in range(7):
        tx = repo.begin("main")
        tx.append("items", items([100 + i]))
        tx.commit(f"c{i}")
    everything = [cid for cid, _ in repo.log("main")]
    pages, after = [], None
    while True:
        page = [cid for cid, _ in repo.log("main", limit=3, after=after)]
        if not page:
            break
        pages.append(page)
        after = page[-1]
    assert [cid for page in pages for cid in page] == everything
    assert [len(p) for p in pages] == [3, 3, 3]  # 7 commits, the table's and the root


def test_concurrent_merges_of_disjoint_agents_from_processes(repo_url):
    """Agents in four processes merge into main at once: none fails, every row arrives."""
    repo = Repository.open(repo_url)
    tx = repo.begin("main")
    tx.create_table("items", ITEMS, ["id"])
    tx.append("items", items(range(100)))
    tx.commit("base")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["catalog", "pyarrow", "merge_workers"])
    with ctx.Pool(4) as pool:
        results = pool.starmap(merge_workers.agents, [(repo_url, w, 6) for w in range(4)])
    assert [failed for _, failed in results] == [0, 0, 0, 0]
    got = {r["id"]: r["qty"] for r in rows(Repository.open(repo_url))}
    assert len(got) == 100 + 4 * 6 * 2
    assert all(got[w * 6 + i] == 1 for w in range(4) for i in range(6))


def test_conflicting_concurrent_merges_report_conflicts_as_data(repo):
    repo.compaction.enabled = False
    for name, qty in (("a", 1), ("b", 2)):
        repo.create_branch(name)
        tx = repo.begin(name)
        tx.update_where("items", {"qty": qty}, pc.field("id") == 3)
        tx.commit(name)
    repo.merge("a", "main")
    with pytest.raises(MergeConflict) as err:
        repo.merge("b", "main")
    (conflict,) = err.value.conflicts
    assert conflict["kind"] == "update/update" and conflict["ours"]["qty"] == 1 and conflict["theirs"]["qty"] == 2
    assert conflict["base"]["qty"] == 0 and conflict["key"] == 3


def test_connection_log_pages(repo_url):
    import agentlake

    repo = repo_with_items(repo_url)
    repo.compaction.enabled = False
    db = agentlake.connect(repo_url, branch="main")
    first = db.log(limit=1)
    second = db.log(limit=5, after=first.column("commit")[0].as_py())
    assert second.column("commit").to_pylist() == [cid for cid, _ in repo.log("main")][1:]
    db.close()
