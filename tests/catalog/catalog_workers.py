"""Writer processes for the crash and concurrency tests.

Each acknowledged commit is written to an output file (one small O_APPEND
write, so a SIGKILL never leaves half a line) before the next one starts.
"""

from __future__ import annotations

import os
import sys

import pyarrow as pa
import pyarrow.compute as pc

from catalog import ConflictError, Repository

ID = pa.schema([("id", pa.int64())])
COUNTER = pa.schema([("k", pa.int64()), ("n", pa.int64())])


def setup(url: str) -> Repository:
    repo = Repository.open(url)
    tx = repo.begin("main")
    tx.create_table("a", ID)
    tx.create_table("b", ID)
    tx.create_table("counter", COUNTER, ["k"])
    tx.append("counter", pa.table({"k": [0], "n": [0]}, schema=COUNTER))
    tx.commit("setup")
    return repo


def commit_loop(
    url: str, out: str, tag: int, count: int | None = None, durability: str = "full", bump_counter: bool = False
) -> None:
    """Commit rows ``tag * 1e6 + i`` to tables a and b (and bump the counter) until killed or done."""
    repo = Repository.open(url, create=False, durability=durability)
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    i = 0
    while count is None or i < count:
        row = pa.table({"id": [tag * 1_000_000 + i]}, schema=ID)
        tx = repo.begin("main")
        tx.append("a", row)
        tx.append("b", row)
        if bump_counter:
            tx.update_where("counter", {"n": pc.field("n") + 1}, pc.field("k") == 0)
        try:
            commit_id = tx.commit(f"row {i}")
            os.write(fd, f"ok {commit_id} {tag * 1_000_000 + i}\n".encode())
        except ConflictError as err:
            os.write(fd, f"conflict {err.sqlstate}\n".encode())
        i += 1
    os.close(fd)


if __name__ == "__main__":
    commit_loop(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), bump_counter=True)
