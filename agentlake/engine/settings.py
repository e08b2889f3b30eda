"""Session settings: what SET, SHOW and RESET act on.

PostgreSQL clients read several of these on connect (SQLAlchemy asks for
standard_conforming_strings and the isolation level), so their values match
what PostgreSQL 16 reports.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Iterator

from ..errors import ProgrammingError
from .setting_values import Boolean, Choice, Kind, Number, Quantity

SERVER_VERSION = "16.4"

DEFAULTS: dict[str, str] = {
    "server_version": SERVER_VERSION,
    "server_version_num": "160004",
    "server_encoding": "UTF8",
    "client_encoding": "UTF8",
    "datestyle": "ISO, MDY",
    "timezone": "UTC",
    "intervalstyle": "postgres",
    "integer_datetimes": "on",
    "standard_conforming_strings": "on",
    "search_path": '"$user", public',
    "application_name": "",
    "transaction_isolation": "read committed",
    "default_transaction_isolation": "read committed",
    "transaction_read_only": "off",
    "default_transaction_read_only": "off",
    "transaction_deferrable": "off",
    "default_transaction_deferrable": "off",
    "is_superuser": "off",
    "statement_timeout": "0",
    "lock_timeout": "0",
    "extra_float_digits": "1",
    "max_identifier_length": "63",
    "max_prepared_transactions": "0",
    "client_min_messages": "notice",
    "check_function_bodies": "on",
    "row_security": "on",
    "xmloption": "content",
    "default_tablespace": "",
    "default_table_access_method": "heap",  # SQLAlchemy's table reflection compares each table's with it
    "agentlake.branch": "main",
    "agentlake.executor": "auto",
    "agentlake.dask_threshold_rows": "20000000",
    "agentlake.durability": "full",
    "agentlake.vector_exact_threshold": "10000",
    "agentlake.recall_target": "0.95",
    "hnsw.ef_search": "40",
    "ivfflat.probes": "1",
    # pgvector 0.8's iterative scans, which keep a filtered index scan going until enough rows pass:
    # this engine's filtered top-k always does (it widens the search, then searches exactly), so
    # these are accepted, checked and shown, and change nothing
    "hnsw.iterative_scan": "off",
    "hnsw.max_scan_tuples": "20000",
    "hnsw.scan_mem_multiplier": "1",
    "ivfflat.iterative_scan": "off",
    "ivfflat.max_probes": "32768",
    # PostgreSQL's planner, memory, parallelism and JIT settings, which ORMs, pgvector's guides and
    # asyncpg (jit, on connect) set: accepted, checked as PostgreSQL checks them, shown and scoped
    # (SET LOCAL), and they change nothing here. They steer PostgreSQL's choice between plans;
    # this engine has one plan per query shape and sizes its own memory and threads, and its
    # filtered top-k is already exact or complete (it widens the index search, then searches
    # exactly), which is what iterative scans and scan limits are for in pgvector.
    "work_mem": "4MB",
    "maintenance_work_mem": "64MB",
    "max_parallel_workers_per_gather": "2",
    "max_parallel_maintenance_workers": "2",
    "effective_cache_size": "4GB",
    "random_page_cost": "4",
    "enable_seqscan": "on",
    "enable_bitmapscan": "on",
    "enable_indexscan": "on",
    "enable_indexonlyscan": "on",
    "enable_hashjoin": "on",
    "enable_mergejoin": "on",
    "enable_nestloop": "on",
    "jit": "on",
    # timeouts that are enforced: statement_timeout by the engine (statement_timeout.py), lock_timeout
    # by advisory lock waits (advisory_locks.py), idle_in_transaction_session_timeout by the server
    "idle_in_transaction_session_timeout": "0",
}
READ_ONLY = {
    "server_version",
    "server_version_num",
    "server_encoding",
    "integer_datetimes",
    "max_identifier_length",
    "max_prepared_transactions",
    "is_superuser",
}
MESSAGE_LEVELS = ("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")
"""client_min_messages' levels, least severe first: a session is sent the messages at its level and above."""
ISOLATION_LEVELS = frozenset({"read uncommitted", "read committed", "repeatable read", "serializable"})
READ_COMMITTED_LEVELS = frozenset({"read uncommitted", "read committed"})
"""The levels whose transactions read a new snapshot per statement (PostgreSQL runs READ UNCOMMITTED
as READ COMMITTED); REPEATABLE READ and SERIALIZABLE read one, and commit with write conflicts
refused (40001), which is snapshot isolation: PostgreSQL's REPEATABLE READ."""

_TRANSACTION_DEFAULTS = {
    name: f"default_{name}" for name in ("transaction_isolation", "transaction_read_only", "transaction_deferrable")
}
"""A transaction's own settings and the session defaults they start from (BEGIN sets them locally)."""

