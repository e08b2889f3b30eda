"""psycopg 3 against the server over real sockets: both protocols, both formats, errors, cancel."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import psycopg
import pytest
from psycopg import errors, pq


def test_simple_query_several_statements(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        cur = conn.execute("SELECT 1 AS a; SELECT 'x' AS b, 2.5::double precision AS c")
        assert cur.fetchall() == [(1,)]
        assert cur.nextset()
        assert cur.fetchall() == [("x", 2.5)]
        assert [d.name for d in cur.description] == ["b", "c"]


def test_extended_protocol_text_and_binary(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for binary in (False, True):
            row = conn.execute(
                "SELECT %s::bigint + 1, %s::text, %s::boolean", [41, "hé", True], binary=binary
            ).fetchone()
            assert row == (42, "hé", True)


RESULT_TYPES = [
    ("CAST(true AS BOOLEAN)", True),
    ("CAST(7 AS SMALLINT)", 7),
    ("CAST(-7 AS INT)", -7),
    ("CAST(9000000000 AS BIGINT)", 9_000_000_000),
    ("CAST(1.5 AS REAL)", 1.5),
    ("CAST(0.1 AS DOUBLE)", 0.1),
    ("CAST(12.345 AS DECIMAL(10, 3))", Decimal("12.345")),
    ("CAST(-0.5 AS DECIMAL(10, 4))", Decimal("-0.5000")),
    ("'naïve ✓'", "naïve ✓"),
    ("CAST('2024-02-29' AS DATE)", dt.date(2024, 2, 29)),
    ("CAST('13:14:15.5' AS TIME)", dt.time(13, 14, 15, 500000)),
    ("CAST('2024-01-02 03:04:05.123456' AS TIMESTAMP)", dt.datetime(2024, 1, 2, 3, 4, 5, 123456)),
    (
        "arrow_cast('2024-01-02T03:04:05Z', 'Timestamp(Microsecond, Some(\"UTC\"))')",
        dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
    ),
    ("INTERVAL '1 day 2 hours'", dt.timedelta(days=1, hours=2)),
    ("make_array(1, 2, 3)", [1, 2, 3]),
    ("make_array('a', 'b c', NULL)", ["a", "b c", None]),
    ("arrow_cast(X'00ff10', 'Binary')", b"\x00\xff\x10"),
    ("NULL", None),
]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_result_types_round_trip(server, binary):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for expr, expected in RESULT_TYPES:
            value = conn.execute(f"SELECT {expr} AS v", binary=binary).fetchone()[0]
            if isinstance(expected, float):
                assert value == pytest.approx(expected), expr
            else:
                assert value == expected, expr


PARAMS = [7, -9_000_000_000, 2.25, "text with 'quotes'", True, Decimal("3.14")]


@pytest.mark.parametrize("binary", [False, True], ids=["text", "binary"])
def test_parameters_round_trip(server, binary):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for value in PARAMS:
            got = conn.execute("SELECT %s AS v", [value], binary=binary).fetchone()[0]
            assert got == value


def test_named_prepared_statement_after_five_runs(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE items (id BIGINT, name TEXT)")
        conn.execute("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c')")
        for i in range(8):
            assert conn.execute("SELECT name FROM items WHERE id = %s", [i % 3 + 1]).fetchone() == ("abc"[i % 3],)
        assert conn.execute("SELECT count(*) FROM items", prepare=True).fetchone() == (3,)
        assert conn.execute("SELECT count(*) FROM items", prepare=True).fetchone() == (3,)


def test_pipeline_mode(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with conn.pipeline():
            cursors = [conn.execute("SELECT %s::bigint * 2", [i]) for i in range(5)]
        assert [c.fetchone()[0] for c in cursors] == [0, 2, 4, 6, 8]


def test_executemany_and_copy(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE bulk (id BIGINT, label TEXT)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bulk VALUES (%s, %s)", [(i, f"r{i}") for i in range(5)])
            with cur.copy("COPY bulk (id, label) FROM STDIN") as copy:
                for i in range(5, 105):
                    copy.write_row((i, None if i == 50 else f"tab\there {i}"))
            assert cur.statusmessage == "COPY 100"
            with cur.copy("COPY bulk FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write('id,label\n200,"quoted, comma"\n201,\n')
        rows = conn.execute("SELECT count(*), count(label) FROM bulk").fetchone()
        assert rows == (107, 105)
        assert conn.execute("SELECT label FROM bulk WHERE id = 7").fetchone() == ("tab\there 7",)
        assert conn.execute("SELECT label FROM bulk WHERE id = 200").fetchone() == ("quoted, comma",)


def test_transaction_status_and_errors(server):
    with psycopg.connect(server.dsn()) as conn:
        conn.execute("SELECT 1")
        assert conn.info.transaction_status == pq.TransactionStatus.INTRANS
        with pytest.raises(errors.UndefinedTable) as info:
            conn.execute("SELECT * FROM no_such_table")
        assert info.value.sqlstate == "42P01"
        assert conn.info.transaction_status == pq.TransactionStatus.INERROR
        with pytest.raises(errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.rollback()
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        assert conn.execute("SELECT 5").fetchone() == (5,)


def test_reused_constant_answers_still_respect_a_failed_transaction(server):
    """The server keeps its encoded answer to ``SELECT 1`` (pools send it constantly); a transaction
    that has failed must still refuse it."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for _ in range(3):
            assert conn.execute("SELECT 1").fetchone() == (1,)
        conn.autocommit = False
        with pytest.raises(errors.UndefinedTable):
            conn.execute("SELECT * FROM no_such_table")
        with pytest.raises(errors.InFailedSqlTransaction):
            conn.execute("SELECT 1")
        conn.rollback()
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_syntax_error_keeps_connection_usable(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.SyntaxError) as info:
            conn.execute("SELEKT 1")
        assert info.value.sqlstate == "42601"
        assert conn.execute("SELECT 'still here'").fetchone() == ("still here",)


