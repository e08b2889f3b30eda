"""Over the wire: too-deep statements answer 54001 with a HINT and damaged files XX001, in both
protocols, and the server and session go on serving."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from stored_objects import damage

from catalog import Repository

DEEP = "SELECT " + "(" * 100_000 + "1" + ")" * 100_000


@pytest.mark.parametrize("prepare", [False, True], ids=["simple", "extended"])
def test_too_deep_is_54001_and_the_session_goes_on(server, prepare):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.StatementTooComplex) as raised:
            conn.execute(DEEP, prepare=prepare)
        assert raised.value.diag.message_primary == "stack depth limit exceeded"
        assert raised.value.diag.message_hint
        nested = "SELECT " + "(" * 200 + "%s::int" + ")" * 200
        assert conn.execute(nested, (5,), prepare=prepare).fetchone() == (5,)
        assert conn.execute("SELECT 'still served'").fetchone() == ("still served",)


def test_damaged_data_file_is_xx001_over_the_wire(tmp_path, make_server):
    repo = str(tmp_path / "repo")
    setup = (
        "import sys, agentlake; db = agentlake.connect(sys.argv[1]);"
        "db.execute('CREATE TABLE good (a int)'); db.execute('INSERT INTO good VALUES (1)');"
        "db.execute('CREATE TABLE bad (a int)'); db.execute('INSERT INTO bad VALUES (1)')"
    )
    subprocess.run([sys.executable, "-c", setup, repo], check=True, timeout=120)  # nothing cached here
    # small commits ride in their branch's journal: checkpointing it (gc does) packs them
    subprocess.run([sys.executable, "-m", "agentlake.cli", "gc", "--repo", repo], check=True, timeout=120)
    (entry,) = Repository.open(repo, create=False).snapshot("main").manifest("bad").files
    damaged = damage(repo, entry.path, b"\x00")
    server = make_server(repo=repo)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.DataCorrupted) as raised:
            conn.execute("SELECT * FROM bad")
        assert raised.value.diag.message_primary.startswith(f'could not read file "{damaged}": ')
        assert conn.execute("SELECT a FROM good").fetchall() == [(1,)]
