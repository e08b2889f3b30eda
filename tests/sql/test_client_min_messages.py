"""client_min_messages decides which notices a session is sent, on agentlake as on PostgreSQL 16
(pg_dump's scripts set it to warning); and the settings pg_dump's header sets are accepted, a bad
value refused with 22023."""

from __future__ import annotations

import psycopg
import pytest

SETUP = ["CREATE TABLE kept (id int)"]

NOTICING = [
    "DROP TABLE IF EXISTS nowhere",
    "CREATE TABLE IF NOT EXISTS kept (id int)",
    "ALTER TABLE IF EXISTS nowhere ADD COLUMN x int",
    "COMMIT",
    "ANALYZE VERBOSE kept",
]


def _notices(conn: psycopg.Connection, level: str, sql: str) -> list[tuple[str, str]]:
    got: list[tuple[str, str]] = []
    handler = lambda diag: got.append((diag.severity_nonlocalized, diag.message_primary))  # noqa: E731
    conn.add_notice_handler(handler)
    try:
        conn.execute(f"SET client_min_messages = {level}")
        conn.execute(sql)
    finally:
        conn.execute("RESET client_min_messages")
        conn.remove_notice_handler(handler)
    return got


@pytest.mark.parametrize("level", ["notice", "warning", "error"])
@pytest.mark.parametrize("sql", NOTICING)
def test_notices_below_the_level_are_not_sent(both, level, sql):
    lake, postgres = (_notices(conn, level, sql) for conn in (both.lake, both.postgres))
    assert [severity for severity, _ in lake] == [severity for severity, _ in postgres]


@pytest.mark.parametrize(
    "sql",
    [
        "SET check_function_bodies = false",
        "SET xmloption = content",
        "SET row_security = off",
        "SET default_tablespace = ''",
        "SET default_table_access_method = heap",
        "SET client_min_messages = sometimes",
        "SET xmloption = poem",
    ],
)
def test_pg_dump_settings_as_postgresql(both, sql):
    lake, postgres = both.sqlstates(sql)
    assert lake == postgres
