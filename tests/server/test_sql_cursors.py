"""SQL cursors (DECLARE, FETCH, MOVE, CLOSE) as psycopg's named cursors and SQLAlchemy's
``stream_results`` / ``yield_per`` use them; every assertion that has a PostgreSQL answer runs on
PostgreSQL 16 too (``target``). Cursors here say SCROLL or NO SCROLL where they go backwards:
without either PostgreSQL decides from the plan, agentlake makes them forward-only."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict

from .reference_postgres import target  # noqa: F401 - fixture
from .test_streaming import _load_big, _peak_rss_mib, _reset_peak_rss

SERIES = "SELECT g, 'r' || g AS label FROM generate_series(1, {n}) AS s(g) ORDER BY g"
TEN = "SELECT g FROM generate_series(1, 10) AS s(g) ORDER BY g"
FORWARD_ONLY_HINT = "Declare it with SCROLL option to enable backward scan."


def _answer(conn: psycopg.Connection, sql: str) -> tuple[str, list | None]:
    cur = conn.execute(sql)
    return cur.statusmessage, cur.fetchall() if cur.description else None


def _ints(*values: int) -> list[tuple[int]]:
    return [(v,) for v in values]


def test_psycopg_named_cursor_fetches_a_step_at_a_time(target):
    with psycopg.connect(target.dsn) as conn:
        cur = conn.cursor("steps")
        cur.itersize = 4
        cur.execute(SERIES.format(n="%s"), [25])
        assert [(c.name, c.type_code) for c in cur.description] == [("g", 23), ("label", 25)]
        assert cur.fetchone() == (1, "r1")
        assert cur.fetchmany(5) == [(g, f"r{g}") for g in range(2, 7)]
        assert [row[0] for row in cur] == list(range(7, 26))
        assert cur.fetchmany(3) == []
        cur.close()
        assert conn.execute("SELECT count(*) FROM pg_cursors").fetchone() == (0,)
        conn.rollback()


def test_psycopg_scrollable_and_forward_only_cursors(target):
    with psycopg.connect(target.dsn) as conn:
        cur = conn.cursor("scrolling", scrollable=True)
        cur.execute(TEN)
        assert cur.fetchmany(3) == _ints(1, 2, 3)
        cur.scroll(-2)
        assert cur.fetchone() == (2,)
        cur.scroll(7, "absolute")
        assert cur.fetchall() == _ints(8, 9, 10)
        cur.scroll(0, "absolute")
        assert cur.fetchone() == (1,)
        cur.close()
        forward = conn.cursor("forward", scrollable=False)
        forward.execute(TEN)
        assert forward.fetchmany(4) == _ints(1, 2, 3, 4)
        forward.scroll(2)
        assert forward.fetchone() == (7,)
        with pytest.raises(errors.ObjectNotInPrerequisiteState, match="cursor can only scan forward") as err:
            forward.scroll(-1)
        assert err.value.diag.message_hint == FORWARD_ONLY_HINT


def test_declare_fetch_move_close_as_postgresql(target):
    """PostgreSQL's position rules: before the first row, on a row, after the last; FETCH 0
    re-reads the current row; tags count the rows fetched or passed."""
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        steps = [
            ("BEGIN", ("BEGIN", None)),
            (f"DECLARE s SCROLL CURSOR FOR {TEN}", ("DECLARE CURSOR", None)),
            ("FETCH 3 FROM s", ("FETCH 3", _ints(1, 2, 3))),
            ("FETCH PRIOR s", ("FETCH 1", _ints(2))),
            ("FETCH 0 IN s", ("FETCH 1", _ints(2))),
            ("FETCH RELATIVE 0 s", ("FETCH 1", _ints(2))),
            ("FETCH LAST s", ("FETCH 1", _ints(10))),
            ("FETCH FIRST s", ("FETCH 1", _ints(1))),
            ("FETCH ABSOLUTE -3 s", ("FETCH 1", _ints(8))),
            ("FETCH ABSOLUTE 20 s", ("FETCH 0", [])),
            ("FETCH BACKWARD 3 s", ("FETCH 3", _ints(10, 9, 8))),
            ("FETCH RELATIVE -2 s", ("FETCH 1", _ints(6))),
            ("MOVE BACKWARD ALL s", ("MOVE 5", None)),
            ("FETCH FORWARD 2 s", ("FETCH 2", _ints(1, 2))),
            ("MOVE FORWARD ALL IN s", ("MOVE 8", None)),
            ("FETCH BACKWARD ALL s", ("FETCH 10", _ints(*range(10, 0, -1)))),
            ("MOVE ABSOLUTE 0 s", ("MOVE 0", None)),
            ("FETCH -2 s", ("FETCH 0", [])),
            ("MOVE 0 s", ("MOVE 0", None)),
            ("MOVE 3 s", ("MOVE 3", None)),
            ("MOVE 0 s", ("MOVE 1", None)),
            ("MOVE RELATIVE 4 s", ("MOVE 1", None)),
            ("MOVE ABSOLUTE 11 s", ("MOVE 0", None)),
            ("FETCH BACKWARD -2 s", ("FETCH 0", [])),
            (f'DECLARE "N" NO SCROLL CURSOR FOR {TEN}', ("DECLARE CURSOR", None)),
            ('FETCH FIRST "N"', ("FETCH 1", _ints(1))),
            ('FETCH ABSOLUTE 4 FROM "N"', ("FETCH 1", _ints(4))),
            ('FETCH NEXT FROM "N"', ("FETCH 1", _ints(5))),
            ('FETCH "N"', ("FETCH 1", _ints(6))),
            ('MOVE FORWARD 2 IN "N"', ("MOVE 2", None)),
            ('FETCH ALL FROM "N"', ("FETCH 2", _ints(9, 10))),
            ('FETCH "N"', ("FETCH 0", [])),
            ("DECLARE v NO SCROLL CURSOR FOR VALUES (1, 'a'), (2, 'b')", ("DECLARE CURSOR", None)),
            ("FETCH FORWARD ALL v", ("FETCH 2", [(1, "a"), (2, "b")])),
            ('CLOSE "N"', ("CLOSE CURSOR", None)),
            (
                "SELECT name, is_holdable, is_scrollable FROM pg_cursors ORDER BY name",
                ("SELECT 2", [("s", False, True), ("v", False, False)]),
            ),
            ("CLOSE ALL", ("CLOSE CURSOR ALL", None)),
            ("SELECT count(*) FROM pg_cursors", ("SELECT 1", [(0,)])),
            ("COMMIT", ("COMMIT", None)),
        ]
        for sql, expected in steps:
            assert _answer(conn, sql) == expected, sql


@pytest.mark.parametrize(
    "statement",
    [
        "FETCH BACKWARD 1 FROM n",
        "FETCH PRIOR n",
        "FETCH ABSOLUTE 1 n",
        "FETCH LAST n",
        "FETCH 0 n",
        "MOVE BACKWARD ALL n",
    ],
)
def test_a_no_scroll_cursor_only_goes_forward(target, statement):
    with psycopg.connect(target.dsn) as conn:
        conn.execute(f"DECLARE n NO SCROLL CURSOR FOR {TEN}")
        assert _answer(conn, "FETCH 2 FROM n") == ("FETCH 2", _ints(1, 2))
        with pytest.raises(errors.ObjectNotInPrerequisiteState, match="cursor can only scan forward") as err:
            conn.execute(statement)
        assert err.value.diag.message_hint == FORWARD_ONLY_HINT


def test_cursor_errors(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(
            errors.NoActiveSqlTransaction, match="DECLARE CURSOR can only be used in transaction blocks"
        ):
            conn.execute(f"DECLARE c CURSOR FOR {TEN}")
        with pytest.raises(errors.NoActiveSqlTransaction):
            conn.cursor("named").execute(TEN)
        for statement in ("FETCH c", "MOVE 2 IN c", "CLOSE c"):
            with pytest.raises(errors.InvalidCursorName, match='cursor "c" does not exist'):
                conn.execute(statement)
        conn.execute("BEGIN")
        conn.execute(f"DECLARE c CURSOR FOR {TEN}")
        with pytest.raises(errors.DuplicateCursor, match='cursor "c" already exists'):
            conn.execute("DECLARE c CURSOR FOR SELECT 1")
        conn.execute("ROLLBACK")


def test_with_hold_outlives_commit_but_not_the_rollback_that_declared_it(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute("BEGIN")
        conn.execute(f"DECLARE h CURSOR WITH HOLD FOR {TEN}")
        conn.execute(f"DECLARE w CURSOR WITHOUT HOLD FOR {TEN}")
        assert _answer(conn, "FETCH 2 h") == ("FETCH 2", _ints(1, 2))
        conn.execute("COMMIT")
        with pytest.raises(errors.InvalidCursorName):
            conn.execute("FETCH w")
        assert _answer(conn, "FETCH h") == ("FETCH 1", _ints(3))
        conn.execute("BEGIN")
        assert _answer(conn, "FETCH h") == ("FETCH 1", _ints(4))
        conn.execute(f"DECLARE h2 CURSOR WITH HOLD FOR {TEN}")
        conn.execute("ROLLBACK")  # h was declared by an earlier transaction: it stays, h2 goes
        assert _answer(conn, "FETCH h") == ("FETCH 1", _ints(5))
        with pytest.raises(errors.InvalidCursorName):
            conn.execute("FETCH h2")
        conn.execute(f"DECLARE outside CURSOR WITH HOLD FOR {TEN}")  # its own transaction, committed
        assert _answer(conn, "FETCH 2 FROM outside") == ("FETCH 2", _ints(1, 2))
        conn.execute("CLOSE ALL")

        with_hold = conn.cursor("held", withhold=True)
        with_hold.execute(SERIES.format(n=3))
        assert with_hold.fetchall() == [(1, "r1"), (2, "r2"), (3, "r3")]
        with_hold.close()
        conn.cursor("never_executed", withhold=True).close()  # psycopg asks pg_cursors whether to CLOSE


def test_rollback_to_a_savepoint_closes_the_cursors_declared_after_it(target):
    """Those declared before it stay, at the position they had reached (it is not rolled back)."""
    with psycopg.connect(target.dsn) as conn:
        conn.execute(f"DECLARE a NO SCROLL CURSOR FOR {TEN}")
        conn.execute("SAVEPOINT sp")
        conn.execute("DECLARE b NO SCROLL CURSOR FOR SELECT 1")
        assert _answer(conn, "FETCH 2 a") == ("FETCH 2", _ints(1, 2))
        conn.execute("ROLLBACK TO SAVEPOINT sp")
        assert _answer(conn, "SELECT name FROM pg_cursors") == ("SELECT 1", [("a",)])
        conn.execute("SAVEPOINT released")
        conn.execute("DECLARE c NO SCROLL CURSOR FOR SELECT 2")
        conn.execute("RELEASE SAVEPOINT released")
        assert _answer(conn, "FETCH a") == ("FETCH 1", _ints(3))
        assert _answer(conn, "FETCH c") == ("FETCH 1", _ints(2))
        conn.rollback()


def test_a_cursor_reads_the_snapshot_of_its_declare(target):
    """Writes of the same transaction after DECLARE are not seen by the cursor, as in PostgreSQL."""
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS cursor_snapshot")
        conn.execute("CREATE TABLE cursor_snapshot (a int, b text)")
        try:
            conn.execute("INSERT INTO cursor_snapshot SELECT g, 'x' || g FROM generate_series(1, 5) AS s(g)")
            conn.execute("BEGIN")
            conn.execute("DECLARE v CURSOR FOR SELECT a, b FROM cursor_snapshot ORDER BY a")
            assert _answer(conn, "FETCH v") == ("FETCH 1", [(1, "x1")])
            conn.execute("INSERT INTO cursor_snapshot VALUES (6, 'new')")
            conn.execute("DELETE FROM cursor_snapshot WHERE a = 2")
            conn.execute("UPDATE cursor_snapshot SET b = 'changed' WHERE a = 3")
            assert _answer(conn, "FETCH ALL v") == ("FETCH 4", [(2, "x2"), (3, "x3"), (4, "x4"), (5, "x5")])
            conn.execute("ROLLBACK")
        finally:
            conn.execute("DROP TABLE cursor_snapshot")


def _sqlalchemy_url(dsn: str) -> sa.URL:
    info = conninfo_to_dict(dsn)
    return sa.URL.create(
        "postgresql+psycopg",
        username=info["user"],
        database=info["dbname"],
        query={"host": info["host"], "port": info["port"]},
    )


def test_sqlalchemy_stream_results_and_yield_per(target):
    engine = sa.create_engine(_sqlalchemy_url(target.dsn))
    query = sa.text(SERIES.format(n=":n"))
    try:
        with engine.connect() as conn:
            streamed = conn.execution_options(stream_results=True, max_row_buffer=7).execute(query, {"n": 40})
            assert list(streamed.keys()) == ["g", "label"]
            assert [tuple(row) for row in streamed] == [(g, f"r{g}") for g in range(1, 41)]
            batches = conn.execution_options(yield_per=15).execute(query, {"n": 40})
            assert [[row.g for row in part] for part in batches.partitions(15)] == [
                list(range(1, 16)),
                list(range(16, 31)),
                list(range(31, 41)),
            ]
    finally:
        engine.dispose()


def test_a_forward_only_cursor_over_a_large_result_streams(make_server, tmp_path):
    """The server (this process) grows by a fraction of the rows a named cursor and a FETCH ALL send
    (a cursor keeping them would hold them all), and the cursor keeps the snapshot of its DECLARE
    while its transaction deletes rows."""
    repo, rows, copies = str(tmp_path / "repo"), 600_000, 8
    _load_big(repo, rows)
    result_mib = rows * copies * 100 / 2**20
    server = make_server(repo=repo)
    query = f"SELECT id, repeat(s, {copies}) AS wide FROM big WHERE id < %s"  # its own values, not shared buffers
    with psycopg.connect(server.dsn()) as conn:
        cur = conn.cursor("big_rows")
        cur.itersize = 5000
        cur.execute(query, [rows])
        conn.execute("DELETE FROM big WHERE id >= 1000")  # not seen: the cursor reads its DECLARE's snapshot
        assert len(cur.fetchmany(5000)) == 5000  # the query's own working memory is taken by now
        _reset_peak_rss()
        start = _peak_rss_mib()
        assert sum(1 for _ in cur) == rows - 5000
        assert _peak_rss_mib() - start < result_mib / 2
        conn.rollback()

        conn.execute(f"DECLARE everything NO SCROLL CURSOR FOR {query.replace('%s', str(rows))}")
        tag, first = _answer(conn, "FETCH 2 FROM everything")
        assert (tag, [len(row[1]) for row in first]) == ("FETCH 2", [copies * 100] * 2)
        _reset_peak_rss()
        start = _peak_rss_mib()
        assert sum(1 for _ in conn.cursor().stream("FETCH ALL FROM everything")) == rows - 2
        assert _peak_rss_mib() - start < result_mib / 2
        assert _answer(conn, "FETCH everything") == ("FETCH 0", [])
        conn.rollback()
