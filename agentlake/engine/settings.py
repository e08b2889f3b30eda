"""Session settings: what SET, SHOW and RESET act on.

PostgreSQL clients read several of these on connect (SQLAlchemy asks for
standard_conforming_strings and the isolation level), so their values match
what PostgreSQL 16 reports.
"""
from __future__ import annotations

from collections.abc import MutableMapping
from typing import Iterator

from ..errors import ProgrammingError

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
    "transaction_isolation": "repeatable read",
    "default_transaction_isolation": "repeatable read",
    "transaction_read_only": "off",
    "is_superuser": "off",
    "statement_timeout": "0",
    "lock_timeout": "0",
    "extra_float_digits": "1",
    "max_identifier_length": "63",
    "agentlake.branch": "main",
    "agentlake.executor": "auto",
    "agentlake.dask_threshold_rows": "20000000",
    "agentlake.durability": "full",
    "agentlake.vector_exact_threshold": "10000",
    "agentlake.recall_target": "0.95",
    "hnsw.ef_search": "40",
    "ivfflat.probes": "1",
}
READ_ONLY = {"server_version", "server_version_num", "server_encoding", "integer_datetimes", "max_identifier_length", "is_superuser"}
ALIASES = {"transaction isolation level": "transaction_isolation", "time zone": "timezone"}
CHOICES = {
    "agentlake.executor": {"auto", "local", "dask", "gpu"},
    "agentlake.durability": {"full", "relaxed"},
    "standard_conforming_strings": {"on"},
}


def canonical(name: str) -> str:
    key = name.strip().lower()
    return ALIASES.get(key, key)


class Settings(MutableMapping):
    """Case-insensitive settings with PostgreSQL's validation errors (42704, 22023, 55P02)."""

    def __init__(self, overrides: dict[str, str] | None = None) -> None:
        self._values = dict(DEFAULTS)
        self._session_defaults = dict(DEFAULTS)
        for key, value in (overrides or {}).items():
            self.set(key, value)
        self._session_defaults.update(self._values)

    def __getitem__(self, name: str) -> str:
        key = canonical(name)
        if key not in self._values:
            raise ProgrammingError(f'unrecognized configuration parameter "{name}"', sqlstate="42704")
        return self._values[key]

    def set(self, name: str, value: str) -> None:
        key = canonical(name)
        if key in READ_ONLY:
            raise ProgrammingError(f'parameter "{name}" cannot be changed', sqlstate="55P02")
        if key not in self._values and "." not in key:
            raise ProgrammingError(f'unrecognized configuration parameter "{name}"', sqlstate="42704")
        value = str(value)
        allowed = CHOICES.get(key)
        if allowed and value.lower() not in allowed:
            raise ProgrammingError(
                f'invalid value for parameter "{name}": "{value}" (allowed: {", ".join(sorted(allowed))})',
                sqlstate="22023",
            )
        self._values[key] = value.lower() if allowed else value

    __setitem__ = set

    def reset(self, name: str | None = None) -> None:
        if name is None or name.lower() == "all":
            self._values = dict(self._session_defaults)
            return
        key = canonical(name)
        self[key]
        self._values[key] = self._session_defaults.get(key, DEFAULTS.get(key, ""))

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
