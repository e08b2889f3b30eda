"""Damaged storage reaches callers as PostgreSQL reports it: XX001 ``could not read file "...": ...``
naming the file, for the statements that need it; other tables stay readable and the session
goes on.

The repository is written by another process, so this one has nothing of it cached, and a file
is damaged keeping its size.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

import agentlake

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
    # writes their objects out as files
    subprocess.run(
        [sys.executable, "-m", "agentlake.cli", "gc", "--repo", repo], check=True, timeout=120, capture_output=True
    )
    return repo


def _overwrite(path: str, data: bytes) -> None:
    size = os.path.getsize(path)
    with open(path, "wb") as fh:
        fh.write((data * (size // max(len(data), 1) + 1))[:size])


def _newest(pattern: str, rank: int = 0) -> str:
    return sorted(glob.glob(pattern), key=os.path.getmtime, reverse=True)[rank]


@pytest.mark.parametrize("rows", [2, 100_000], ids=["small table", "large table"])
@pytest.mark.parametrize("damage", [b"garbage!", b"PAR1"], ids=["garbage", "magic bytes only"])
def test_damaged_data_file_fails_its_table_only(tmp_path, rows, damage):
    repo = _repository(tmp_path, rows)
    damaged = (
        max(glob.glob(f"{repo}/data/*/*.parquet"), key=os.path.getsize)
        if rows > 2
        else _newest(f"{repo}/data/*/*.parquet")
    )
    _overwrite(damaged, damage)
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
    damaged = _newest(f"{repo}/objects/*/*.json", rank)
    _overwrite(damaged, b'{"not json')
    db = agentlake.connect(repo)
    with pytest.raises(agentlake.InternalError) as raised:
        db.execute("SELECT * FROM bad")
    assert raised.value.sqlstate == "XX001"
    assert str(raised.value).startswith(f'could not read file "{damaged}": invalid JSON: ')
    assert db.execute("SELECT 1").fetchall() == [(1,)]  # the session is still usable
    db.close()


def test_damaged_config_is_xx001_on_connect(tmp_path):
    repo = _repository(tmp_path, 2)
    _overwrite(f"{repo}/agentlake.json", b"\xff\xfe")
    with pytest.raises(agentlake.InternalError) as raised:
        agentlake.connect(repo)
    assert raised.value.sqlstate == "XX001"
    assert f'"{repo}/agentlake.json"' in str(raised.value)
