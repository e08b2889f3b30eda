"""SET, SHOW and RESET statements."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import Notice, ProgrammingError
from ..results import Result
from .setting_values import Boolean

if TYPE_CHECKING:
    from .session import Session


def _value_text(node: exp.Expression) -> str:
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, exp.Column):
        return ".".join(part.name for part in node.parts)
    if isinstance(node, (exp.Identifier, exp.Var)):
        return node.name
    if isinstance(node, exp.Tuple):
        return ", ".join(_value_text(e) for e in node.expressions)
    return node.sql(dialect="postgres")


_TRANSACTION_SETTINGS = ("transaction_read_only", "transaction_isolation", "transaction_deferrable")
"""The settings of the running transaction (SET TRANSACTION sets them), back to the defaults after it."""


def set_value(session: "Session", name: str, value: str) -> None:
    """SET name = value; switching ``agentlake.branch`` checks out that branch; a transaction's own
    setting holds for the transaction only (outside one it is PostgreSQL's WARNING, and nothing)."""
    if name.lower() == "agentlake.branch":
        session.set_branch(value)
        return
    if name.lower() in _TRANSACTION_SETTINGS:
        if session.transaction_status == "idle":
            session.notice(Notice("SET TRANSACTION can only be used in transaction blocks", sqlstate="25P01"))
        else:
            if name.lower() == "transaction_isolation":
                _check_isolation_change(session, value)
            elif name.lower() == "transaction_read_only":
                _check_read_write_change(session, value)
            session.settings.set_local(name.lower(), value)
        return
    session.settings.set(name, value)


def _check_isolation_change(session: "Session", value: str) -> None:
    """A transaction's level may change only before its first query, and not in a savepoint (25001)."""
    if value.strip().lower() == session.settings["transaction_isolation"]:
        return
    if session.snapshot_taken:
        raise ProgrammingError("SET TRANSACTION ISOLATION LEVEL must be called before any query", sqlstate="25001")
    if session.in_subtransaction:
        raise ProgrammingError(
            "SET TRANSACTION ISOLATION LEVEL must not be called in a subtransaction", sqlstate="25001"
        )


def _check_read_write_change(session: "Session", value: str) -> None:
    """A read-only transaction may become read-write only before its first query (25001)."""
    read_only = session.settings["transaction_read_only"] == "on"
    if read_only and Boolean().canonical("transaction_read_only", value) == "off" and session.snapshot_taken:
        raise ProgrammingError("transaction read-write mode must be set before any query", sqlstate="25001")


def transaction_modes(session: "Session", modes: list[str]) -> list[tuple[str, str]]:
    """The settings a new transaction starts with, in order: ``BEGIN [ISOLATION LEVEL ...] [READ
    ONLY | READ WRITE] [[NOT] DEFERRABLE]`` as written after the session's defaults (commas between
    modes are optional, as in PostgreSQL); 42601 for any other word, before anything begins."""
    settings = [
        ("transaction_isolation", session.settings["default_transaction_isolation"]),
        ("transaction_read_only", session.settings["default_transaction_read_only"]),
        ("transaction_deferrable", session.settings["default_transaction_deferrable"]),
    ]
    words = " ".join(modes).replace(",", " ").lower().split()
    while words:
        if words[:2] == ["isolation", "level"] and len(words) > 2:
            size = 4 if words[2] in ("repeatable", "read") else 3
            settings.append(("transaction_isolation", " ".join(words[2:size])))
        elif words[:2] in (["read", "only"], ["read", "write"]):
            size = 2
            settings.append(("transaction_read_only", "on" if words[1] == "only" else "off"))
        elif words[:1] == ["deferrable"] or words[:2] == ["not", "deferrable"]:
            size = 1 if words[0] == "deferrable" else 2  # it waits for nothing here: snapshots never conflict
            settings.append(("transaction_deferrable", "on" if size == 1 else "off"))
        else:
            raise ProgrammingError(f'syntax error at or near "{words[0]}"', sqlstate="42601")
        words = words[size:]
    return settings


def apply_set(session: "Session", stmt: exp.Set) -> Result:
    for item in stmt.expressions:
        node = item.this
        name, value = (node.this, node.expression) if isinstance(node, exp.EQ) else (node, item.expression)
        text = _value_text(value) if value is not None else ""
        if str(item.args.get("kind") or "").upper() == "LOCAL":
            if session.transaction_status == "idle":
                session.notice(Notice("SET LOCAL can only be used in transaction blocks", sqlstate="25P01"))
            else:
                key = _value_text(name)
                session.settings.set_local(key, session.settings.default(key) if _is_default(value) else text)
        elif _is_default(value):  # SET name TO DEFAULT is RESET name
            session.settings.reset(_value_text(name))
        else:
            set_value(session, _value_text(name), text)
    return Result(None, 0, "SET")


def _is_default(node: exp.Expression | None) -> bool:
    return isinstance(node, (exp.Column, exp.Var, exp.Identifier)) and node.name.upper() == "DEFAULT"


def show(session: "Session", stmt) -> Result:
    name = stmt.this.name
    if name.lower() == "all":
        table = pa.table({"name": list(session.settings), "setting": [session.settings[k] for k in session.settings]})
    else:
        column = name.lower().replace(" ", "_")  # PostgreSQL names the column as written: hnsw.ef_search
        table = pa.table({column: pa.array([session.settings[name]], pa.string())})
    return Result(table, table.num_rows, "SHOW")


def reset(session: "Session", stmt) -> Result:
    session.settings.reset(stmt.this.name if stmt.this is not None else None)
    return Result(None, 0, "RESET")
