"""Results larger than memory stream: the server reads a planned query's batches as it sends them
(simple query, Execute with a row limit, COPY), and the Python API's cursor fetches lazily.
Where the answer is not obvious the same assertions run on PostgreSQL 16 (``target``)."""

from __future__ import annotations

import asyncio
import threading

import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from psycopg import errors

import agentlake

from .reference_postgres import target  # noqa: F401 - fixture

asyncpg = pytest.importorskip("asyncpg")

# the division by zero is the last row, far past the first batch
FAILING_LAST = "SELECT g, repeat('x', 200) AS pad, 1 / (g - {n}) AS q FROM generate_series(1, {n}) AS s(g)"


def _peak_rss_mib() -> float:
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024


def _reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM restarts from the current RSS


def _load_big(repo: str, rows: int) -> None:
    """A table of ``rows`` rows (ids and 100-character strings) in Parquet row groups of 128 Ki rows."""
    db = agentlake.connect(repo)
    ids = pa.array(range(rows), pa.int64())
    db.load_arrow("big", pa.table({"id": ids, "s": pc.utf8_lpad(pc.cast(ids, pa.string()), 100, "x")}), create=True)
    db.close()


def test_a_result_larger_than_memory_streams_to_psycopg(make_server, tmp_path):
    """The server process (this one: the server runs in a thread) never grows by more than a
    fraction of the result it sends; the old path held the whole result, then all its DataRows."""
    repo, rows, copies = str(tmp_path / "repo"), 400_000, 8
    _load_big(repo, rows)
    result_bytes = rows * (copies * 100 + 6)  # as text on the wire
    server = make_server(repo=repo)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("SELECT count(*) FROM big").fetchone()  # the session's DataFusion context is made
        _reset_peak_rss()
        start = _peak_rss_mib()
        count, ids = 0, 0
        wide = ", ".join(["s"] * copies)
        for row in conn.cursor().stream(f"SELECT id, {wide} FROM big"):
            count, ids = count + 1, ids + row[0]
        grown = _peak_rss_mib() - start
    assert count == rows and ids == sum(range(rows))
    assert grown < result_bytes / 2 / 2**20, (grown, result_bytes / 2**20)


def test_asyncpg_cursor_reads_a_stream_in_portal_chunks(server):
    """asyncpg's cursor is a portal executed with a row limit: PortalSuspended after each chunk, the
    next Execute continuing the same stream, in order."""

    async def main():
        conn = await asyncpg.connect(host="127.0.0.1", port=server.port, user="alice", database=server.database)
        try:
            async with conn.transaction():
                got = [
                    row["g"]
                    async for row in conn.cursor(
                        "SELECT g, repeat('y', 300) AS pad FROM generate_series(1, 60000) AS s(g) ORDER BY g",
                        prefetch=7001,
                    )
                ]
                cursor = await conn.cursor("SELECT g FROM generate_series(1, 40000) AS s(g) ORDER BY g")
                first = await cursor.fetch(3)
                middle = await cursor.fetch(39_995)
                last = await cursor.fetch(5)
            return got, [r["g"] for r in first], len(middle), [r["g"] for r in last]
        finally:
            await conn.close()

    got, first, middle, last = asyncio.run(main())
    assert got == list(range(1, 60_001))
    assert first == [1, 2, 3] and middle == 39_995 and last == [39_999, 40_000]


def test_an_error_in_a_later_batch_follows_the_rows_sent(target):  # noqa: F811 - fixture
    """PostgreSQL sends the rows it has, then ErrorResponse (no CommandComplete); the session goes on."""
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        seen = 0
        with pytest.raises(errors.DivisionByZero):
            for _ in conn.cursor().stream(FAILING_LAST.format(n=100_000)):
                seen += 1
        assert 0 < seen < 100_000
        assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(errors.DivisionByZero):
            conn.execute(FAILING_LAST.format(n=100_000))
        conn.autocommit = False
        with pytest.raises(errors.DivisionByZero):
            list(conn.cursor().stream(FAILING_LAST.format(n=100_000)))
        with pytest.raises(errors.InFailedSqlTransaction):  # the error failed the transaction block
            conn.execute("SELECT 1")
        conn.rollback()
        assert conn.execute("SELECT 2").fetchone() == (2,)


def test_a_cancel_stops_a_stream_and_keeps_the_session(server):
    query = "SELECT g, repeat('z', 500) AS pad FROM generate_series(1, 2000000) AS s(g)"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        seen = 0
        with pytest.raises(errors.QueryCanceled):
            for _ in conn.cursor().stream(query):
                seen += 1
                if seen == 1000:
                    threading.Thread(target=conn.cancel_safe).start()
        assert 1000 <= seen < 2_000_000
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_statement_timeout_stops_a_stream(server):
    query = "SELECT g, repeat('z', 500) AS pad FROM generate_series(1, 2000000) AS s(g)"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("SET statement_timeout = '300ms'")
        with pytest.raises(errors.QueryCanceled, match="statement timeout"):
            for _ in conn.cursor().stream(query):
                pass
        conn.execute("SET statement_timeout = 0")
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_copy_to_stdout_of_a_stream(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cur = conn.cursor()
        with cur.copy(
            "COPY (SELECT g, repeat('c', 300) FROM generate_series(1, 50000) AS s(g) ORDER BY g) TO STDOUT"
        ) as copy:
            lines = [bytes(line) for line in copy]
        assert cur.rowcount == 50_000 and lines[-1] == b"50000\t" + b"c" * 300 + b"\n"
        with pytest.raises(errors.DivisionByZero):
            with cur.copy(f"COPY ({FAILING_LAST.format(n=50_000)}) TO STDOUT") as copy:
                list(copy)
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_api_cursor_fetches_a_stream_lazily(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    cur = db.execute("SELECT g, repeat('a', 300) AS pad FROM generate_series(1, 60000) AS s(g) ORDER BY g")
    assert cur.rowcount == -1 and [d[0] for d in cur.description] == ["g", "pad"]  # PEP 249: not yet known
    assert cur.fetchone()[0] == 1
    assert [row[0] for row in cur.fetchmany(20_000)] == list(range(2, 20_002))
    assert cur.fetch_arrow_batch().column("g")[0].as_py() == 20_002  # a batch's rest
    rest = cur.fetchall()
    assert rest[-1][0] == 60_000 and cur.fetchone() is None
    assert cur.rowcount == 60_000 and cur.statusmessage == "SELECT 60000"
    assert (
        db.execute("SELECT g FROM generate_series(1, 60000) AS s(g) WHERE g % 2 = 0").fetch_arrow().num_rows == 30_000
    )
    cur = db.execute(FAILING_LAST.format(n=60_000))
    with pytest.raises(agentlake.Error) as err:
        for _ in cur:
            pass
    assert err.value.sqlstate == "22012"
    assert db.execute("SELECT 1").fetchall() == [(1,)]
