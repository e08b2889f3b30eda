"""Generated SQL through psycopg: every answer is rows or an ErrorResponse with a real SQLSTATE, the
server stays up and a canary table keeps its rows.

Statements mix valid grammar fragments, deep nesting, huge literals, random text and parameters of
the wrong types. Bounded by time (AGENTLAKE_SQL_FUZZ_SECONDS, 20 s by default) and by examples
(AGENTLAKE_FUZZ_EXAMPLES). An XX000 answer is checked against PostgreSQL 16 when it runs here: where
PostgreSQL reports a syntax or data error (42601, 22xxx) for the same statement, the cases are
collected and listed in a warning (AGENTLAKE_SQL_FUZZ_STRICT=1 fails the test on them instead).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import warnings
from decimal import Decimal

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb

SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
CANARY = [(1, "one"), (2, "two"), (3, "three")]

literals = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False).map(repr),
    st.text(max_size=20).map(lambda s: "'" + s.replace("'", "''").replace("\x00", "") + "'"),
    st.sampled_from(["NULL", "true", "'2024-02-30'::date", "'abc'::int", "1e400", "'{1,2'::int[]", "'[1,2]'::jsonb"]),
    st.integers(1, 1 << 20).map(lambda n: "'" + "x" * n + "'"),  # up to a 1 MB literal
)
operators = st.sampled_from(["+", "-", "*", "/", "%", "||", "=", "<>", "<", "AND", "OR", "LIKE", "->", "<->", "::text"])
functions = st.sampled_from(["abs", "length", "upper", "coalesce", "sum", "count", "lower", "sqrt", "nosuchfn"])


@st.composite
def expressions(draw, depth: int = 0):
    kind = draw(st.integers(0, 5 if depth < 4 else 0))
    if kind == 0:
        return draw(st.one_of(literals, st.sampled_from(["id", "v", "nosuchcol", "canary.id"])))
    if kind == 1:
        return f"{draw(expressions(depth + 1))} {draw(operators)} {draw(expressions(depth + 1))}"
    if kind == 2:
        return f"{draw(functions)}({draw(expressions(depth + 1))})"
    if kind == 3:
        return f"CASE WHEN {draw(expressions(depth + 1))} THEN {draw(expressions(depth + 1))} ELSE NULL END"
    if kind == 4:
        return f"({draw(expressions(depth + 1))})"
    return f"(SELECT {draw(expressions(depth + 1))} FROM canary LIMIT 1)"


def _nested(kind: str, n: int) -> str:
    if kind == "parens":
        return "SELECT " + "(" * n + "1" + ")" * n
    if kind == "and":
        return "SELECT id FROM canary WHERE " + " AND ".join(f"id <> {i}" for i in range(n))
    if kind == "plus":  # DataFusion plans long + chains in time that grows steeply: 900 terms take minutes
        return "SELECT " + " + ".join(["id"] * min(n, 40)) + " FROM canary"
    query = "SELECT id FROM canary"
    for i in range(min(n, 400)):
        query = f"SELECT * FROM ({query}) s{i}"
    return query


grammar = st.builds(
    lambda select, where, tail: f"SELECT {select} FROM canary{where}{tail}",
    expressions(),
    st.one_of(st.just(""), expressions().map(lambda e: f" WHERE {e}")),
    st.sampled_from(["", " ORDER BY 1", " GROUP BY id", " LIMIT 2", " LIMIT -1", " OFFSET 'x'", " FOR UPDATE"]),
)
fragments = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "FROM",
            "canary",
            "WHERE",
            "(",
            ")",
            ",",
            "1",
            "'a'",
            "id",
            "=",
            "AND",
            "INSERT",
            "INTO",
            "scratch",
            "VALUES",
            "UPDATE",
            "SET",
            "DELETE",
            "::",
            "[",
            "]",
            "$1",
            "ORDER BY",
            "UNION",
            "WITH",
            "AS",
            ";",
            "--",
            "/*",
        ]
    ),
    max_size=14,
).map(" ".join)
statements = st.one_of(
    grammar,
    fragments,
    st.text(max_size=200).map(lambda s: s.replace("\x00", "")),
    st.builds(_nested, st.sampled_from(["parens", "and", "plus", "subqueries"]), st.integers(0, 5000)),
    expressions().map(lambda e: f"INSERT INTO scratch VALUES (1, {e})"),
    expressions().map(lambda e: f"UPDATE scratch SET v = {e}"),
)
parameters = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.text(max_size=30).map(lambda s: s.replace("\x00", "")),
    st.binary(max_size=30),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(Decimal),
    st.dates(),
    st.datetimes(),
    st.lists(st.integers(-1000, 1000), max_size=5),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3).map(Jsonb),
)
parameterized = st.tuples(
    st.sampled_from(
        [
            "SELECT %s::int + 1",
            "SELECT v FROM canary WHERE id = %s",
            "INSERT INTO scratch VALUES (%s, %s)",
            "SELECT %s::date, %s::jsonb",
            "SELECT * FROM canary LIMIT %s",
            "SELECT %s::vector",
        ]
    ),
    st.lists(parameters, min_size=2, max_size=2),
)


def _outcome(conn: psycopg.Connection, sql: str, params: list | None) -> str | None:
    """None for rows or a command tag, else the SQLSTATE the server answered."""
    try:
        cursor = conn.execute(sql, params[: sql.count("%s")] if params is not None else None)
        if cursor.description is not None:
            cursor.fetchall()
        return None
    except psycopg.Error as err:
        if err.sqlstate is None and conn.closed:
            raise AssertionError(f"connection lost on {sql[:200]!r}") from err
        return err.sqlstate or "client"


@pytest.fixture
def reference(request):
    """A PostgreSQL 16 connection with the same tables, or None where pgserver cannot start."""
    try:
        info = request.getfixturevalue("postgres_server").get_postmaster_info()
    except pytest.skip.Exception:
        yield None
        return
    conn = psycopg.connect(f"host={info.socket_dir} port={info.port} dbname=postgres user=postgres", autocommit=True)
    conn.execute("DROP TABLE IF EXISTS canary, scratch")
    conn.execute("CREATE TABLE canary (id int PRIMARY KEY, v text)")
    conn.execute("CREATE TABLE scratch (id int, v text)")
    conn.execute("INSERT INTO canary VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    conn.execute("SET statement_timeout = '5s'")
    yield conn
    conn.close()


def test_generated_sql_gets_rows_or_a_sqlstate(server, reference):
    with psycopg.connect(server.dsn(), autocommit=True) as setup:
        setup.execute("CREATE TABLE canary (id int PRIMARY KEY, v text)")
        setup.execute("CREATE TABLE scratch (id int, v text)")
        setup.execute("INSERT INTO canary VALUES (1, 'one'), (2, 'two'), (3, 'three')")
    conn = psycopg.connect(server.dsn(), autocommit=True)
    ends = time.monotonic() + float(os.environ.get("AGENTLAKE_SQL_FUZZ_SECONDS", "20"))
    internal: list[tuple[str, str | None]] = []

    @settings(
        max_examples=int(os.environ.get("AGENTLAKE_FUZZ_EXAMPLES", "150")),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,  # the same statements on every run: a finding is not a flaky test
    )
    @given(case=st.one_of(statements.map(lambda sql: (sql, None)), parameterized))
    def attack(case):
        if time.monotonic() > ends:
            return  # the time is up: the remaining examples run nothing
        sql, params = case
        sqlstate = _outcome(conn, sql, params)
        assert sqlstate is None or sqlstate == "client" or SQLSTATE.match(sqlstate), (sql[:200], sqlstate)
        if sqlstate == "XX000" and reference is not None:
            theirs = _outcome(reference, sql, params)
            if theirs is not None and (theirs == "42601" or theirs.startswith("22")):
                internal.append((sql[:300], theirs))

    attack()
    assert conn.execute("SELECT 'still served'").fetchone() == ("still served",)
    conn.close()
    with psycopg.connect(server.dsn(), autocommit=True) as after:
        assert after.execute("SELECT id, v FROM canary ORDER BY id").fetchall() == CANARY
    if internal:
        found = f"XX000 where PostgreSQL 16 reports a syntax or data error: {internal}"
        assert os.environ.get("AGENTLAKE_SQL_FUZZ_STRICT") != "1", found
        warnings.warn(found, stacklevel=1)  # known gaps are listed in every run; strict mode fails on them


@pytest.mark.parametrize(
    "sql, params",
    [
        ("SELECT %s::int + 1", [b"\x00\xff"]),
        ("INSERT INTO scratch VALUES (%s, %s)", [dt.date(2024, 1, 1), 5]),
        ("SELECT %s::date", [12]),
    ],
)
def test_wrong_parameter_types_are_refused_with_a_sqlstate(server, sql, params):
    """PostgreSQL 16 refuses each (42804, 42846, 42846); the row count shows nothing was written."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE scratch (id int, v text)")
        assert _outcome(conn, sql, params) is not None
        assert conn.execute("SELECT count(*) FROM scratch").fetchone() == (0,)