ALIASES = {"transaction isolation level": "transaction_isolation", "time zone": "timezone"}
_ON_OFF = Boolean()
_TIMEOUT = Quantity("ms", 0, 2**31 - 1)
KINDS: dict[str, Kind] = {
    "agentlake.executor": Choice(frozenset({"auto", "local", "dask", "gpu"})),
    "agentlake.durability": Choice(frozenset({"full", "relaxed"})),
    "transaction_isolation": Choice(ISOLATION_LEVELS),
    "client_min_messages": Choice(frozenset(MESSAGE_LEVELS)),
    "xmloption": Choice(frozenset({"content", "document"})),
    "default_tablespace": Choice(frozenset({"", "pg_default"})),  # the only tablespace there is
    "default_table_access_method": Choice(frozenset({"heap"})),  # every table is stored one way
    "check_function_bodies": _ON_OFF,
    "row_security": _ON_OFF,  # no table has row security policies, so either way no row is hidden
    "default_transaction_isolation": Choice(ISOLATION_LEVELS),
    "standard_conforming_strings": Choice(frozenset({"on"})),
    "hnsw.iterative_scan": Choice(frozenset({"off", "relaxed_order", "strict_order"})),
    "ivfflat.iterative_scan": Choice(frozenset({"off", "relaxed_order"})),
    "hnsw.ef_search": Number(int, 1, 1000),
    "ivfflat.probes": Number(int, 1, 32768),
    "hnsw.max_scan_tuples": Number(int, 1, 2**31 - 1),
    "hnsw.scan_mem_multiplier": Number(float, 1, 1000),
    "ivfflat.max_probes": Number(int, 1, 32768),
    "agentlake.vector_exact_threshold": Number(int, 0, 2**62),
    "agentlake.dask_threshold_rows": Number(int, 0, 2**62),
    "agentlake.recall_target": Number(float, 0, 1),
    "extra_float_digits": Number(int, -15, 3),
    "work_mem": Quantity("kB", 64, 2**31 - 1),
    "maintenance_work_mem": Quantity("kB", 1024, 2**31 - 1),
    "effective_cache_size": Quantity("8kB", 1, 2**31 - 1),
    "random_page_cost": Number(float, 0, 1.79769e308),
    "max_parallel_workers_per_gather": Number(int, 0, 1024),
    "max_parallel_maintenance_workers": Number(int, 0, 1024),
    "statement_timeout": _TIMEOUT,
    "lock_timeout": _TIMEOUT,
    "idle_in_transaction_session_timeout": _TIMEOUT,
    **{
        name: _ON_OFF
        for name in (
            "enable_seqscan",
            "enable_bitmapscan",
            "enable_indexscan",
            "enable_indexonlyscan",
            "enable_hashjoin",
            "enable_mergejoin",
            "enable_nestloop",
            "jit",
        )
    },
}
"""How each checked setting's value is read and printed; a bad value is refused by SET, as
PostgreSQL refuses it, instead of failing every later query that reads it (pgvector's ranges for
its own settings)."""


def canonical(name: str) -> str:
    key = name.strip().lower()
    return ALIASES.get(key, key)


class Settings(MutableMapping):
    """Case-insensitive settings with PostgreSQL's validation errors (42704, 22023, 55P02)."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self._values = dict(DEFAULTS)
        self._session_defaults = dict(DEFAULTS)
        self._before_local: dict[str, str] = {}  # what SET LOCAL replaced, put back when the transaction ends
        for key, value in (overrides or {}).items():
            self.set(key, value)
        self._session_defaults.update(self._values)

    def __getitem__(self, name: str) -> str:
        key = canonical(name)
        if key in _TRANSACTION_DEFAULTS and key not in self._before_local:
            key = _TRANSACTION_DEFAULTS[key]  # outside a transaction block, what the next one starts with
        if key not in self._values:
            raise ProgrammingError(f'unrecognized configuration parameter "{name}"', sqlstate="42704")
        return self._values[key]

    def set(self, name: str, value: str) -> None:
        key = canonical(name)
        if key in READ_ONLY:
            raise ProgrammingError(f'parameter "{name}" cannot be changed', sqlstate="55P02")
        if key not in self._values and "." not in key:
            raise ProgrammingError(f'unrecognized configuration parameter "{name}"', sqlstate="42704")
        kind = KINDS.get(key)
        self._values[key] = kind.canonical(name, str(value)) if kind is not None else str(value)

    __setitem__ = set

    def set_local(self, name: str, value: str) -> None:
        """SET LOCAL: the value lasts until the transaction ends (pgvector's advice for ef_search)."""
        key = canonical(name)
        # a custom setting first made by SET LOCAL stays defined, empty, after the transaction (PostgreSQL's placeholder)
        before = self._values.get(key, "")
        self.set(key, value)
        self._before_local.setdefault(key, before)

    def end_transaction(self) -> None:
        self._values.update(self._before_local)
        self._before_local.clear()

    def reset(self, name: str | None = None) -> None:
        if name is None or name.lower() == "all":
            self._values = dict(self._session_defaults)
            return
        key = canonical(name)
        self[key]
        self._values[key] = self.default(key)

    def default(self, name: str) -> str:
        """What RESET (or SET ... TO DEFAULT) goes back to: the value the session started with."""
        key = canonical(name)
        return self._session_defaults.get(key, DEFAULTS.get(key, ""))

    def __delitem__(self, name: str) -> None:
        self.reset(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def int(self, name: str) -> int:
        return int(float(self[name]))

    def float(self, name: str) -> float:
        return float(self[name])

    def milliseconds(self, name: str) -> int:
        """A timeout setting's value in milliseconds (0: none)."""
        return _TIMEOUT.amount(self[name])
