"""Intervals, dates and times through the Python API come back as the Python values psycopg gives
for PostgreSQL 16's answers: ``datetime.timedelta`` for intervals (a month counted as 30 days, a
year as 365, as psycopg counts them), ``date``, ``datetime`` (aware for timestamptz) and ``time``."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

import agentlake
from tests.server.test_interval_wire import PRODUCTS

VALUES = [
    "interval '13 months'",
    "interval '-13 months 2 days'",
    "interval '1 year 2 months 3 days 4 hours'",
    "interval '-1 day 1 hour'",
    "date '2024-02-29'",
    "timestamp '2024-01-01 10:00:00.123456'",
    "timestamptz '2024-01-01 10:00:00+02'",
    "time '10:11:12.5'",
    "timestamp '2024-01-02 00:00:00' - timestamp '2024-01-01 06:00:00'",
]


@pytest.fixture(scope="module")
def reference(postgres_server):
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        yield conn


def test_interval_products_match_postgresql(lake, reference):
    for sql in PRODUCTS:
        ours = lake.execute(f"SELECT {sql}").fetchone()[0]
        assert ours == reference.execute(f"SELECT {sql}").fetchone()[0], sql
        assert ours is None or isinstance(ours, (dt.timedelta, dt.datetime))


def test_values_have_psycopgs_python_types(lake, reference):
    for sql in VALUES:
        ours = lake.execute(f"SELECT {sql}").fetchone()[0]
        theirs = reference.execute(f"SELECT {sql}").fetchone()[0]
        assert (type(ours), ours) == (type(theirs), theirs), sql
    aware = lake.execute("SELECT timestamptz '2024-01-01 10:00:00+02'").fetchone()[0]
    assert aware.utcoffset() == dt.timedelta(0) and aware.hour == 8


def test_interval_columns_of_a_query_are_timedeltas(lake):
    rows = lake.execute("SELECT x, x * interval '1 day' FROM (VALUES (1), (2), (NULL)) v(x) ORDER BY x").fetchall()
    assert rows == [(1, dt.timedelta(days=1)), (2, dt.timedelta(days=2)), (None, None)]
    table = lake.execute("SELECT interval '1 month' * 1.5 AS span").fetch_arrow()
    assert table.column("span").to_pylist()[0].days == 15  # Arrow keeps months, days and nanoseconds apart


def test_interval_columns_are_refused_up_front(tmp_path):
    """Parquet cannot store PostgreSQL's interval: CREATE TABLE, ADD COLUMN and CREATE TABLE AS say so
    with 0A000 instead of failing at the first write."""
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE t (id int)")
    for statement in (
        "CREATE TABLE u (id int, ttl interval)",
        "ALTER TABLE t ADD COLUMN ttl interval",
        "CREATE TABLE v AS SELECT interval '1 day' AS ttl",
    ):
        with pytest.raises(agentlake.NotSupportedError) as refused:
            db.execute(statement)
        assert refused.value.sqlstate == "0A000"
    db.execute("INSERT INTO t VALUES (1)")
    assert db.execute("SELECT id FROM t").fetchall() == [(1,)]
