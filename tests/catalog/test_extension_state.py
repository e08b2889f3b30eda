"""A branch's installed extensions are commit state: written only when there are some (commits
without any keep their ids), replayed onto a moved head, merged three ways like views."""

from __future__ import annotations

import json

import pytest
from catalog_helpers import repo_with_items

from catalog import ConflictError, MergeConflict, Repository
from catalog.objects import Commit


def install(repo: Repository, branch: str, extensions: dict) -> str:
    tx = repo.begin(branch)
    tx.set_extensions(extensions)
    return tx.commit("extensions")


def test_commits_without_extensions_keep_their_form(repo_url):
    repo = repo_with_items(repo_url)
    commit = repo.commit(repo.resolve("main"))
    assert "extensions" not in json.loads(commit.encoded[1])
    assert repo.snapshot("main").extensions == {}


def test_extensions_round_trip_and_are_per_branch(repo_url):
    repo = repo_with_items(repo_url)
    repo.create_branch("old")
    install(repo, "main", {"vector": "0.8.2"})
    assert Commit.from_json(json.loads(repo.commit(repo.resolve("main")).encoded[1])).extensions == {"vector": "0.8.2"}
    assert Repository.open(repo_url).snapshot("main").extensions == {"vector": "0.8.2"}
    assert repo.snapshot("old").extensions == {}


def test_savepoints_and_replays(repo_url):
    repo = repo_with_items(repo_url)
    tx = repo.begin("main")
    token = tx.savepoint()
    tx.set_extensions({"vector": "0.8.2"})
    assert tx.snapshot.extensions == {"vector": "0.8.2"}
    tx.rollback_to(token)
    assert tx.snapshot.extensions == {}
    tx.append("items", repo.snapshot("main").read("items").slice(0, 0))
    install(repo, "main", {"vector": "0.8.2"})  # lands first
    tx.commit("replayed onto the head that installed it")
    assert repo.snapshot("main").extensions == {"vector": "0.8.2"}
    dropping = repo.begin("main")
    dropping.set_extensions({})
    install(repo, "main", {"vector": "0.8.2", "other": "1"})
    dropping.commit("replayed: drops vector, keeps what was installed meanwhile")
    assert repo.snapshot("main").extensions == {"other": "1"}
    racing = repo.begin("main")
    racing.set_extensions({})
    install(repo, "main", {"other": "2"})
    with pytest.raises(ConflictError):
        racing.commit("drops what changed meanwhile")


def test_merges_take_the_sources_change_and_conflict_when_both_differ(repo_url):
    repo = repo_with_items(repo_url)
    repo.create_branch("feature")
    install(repo, "feature", {"vector": "0.8.2"})
    repo.merge("feature", "main")
    assert repo.snapshot("main").extensions == {"vector": "0.8.2"}
    repo.create_branch("a")
    repo.create_branch("b")
    install(repo, "a", {"vector": "0.8.3"})
    install(repo, "b", {})
    with pytest.raises(MergeConflict) as caught:
        repo.merge("b", "a")
    assert [(c["kind"], c["table"]) for c in caught.value.conflicts] == [("extension", "vector")]
    repo.merge("b", "a", strategy="theirs")
    assert repo.snapshot("a").extensions == {}


def test_types_are_commit_state_like_extensions(repo_url):
    """Enum types (CREATE TYPE ... AS ENUM) travel as extensions do: per branch, kept through a
    reopen, replayed beside a concurrent type, merged three ways."""
    repo = repo_with_items(repo_url)
    assert "types" not in json.loads(repo.commit(repo.resolve("main")).encoded[1])
    repo.create_branch("feature")
    tx = repo.begin("feature")
    tx.set_types({"mood": ["sad", "ok", "happy"]})
    tx.commit("create type")
    assert Repository.open(repo_url).snapshot("feature").types == {"mood": ["sad", "ok", "happy"]}
    assert repo.snapshot("main").types == {}
    racing = repo.begin("main")
    racing.set_types({"size": ["s", "m"]})
    repo.merge("feature", "main")
    racing.commit("replayed beside the merged type")
    assert repo.snapshot("main").types == {"mood": ["sad", "ok", "happy"], "size": ["s", "m"]}
    repo.create_branch("a")
    tx = repo.begin("a")
    tx.set_types({"mood": ["sad", "ok", "happy", "ecstatic"], "size": ["s", "m"]})
    tx.commit("add value")
    tx = repo.begin("main")
    tx.set_types({"mood": ["meh"], "size": ["s", "m"]})
    tx.commit("changed on main too")
    with pytest.raises(MergeConflict) as caught:
        repo.merge("a", "main")
    assert [(c["kind"], c["table"]) for c in caught.value.conflicts] == [("type", "mood")]
