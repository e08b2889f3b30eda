"""Damaged storage reaches callers as PostgreSQL reports it: XX001 ``could not read file "...": ...``
naming the file, for the statements that need it; other tables stay readable and the session
goes on.

The repository is written by another process, so this one has nothing of it cached, and an
object is damaged keeping its size, in its own file or in a pack.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from stored_objects import damage

import agentlake
from catalog import Repository
from catalog.objects import object_path

SETUP = """
import sys, agentlake
db = agentlake.connect(sys.argv[1])
db.execute("CREATE TABLE good (a int)")
db.execute("INSERT INTO good VALUES (1), (2)")
db.execute("CREATE TABLE bad (a int PRIMARY KEY, b text)")
db.execute(f"INSERT INTO bad SELECT g, 'v' || g FROM generate_series(1, {int(sys.argv[2])}) g")
db.close()
"""


def _repository(tmp_path, rows: int) -> str:
    repo = str(tmp_path / "repo")
    subprocess.run([sys.executable, "-c", SETUP, repo, str(rows)], check=True, timeout=120)
    # small commits ride in their branch's journal; garbage collection checkpoints the journals, which
    # packs their objects
    subprocess.run(
        [sys.executable, "-m", "agentlake.cli", "gc", "--repo", repo], check=True, timeout=120, capture_output=True
    )
    return repo


def _bad_table(repo: str):
    """The head commit of main, the manifest of table ``bad`` and that table's biggest data file."""
    catalog = Repository.open(repo, create=False)
    head = catalog.branches()["main"].commit
    manifest_id = catalog.commit(head).tables["bad"]
    biggest = max(catalog.snapshot("main").manifest("bad").files, key=lambda entry: entry.size)
    return object_path(head), object_path(manifest_id), biggest.path


@pytest.mark.parametrize("rows", [2, 100_000], ids=["small table", "large table"])
@pytest.mark.parametrize("junk", [b"garbage!", b"PAR1"], ids=["garbage", "magic bytes only"])
def test_damaged_data_file_fails_its_table_only(tmp_path, rows, junk):
    repo = _repository(tmp_path, rows)
    damaged = damage(repo, _bad_table(repo)[2], junk)
    db = agentlake.connect(repo)
    for sql in ["SELECT * FROM bad", "SELECT count(*) FROM bad", "SELECT b FROM bad WHERE a = 1"]:
        with pytest.raises(agentlake.InternalError) as raised:
            db.execute(sql).fetchall()
        assert raised.value.sqlstate == "XX001", sql
        assert str(raised.value).startswith(f'could not read file "{damaged}": '), str(raised.value)
    assert db.execute("SELECT a FROM good ORDER BY a").fetchall() == [(1,), (2,)]
    db.execute("INSERT INTO good VALUES (3)")
    assert db.execute("SELECT count(*) FROM good").fetchall() == [(3,)]
    db.close()


@pytest.mark.parametrize("rank", [0, 1], ids=["commit", "manifest"])
def test_damaged_catalog_object_is_xx001_naming_it(tmp_path, rank):
    repo = _repository(tmp_path, 2)
    damaged = damage(repo, _bad_table(repo)[rank], b'{"not json')
    db = agentlake.connect(repo)
    with pytest.raises(agentlake.InternalError) as raised:
        db.execute("SELECT * FROM bad")
    assert raised.value.sqlstate == "XX001"
    assert str(raised.value).startswith(f'could not read file "{damaged}": invalid JSON: ')
    assert db.execute("SELECT 1").fetchall() == [(1,)]  # the session is still usable
    db.close()


def test_damaged_config_is_xx001_on_connect(tmp_path):
    repo = _repository(tmp_path, 2)
    damage(repo, "agentlake.json", b"\xff\xfe")
    with pytest.raises(agentlake.InternalError) as raised:
        agentlake.connect(repo)
    assert raised.value.sqlstate == "XX001"
    assert f'"{repo}/agentlake.json"' in str(raised.value)
