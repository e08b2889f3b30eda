"""SQL functions that act on the session running them: ``set_config``, the advisory locks, the
sequence functions (``engine.sequences``), ``pg_notify`` (``engine.notifications``),
``pg_backend_pid`` and ``txid_current`` (``Session.transaction_id``).

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
from ..sql.types import void_field
from . import sequences
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
        void = name.startswith("pg_advisory_") and "unlock" not in name
        call = _voided(_advisory(session, name)) if void else _advisory(session, name)
        single = _rows(lambda key, call=call: call(None if key is None else bigint_key(key)), text if void else boolean)
        pair = _rows(
            lambda high, low, call=call: call(None if high is None or low is None else pair_key(high, low)),
            text if void else boolean,
        )
        for arguments, function, called in (([i64], single, name), ([i64, i64], pair, f"{name}_int4")):
            output = void_field(called) if void else boolean
            ctx.register_udf(udf(function, arguments, output, "volatile", name=called))
    unlock_all = void_field("pg_advisory_unlock_all")
    ctx.register_udf(udf(_unlock_all(session), [], unlock_all, "volatile", name="pg_advisory_unlock_all"))
    _register_sequence_functions(ctx, session)
    notify = _rows(_voided(session.notifications.notify), text)
    ctx.register_udf(udf(notify, [text, text], void_field("pg_notify"), "volatile", name="pg_notify"))
    ctx.register_udf(
        udf(lambda: pa.array([session.backend_pid], pa.int32()), [], pa.int32(), "stable", name="pg_backend_pid")
    )
    for name, assign in (("txid_current", True), ("txid_current_if_assigned", False)):
        current = lambda assign=assign: pa.array([session.transaction_id(assign)], pa.int64())  # noqa: E731
        ctx.register_udf(udf(current, [], i64, "volatile", name=name))


def _voided(fn: Callable[..., object]) -> Callable[..., str | None]:
    """``fn``, a function returning void: its empty text, or NULL where it acted on a NULL key."""

    def call(*args: object) -> str | None:
        fn(*args)
        return None if any(a is None for a in args) else ""

    return call


def _strict(fn: Callable[..., object]) -> Callable[..., object]:
    """``fn`` answering NULL for a NULL argument, as PostgreSQL's strict functions do."""
    return lambda *args: None if any(a is None for a in args) else fn(*args)


def _register_sequence_functions(ctx: SessionContext, session: "Session") -> None:
    text, i64, boolean = pa.string(), pa.int64(), pa.bool_()
    for name, fn, inputs, output in (
        ("nextval", lambda s: sequences.nextval(session, s), [text], i64),
        ("currval", lambda s: sequences.currval(session, s), [text], i64),
        ("setval", lambda s, v: sequences.setval(session, s, v), [text, i64], i64),
        ("setval_called", lambda s, v, c: sequences.setval(session, s, v, c), [text, i64, boolean], i64),
        ("pg_get_serial_sequence", lambda t, c: sequences.serial_sequence(session, t, c), [text, text], text),
    ):
        ctx.register_udf(udf(_rows(_strict(fn), output), inputs, output, "volatile", name=name))
    ctx.register_udf(udf(_lastval(session), [], i64, "volatile", name="lastval"))


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


def _lastval(session: "Session") -> Callable[[], pa.Array]:
    def call() -> pa.Array:
        try:
            return pa.array([session.sequence_values.latest()], pa.int64())
        except Error as err:
            raise ValueError(f"[SQLSTATE {err.sqlstate}] {err}") from None

    return call


def _unlock_all(session: "Session") -> Callable[[], pa.Array]:
    def call() -> pa.Array:
        session.advisory_locks.unlock_all()
        return pa.array([""], pa.string())

    return call