def test_cancel_running_query(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        timer = threading.Timer(0.5, conn.cancel_safe)
        timer.start()
        started = time.monotonic()
        with pytest.raises(errors.QueryCanceled) as info:
            conn.execute("SELECT pg_sleep(8)")
        assert info.value.sqlstate == "57014"
        assert time.monotonic() - started < 20
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_parameter_status_and_settings(server):
    with psycopg.connect(server.dsn(application_name="probe")) as conn:
        info = conn.info
        assert info.server_version >= 160000
        assert info.parameter_status("server_encoding") == "UTF8"
        assert info.parameter_status("standard_conforming_strings") == "on"
        assert info.parameter_status("integer_datetimes") == "on"
        assert info.parameter_status("DateStyle") == "ISO, MDY"
        assert info.parameter_status("session_authorization") == "alice"
        assert info.backend_pid > 0


def test_unknown_database_is_refused(server):
    with pytest.raises(psycopg.OperationalError, match="does not exist"):
        psycopg.connect(server.dsn(dbname="elsewhere"))


def test_failed_copy_loads_nothing(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE strict (id BIGINT, label TEXT)")
        with pytest.raises(errors.InvalidTextRepresentation):
            with conn.cursor().copy("COPY strict FROM STDIN") as copy:
                copy.write("1\tok\n2\tok\nnot-a-number\tbad\n")
        assert conn.execute("SELECT count(*) FROM strict").fetchone() == (0,)


def test_branches_per_connection_are_isolated(server, real_engine):
    with (
        psycopg.connect(server.dsn(dbname=f"{server.database}@agent-1"), autocommit=True) as one,
        psycopg.connect(server.dsn(options="-c agentlake.branch=agent-2"), autocommit=True) as two,
    ):
        one.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)")
        one.execute("INSERT INTO notes VALUES (1, 'only on agent-1')")
        with pytest.raises(errors.UndefinedTable):
            two.execute("SELECT * FROM notes")
        assert two.execute("SHOW agentlake.branch").fetchone() == ("agent-2",)
        two.execute("SET agentlake.branch = 'agent-1'")
        assert two.execute("SELECT body FROM notes").fetchall() == [("only on agent-1",)]


def test_several_statements_run_as_one_implicit_transaction(server, real_engine):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE ledger (v BIGINT)")
        with pytest.raises(errors.UndefinedTable):
            conn.execute("INSERT INTO ledger VALUES (1); INSERT INTO missing VALUES (2)")
        assert conn.info.transaction_status == pq.TransactionStatus.IDLE
        conn.execute("INSERT INTO ledger VALUES (3); INSERT INTO ledger VALUES (4)")
        assert conn.execute("SELECT v FROM ledger ORDER BY v").fetchall() == [(3,), (4,)]


def test_copy_to_stdout_in_text_csv_and_binary(server, real_engine):
    """Exports read back what was stored: escapes in text, quoting in CSV (an empty string is not
    NULL), typed values in binary, for a table, a column list and a query."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id BIGINT, body TEXT, score DOUBLE PRECISION, ok BOOLEAN)")
        conn.execute(
            "INSERT INTO notes VALUES (1, E'tab\\there\\nline \\\\ end', 1.5, true), (2, NULL, NULL, false), "
            "(3, 'a,b \"q\"', -0.25, NULL), (4, '', 2, true)"
        )
        stored = conn.execute("SELECT * FROM notes ORDER BY id").fetchall()
        cur = conn.cursor()
        with cur.copy("COPY (SELECT * FROM notes ORDER BY id) TO STDOUT") as copy:
            copy.set_types(["int8", "text", "float8", "bool"])
            assert list(copy.rows()) == stored
        assert cur.rowcount == 4
        with cur.copy("COPY (SELECT * FROM notes ORDER BY id) TO STDOUT WITH (FORMAT binary)") as copy:
            copy.set_types(["int8", "text", "float8", "bool"])
            assert list(copy.rows()) == stored
        with cur.copy("COPY notes (id, body) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            text = b"".join(copy).decode()
        assert sorted(text.splitlines()[1:]) == ['1,"tab\there', "2,", '3,"a,b ""q"""', '4,""', 'line \\ end"']
        assert text.splitlines()[0] == "id,body"
        with cur.copy("COPY notes TO STDOUT") as copy:
            lines = sorted(bytes(line) for line in copy)
        assert lines[0] == b"1\ttab\\there\\nline \\\\ end\t1.5\tt\n" and lines[1] == b"2\t\\N\t\\N\tf\n"


def test_failed_copy_to_stdout_keeps_the_session(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(errors.UndefinedTable):
            with conn.cursor().copy("COPY missing TO STDOUT") as copy:
                list(copy)
        conn.execute("CREATE TABLE present (id BIGINT)")
        with pytest.raises(errors.InvalidParameterValue, match='COPY format "xml" not recognized'):
            with conn.cursor().copy("COPY present TO STDOUT (FORMAT xml)") as copy:
                list(copy)
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_copy_to_stdout_of_more_rows_than_one_slice(server, real_engine):
    from agentlake.server.copy_out import SLICE_ROWS

    count = 2 * SLICE_ROWS + 7
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE many (n BIGINT)")
        conn.execute(f"INSERT INTO many SELECT g FROM generate_series(1, {count}) g")
        cur = conn.cursor()
        with cur.copy("COPY (SELECT n FROM many ORDER BY n) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["int8"])
            values = [row[0] for row in copy.rows()]
        assert values == list(range(1, count + 1)) and cur.rowcount == count
