"""Settings over the wire, on agentlake and PostgreSQL 16 with the same assertions: set_config and
current_setting (asyncpg's first query among them), custom dotted settings, SET LOCAL's scope and
warning, the planner settings' validation and display, statement_timeout and
idle_in_transaction_session_timeout."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import psycopg
import pytest
from psycopg import errors

from .reference_postgres import target  # noqa: F401 - fixture


def _connect(target, **kw) -> psycopg.Connection:
    conn = psycopg.connect(target.dsn, autocommit=True, **kw)
    conn.warnings = []
    conn.add_notice_handler(lambda d: conn.warnings.append((d.severity, d.sqlstate, d.message_primary)))
    return conn


def test_asyncpg_reads_and_sets_jit(target):
    async def run():
        conn = await asyncpg.connect(**target.asyncpg)
        try:
            assert tuple(await conn.fetchrow("SELECT current_setting('jit'), set_config('jit','off',false)")) == (
                "on",
                "off",
            )
            assert await conn.fetchval("SHOW jit") == "off"
            await conn.execute("SELECT set_config('jit', $1, false)", "on")
            assert await conn.fetchval("SELECT current_setting('jit')") == "on"
        finally:
            await conn.close()

    asyncio.run(run())


def test_custom_and_unknown_settings(target):
    with _connect(target) as conn:
        conn.execute("SET myapp.tenant = '42'")
        assert conn.execute("SELECT current_setting('myapp.tenant')").fetchone() == ("42",)
        assert conn.execute("SELECT current_setting('myapp.never_set', true)").fetchone() == (None,)
        with pytest.raises(errors.UndefinedObject, match='unrecognized configuration parameter "myapp.never_set"'):
            conn.execute("SELECT current_setting('myapp.never_set')")
        with pytest.raises(errors.UndefinedObject, match='unrecognized configuration parameter "no_such_thing"'):
            conn.execute("SELECT current_setting('no_such_thing')")
        with pytest.raises(errors.UndefinedObject):
            conn.execute("SELECT set_config('no_such_thing', '1', false)")
        with pytest.raises(errors.CantChangeRuntimeParam):
            conn.execute("SELECT set_config('server_version', '1', false)")
        # set_config(..., true) outside a block lasts for its own statement; the name stays defined, empty
        assert conn.execute("SELECT set_config('myapp.scoped', 'x', true)").fetchone() == ("x",)
        assert conn.execute("SELECT current_setting('myapp.scoped')").fetchone() == ("",)


def test_set_local_is_scoped_to_the_transaction(target):
    with _connect(target) as conn:
        conn.execute("SET LOCAL work_mem = '8MB'")
        assert conn.warnings == [("WARNING", "25P01", "SET LOCAL can only be used in transaction blocks")]
        assert conn.execute("SHOW work_mem").fetchone() == ("4MB",)
        for end in ("COMMIT", "ROLLBACK"):
            conn.execute("BEGIN")
            conn.execute("SET LOCAL work_mem = '8MB'")
            assert conn.execute("SELECT set_config('enable_seqscan', 'off', true)").fetchone() == ("off",)
            assert conn.execute("SHOW work_mem").fetchone() == ("8MB",)
            assert conn.execute("SHOW enable_seqscan").fetchone() == ("off",)
            conn.execute(end)
            assert conn.execute("SHOW work_mem").fetchone() == ("4MB",)
            assert conn.execute("SHOW enable_seqscan").fetchone() == ("on",)


@pytest.mark.parametrize(
    "name, value, shown",
    [
        ("work_mem", "65536", "64MB"),
        ("work_mem", "1.5MB", "1536kB"),
        ("work_mem", "1024 kB", "1MB"),
        ("maintenance_work_mem", "2GB", "2GB"),
        ("effective_cache_size", "1000", "8000kB"),
        ("random_page_cost", "1.10", "1.1"),
        ("max_parallel_workers_per_gather", "0", "0"),
        ("enable_seqscan", "false", "off"),
        ("enable_bitmapscan", "of", "off"),
        ("enable_indexscan", "1", "on"),
        ("enable_indexonlyscan", "no", "off"),
        ("enable_hashjoin", "yes", "on"),
        ("enable_mergejoin", "off", "off"),
        ("enable_nestloop", "t", "on"),
        ("jit", "off", "off"),
        ("statement_timeout", "60000", "1min"),
        ("statement_timeout", "1.5s", "1500ms"),
        ("lock_timeout", "10s", "10s"),
        ("idle_in_transaction_session_timeout", "2h", "2h"),
    ],
)
def test_planner_settings_read_and_print_as_postgres(target, name, value, shown):
    with _connect(target) as conn:
        conn.execute(f"SET {name} = '{value}'")
        assert conn.execute(f"SHOW {name}").fetchone() == (shown,)
        assert conn.execute("SELECT current_setting(%s)", (name,)).fetchone() == (shown,)
        conn.execute(f"RESET {name}")


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("work_mem", "abc", 'invalid value for parameter "work_mem": "abc"'),
        ("work_mem", "64kb", 'invalid value for parameter "work_mem": "64kb"'),
        ("work_mem", "0", '0 kB is outside the valid range for parameter "work_mem" (64 .. 2147483647)'),
        ("enable_seqscan", "maybe", 'parameter "enable_seqscan" requires a Boolean value'),
        (
            "random_page_cost",
            "-1",
            '-1 is outside the valid range for parameter "random_page_cost" (0 .. 1.79769e+308)',
        ),
        (
            "max_parallel_workers_per_gather",
            "2000",
            '2000 is outside the valid range for parameter "max_parallel_workers_per_gather" (0 .. 1024)',
        ),
        (
            "statement_timeout",
            "-1",
            '-1 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)',
        ),
    ],
)
def test_bad_values_are_refused_as_postgres_refuses_them(target, name, value, message):
    with _connect(target) as conn:
        with pytest.raises(errors.InvalidParameterValue) as raised:
            conn.execute(f"SET {name} = '{value}'")
        assert raised.value.diag.message_primary == message


def test_statement_timeout_cancels_the_statement(target):
    with _connect(target) as conn:
        conn.execute("SET statement_timeout = '200ms'")
        with pytest.raises(errors.QueryCanceled, match="canceling statement due to statement timeout"):
            conn.execute("SELECT pg_sleep(5)")
        assert conn.execute("SELECT 1").fetchone() == (1,)  # the next statement gets its own time


def test_idle_in_transaction_session_timeout_ends_the_session(target):
    with _connect(target) as conn:
        conn.execute("SET idle_in_transaction_session_timeout = '200ms'")
        conn.execute("BEGIN")
        time.sleep(1.0)
        with pytest.raises(
            errors.IdleInTransactionSessionTimeout, match="terminating connection due to idle-in-transaction timeout"
        ):
            conn.execute("SELECT 1")
    with _connect(target) as conn:  # outside a block the same setting never fires
        conn.execute("SET idle_in_transaction_session_timeout = '200ms'")
        time.sleep(0.5)
        assert conn.execute("SELECT 1").fetchone() == (1,)
