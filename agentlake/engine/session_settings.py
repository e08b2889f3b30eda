"""SET, SHOW and RESET statements."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..results import Result

if TYPE_CHECKING:
    from .session import Session


def _value_text(node: exp.Expression) -> str:
    if isinstance(node, exp.Literal):
        return node.this
    if isinstance(node, (exp.Identifier, exp.Var, exp.Column)):
        return node.name
    if isinstance(node, exp.Tuple):
        return ", ".join(_value_text(e) for e in node.expressions)
    return node.sql(dialect="postgres")


def set_value(session: "Session", name: str, value: str, local: bool = False) -> None:
    """SET name = value; switching ``agentlake.branch`` checks out that branch."""
    if name.lower() == "agentlake.branch":
        session.set_branch(value)
        return
    session.settings.set(name, value)


def apply_set(session: "Session", stmt: exp.Set) -> None:
    for item in stmt.expressions:
        node = item.this
        if isinstance(node, exp.EQ):
            set_value(session, _value_text(node.this), _value_text(node.expression))
        else:
            set_value(session, _value_text(node), _value_text(item.expression) if item.expression else "")


def show(session: "Session", name: str) -> Result:
    if name.lower() == "all":
        table = pa.table({"name": list(session.settings), "setting": [session.settings[k] for k in session.settings]})
    else:
        table = pa.table({name.lower(): pa.array([session.settings[name]], pa.string())})
    return Result(table, table.num_rows, "SHOW")


def reset(session: "Session", name: str) -> Result:
    session.settings.reset(name)
    return Result(None, 0, "RESET")
