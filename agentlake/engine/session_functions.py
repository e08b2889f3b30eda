"""SQL functions that act on the session running them: ``set_config`` and the advisory locks.

They are DataFusion UDFs bound to one session when its context is made. Each is volatile (never
folded or cached) and runs once per row, in row order, as PostgreSQL's do. A DataFusion UDF has
one signature, so the two-int4 forms of the advisory lock functions are registered under
``<name>_int4``, which the catalog's overload rule gives them (``pgcatalog.rewrite.overloads``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import pyarrow as pa
from datafusion import SessionContext, udf

from ..errors import Error, Notice
from ..pgcatalog.advisory import ADVISORY_LOCK_FUNCTIONS
from .advisory_locks import Key, bigint_key, pair_key
from .session_settings import set_value

if TYPE_CHECKING:
    from .session import Session


def _rows(fn: Callable[..., object], output: pa.DataType) -> Callable[..., pa.Array]:
    def call(*arrays: pa.Array) -> pa.Array:
        try:
            return pa.array([fn(*row) for row in zip(*(a.to_pylist() for a in arrays))], output)
        except Error as err:  # DataFusion keeps only the text: the tag carries the SQLSTATE through
            raise ValueError(f"[SQLSTATE {err.sqlstate}] {err}") from None

    return call


def register_session_functions(ctx: SessionContext, session: "Session") -> None:
    text, i64, boolean = pa.string(), pa.int64(), pa.bool_()

    def set_config(name: str | None, value: str | None, local: bool | None) -> str | None:
        if name is None:
            return None
        if local:
            session.settings.set_local(name, value or "")  # outside a block: until this statement ends
        else:
            set_value(session, name, value or "")
        return session.settings[name]

    ctx.register_udf(udf(_rows(set_config, text), [text, text, boolean], text, "volatile", name="set_config"))
    for name in ADVISORY_LOCK_FUNCTIONS:
        output = pa.null() if name.startswith("pg_advisory_") and "unlock" not in name else boolean
        call = _advisory(session, name)
        ctx.register_udf(
            udf(
                _rows(lambda key, call=call: call(None if key is None else bigint_key(key)), output),
                [i64],
                output,
                "volatile",
                name=name,
            )
        )
        ctx.register_udf(
            udf(
                _rows(
                    lambda high, low, call=call: call(None if high is None or low is None else pair_key(high, low)),
                    output,
                ),
                [i64, i64],
                output,
                "volatile",
                name=f"{name}_int4",
            )
        )
    ctx.register_udf(udf(_unlock_all(session), [], pa.null(), "volatile", name="pg_advisory_unlock_all"))


def _advisory(session: "Session", name: str) -> Callable[[Key | None], bool | None]:
    """The function behind ``name``: lock (waiting or trying) or unlock, shared or exclusive."""
    shared = name.endswith("_shared")
    locks = session.advisory_locks

    def call(key: Key | None) -> bool | None:
        if key is None:
            return None  # strict, as PostgreSQL's: a NULL key locks nothing
        if "unlock" in name:
            released = locks.unlock(key, shared)
            if not released:
                session.notice(Notice(f"you don't own a lock of type {'ShareLock' if shared else 'ExclusiveLock'}"))
            return released
        trying = name.startswith("pg_try_")
        taken = locks.lock(key, shared, transaction="_xact_" in name, wait=not trying)
        return taken if trying else None

    return call


def _unlock_all(session: "Session") -> Callable[[], pa.Array]:
    def call() -> pa.Array:
        session.advisory_locks.unlock_all()
        return pa.nulls(1)

    return call
