"""GC removes media blobs that no branch or tag reaches any more, and never one a live snapshot names."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time

import agentlake

from .conftest import jpeg_bytes


def _blob(repo_dir, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    return os.path.join(repo_dir, "blobs", sha[:2], sha)


def _age(path: str, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_gc_sweeps_blobs_of_deleted_branches_keeps_live_and_historical_ones(tmp_path):
    repo_dir = str(tmp_path / "repo")
    kept_on_main, deleted_on_main, only_on_branch = (jpeg_bytes(96, 96, seed) for seed in (1, 2, 3))
    assert min(map(len, (kept_on_main, deleted_on_main, only_on_branch))) > 4096  # stored as blobs
    db = agentlake.connect(repo_dir)
    db.execute("CREATE TABLE pics (id int PRIMARY KEY, img image)")
    db.execute("INSERT INTO pics VALUES (1, %s), (2, %s)", [kept_on_main, deleted_on_main])
    db.branch("exp")
    exp = agentlake.connect(repo_dir, "exp")
    exp.execute("INSERT INTO pics VALUES (3, %s)", [only_on_branch])
    exp.execute("UPDATE pics SET id = 10 WHERE id = 1")  # the branch copies only the hash
    exp.close()
    db.execute("DELETE FROM pics WHERE id = 2")  # older commits of main still read it
    db.repository.delete_branch("exp")
    db.close()

    # GC in a new process (the CLI), as an operator runs it: the repository is opened afresh
    ran = subprocess.run(
        [sys.executable, "-m", "agentlake.cli", "gc", "--grace", "0", "--repo", repo_dir],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "referenced objects" in ran.stdout

    assert not os.path.exists(_blob(repo_dir, only_on_branch))
    assert os.path.exists(_blob(repo_dir, kept_on_main)) and os.path.exists(_blob(repo_dir, deleted_on_main))
    reopened = agentlake.connect(repo_dir)
    assert reopened.execute("SELECT id, img FROM pics").fetchall() == [(1, kept_on_main)]
    reopened.close()


def test_a_transaction_reusing_an_old_blob_keeps_it_through_gc(tmp_path):
    """Bytes already stored are written again when inserted, so a GC that runs before the inserting
    transaction commits finds the blob inside its grace period."""
    repo_dir = str(tmp_path / "repo")
    image = jpeg_bytes(96, 96, 7)
    db = agentlake.connect(repo_dir)
    db.execute("CREATE TABLE pics (id int PRIMARY KEY, img image)")
    db.branch("scratch")
    scratch = agentlake.connect(repo_dir, "scratch")
    scratch.execute("INSERT INTO pics VALUES (1, %s)", [image])
    scratch.close()
    db.repository.delete_branch("scratch")
    _age(_blob(repo_dir, image), 7200)  # unreferenced for two hours: past the default grace period

    writer = agentlake.connect(repo_dir, autocommit=False)
    writer.execute("INSERT INTO pics VALUES (2, %s)", [image])  # not committed yet
    report = db.repository.gc()
    assert report.referenced_objects == 0 and os.path.exists(_blob(repo_dir, image))
    writer.commit()
    assert db.execute("SELECT img FROM pics WHERE id = 2").fetchone() == (image,)

    _age(_blob(repo_dir, image), 7200)  # referenced by a live row now: old or not, it stays
    assert db.repository.gc().referenced_objects == 0 and os.path.exists(_blob(repo_dir, image))
    writer.close()
    db.close()
