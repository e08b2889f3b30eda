"""Garbage collection with its grace period, and the agentlake command line."""

from __future__ import annotations

import time

import pyarrow.compute as pc
from catalog_helpers import items, repo_with_items, rows
from click.testing import CliRunner

from agentlake.cli import main
from catalog import FORMAT_VERSION, Repository
from catalog.gc import gc


def test_gc_removes_expired_branches_and_unreachable_files_after_grace(repo):
    repo.create_branch("ephemeral", ttl=0.01)
    repo.create_branch("kept", ttl=3600)
    tx = repo.begin("ephemeral")
    tx.append("items", items([500]))
    tx.commit("on an ephemeral branch")
    in_flight = repo.begin("main")
    in_flight.append("items", items([600]))  # data file written, commit not yet made
    time.sleep(0.02)
    report = repo.gc(grace=3600)
    assert report.branches == ["ephemeral"] and "kept" in repo.branches()
    assert report.data_files == 0 and report.kept_in_grace >= 2  # young garbage stays
    in_flight.commit("lands after gc")
    assert 600 in [r["id"] for r in rows(repo)]

    tx = repo.begin("main")
    tx.delete_where("items", pc.field("id") >= 0)
    tx.commit("empty the table")
    repo.compact("main")
    report = gc(repo, grace=3600, now=time.time() + 7200)  # as if two hours had passed
    assert report.commits >= 1 and report.manifests >= 1 and report.data_files == 1 and report.bytes > 0
    assert repo.snapshot("main").read("items").num_rows == 0
    for commit_id, commit in repo.log("main"):  # all history reachable from refs stays readable
        if "items" in commit.tables:
            repo.snapshot(commit_id).read("items")
    assert repo.gc(grace=0).data_files == 0


def test_gc_dry_run_removes_nothing(repo):
    repo.create_branch("gone", ttl=0.001)
    tx = repo.begin("gone")
    tx.append("items", items([7000]))
    tx.commit("x")
    time.sleep(0.01)
    before = sorted(p for p, _ in repo.storage.walk(""))
    report = repo.gc(grace=0, dry_run=True)
    assert report.branches == ["gone"] and report.data_files == 1
    assert sorted(p for p, _ in repo.storage.walk("")) == before


def test_cli_commands(repo_url):
    runner = CliRunner()
    repo = repo_with_items(repo_url, n=3)

    def run(*args, code=0):
        result = runner.invoke(main, [*args, "--repo", repo_url])
        assert result.exit_code == code, result.output
        return " ".join(result.output.split())  # rich wraps at the terminal width

    assert f"format {FORMAT_VERSION}" in run("init")
    run("branch", "create", "agent", "--ttl", "3600")
    assert "agent" in run("branch", "list")
    tx = repo.begin("agent")
    tx.update_where("items", {"qty": 1}, pc.field("id") == 0)
    tx.commit("agent change")
    tx = repo.begin("main")
    tx.update_where("items", {"qty": 2}, pc.field("id") == 0)
    tx.commit("main change")
    assert "1" in run("diff", "main", "agent", "--rows")
    out = run("merge", "agent", code=1)
    assert "update/update" in out and "conflict" in out
    assert "now at" in run("merge", "agent", "--strategy", "theirs")
    assert rows(Repository.open(repo_url))[0]["qty"] == 1
    run("tag", "create", "v1")
    assert "v1" in run("tag", "list")
    assert "merge agent into main" in run("log", "-n", "3")
    assert "compaction of main" in run("compact")
    assert "expired branches" in run("gc", "--grace", "0", "--dry-run")
    run("branch", "delete", "agent")
    assert "42501" in run("branch", "delete", "main", code=1)
    assert "42602" in run("branch", "create", "../x", code=1)
    for command in (["--help"], ["branch", "create", "--help"], ["merge", "--help"], ["gc", "--help"]):
        assert "Usage" in runner.invoke(main, command).output
