"""The background compactor folds on a branch only the files written there since it forked from
main: the files it shares with main are main's to fold. Folded on the branch they would be stored
twice, and merging the branch back would compare every row they hold with the base (issue 22)."""

from __future__ import annotations

from catalog_helpers import commit_items, repo_with_items, rows

from catalog import Repository


def _commit_rows(repo: Repository, branch: str, ids: range) -> None:
    for i in ids:
        commit_items(repo, branch, [i], f"row {i}")


def _eager(repo: Repository) -> None:
    """A policy that folds as soon as it can, settling included."""
    policy = repo.compaction
    policy.max_files, policy.settle_after, policy.settle_files = 3, 0.01, 2


def _file_ids(repo: Repository, ref: str) -> set[str]:
    return {f.id for f in repo.snapshot(ref).tables["items"].files}


def test_a_branch_folds_only_the_files_it_wrote_since_it_forked(repo_url):
    repo = repo_with_items(repo_url, n=1)
    repo.compaction.enabled = False
    _commit_rows(repo, "main", range(10, 15))
    repo.create_branch("agent")
    inherited = _file_ids(repo, "agent")
    assert len(inherited) == 6
    repo.compaction.enabled = True
    _eager(repo)
    _commit_rows(repo, "agent", range(100, 105))
    assert repo.compactor.wait_idle(30)
    files = _file_ids(repo, "agent")
    assert inherited < files and len(files) == len(inherited) + 1  # its five files folded into one
    assert [r["id"] for r in rows(repo, "agent")] == [0, *range(10, 15), *range(100, 105)]
    repo.merge("agent", "main")
    assert repo.compactor.wait_idle(30)
    assert len(_file_ids(repo, "main")) == 1  # main folds everything, the merged files included
    assert [r["id"] for r in rows(repo)] == [0, *range(10, 15), *range(100, 105)]


def test_a_branch_folds_its_own_files_after_main_moved_on(repo_url):
    """What the branch shares is what main had where the branch forked, not main's files now."""
    repo = repo_with_items(repo_url, n=1)
    repo.compaction.enabled = False
    _commit_rows(repo, "main", range(10, 14))
    repo.create_branch("agent")
    inherited = _file_ids(repo, "agent")
    _commit_rows(repo, "main", range(20, 24))
    repo.compact("main")
    repo.compaction.enabled = True
    _eager(repo)
    _commit_rows(repo, "agent", range(100, 104))
    assert repo.compactor.wait_idle(30)
    assert inherited < _file_ids(repo, "agent") and len(_file_ids(repo, "agent")) == len(inherited) + 1
    repo.merge("agent", "main")
    assert [r["id"] for r in rows(repo)] == [0, *range(10, 14), *range(20, 24), *range(100, 104)]


def test_compacting_a_branch_on_demand_folds_every_file(repo_url):
    repo = repo_with_items(repo_url, n=1)
    repo.compaction.enabled = False
    _commit_rows(repo, "main", range(10, 15))
    repo.create_branch("agent")
    _commit_rows(repo, "agent", range(100, 103))
    assert repo.compact("agent")["items"] == (9, 1)
    assert [r["id"] for r in rows(repo, "agent")] == [0, *range(10, 15), *range(100, 103)]
