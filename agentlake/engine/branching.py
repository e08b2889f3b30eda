"""Branch operations, shared by the Python API and SQL (``SELECT agentlake.merge('main')``).

Wire clients have no Python methods to call, so every branch operation is also
a function in the ``agentlake`` namespace of SQL; both paths run this code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import pyarrow as pa
from sqlglot import exp

from catalog.merge import merge as merge_refs

from ..errors import ProgrammingError
from ..results import Result
from ..sql.literals import NOT_CONSTANT, constant
from .checks import check_evaluator
from .rights import READ, WRITE, require

if TYPE_CHECKING:
    from .session import Session


# Every operation checks the session's rights on each branch it touches before it acts: the
# functions below are what SQL and the Python API both call, so neither path can skip a check.


def create_branch(session: "Session", name: str, from_: str | None = None, ttl: float | None = None) -> str:
    """A new branch is a write of that branch's name and a read of where it starts."""
    require(session.rights, name, WRITE)
    require(session.rights, from_ or session.branch, READ)
    session.repo.create_branch(name, from_=from_ or session.branch, ttl=ttl)
    return name


def checkout(session: "Session", name: str, create: bool = False, from_: str | None = None) -> str:
    if create and name not in session.repo.branches():
        create_branch(session, name, from_)
    session.set_branch(name)  # checks read on the target
    return name


def merge(session: "Session", into: str, strategy: str = "fail", source: str | None = None) -> str:
    """Merge ``source`` (this session's branch by default) into ``into``; returns the resulting commit."""
    if session.transaction_status != "idle":
        raise ProgrammingError("merge cannot run inside a transaction block", sqlstate="25001")
    require(session.rights, source or session.branch, READ)
    require(session.rights, into, WRITE)
    return merge_refs(
        session.repo,
        source or session.branch,
        into,
        strategy,
        session.user or "",
        check_evaluator=check_evaluator(session),
    )


def delete_branch(session: "Session", name: str) -> str:
    require(session.rights, name, WRITE)
    session.repo.delete_branch(name)
    return name


def log(session: "Session", ref: str | None = None, limit: int | None = None, after: str | None = None) -> pa.Table:
    """Commits newest first; a page of ``limit`` continues below commit ``after`` (the previous page's last)."""
    require(session.rights, ref or session.branch, READ)
    rows = [
        {
            "commit": cid,
            "parents": ",".join(c.parents),
            "author": c.author,
            "message": c.message,
            "time": pa.scalar(int(c.time * 1e6), pa.timestamp("us", tz="UTC")).as_py(),
        }
        for cid, c in session.repo.log(ref or session.branch, limit, after)
    ]
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("commit", pa.string()),
                ("parents", pa.string()),
                ("author", pa.string()),
                ("message", pa.string()),
                ("time", pa.timestamp("us", tz="UTC")),
            ]
        ),
    )


def diff(session: "Session", a: str, b: str):
    """Per-table row changes from ref ``a`` to ref ``b``; both are read."""
    require(session.rights, a, READ)
    require(session.rights, b, READ)
    return session.repo.diff(a, b)


def diff_summary(session: "Session", a: str, b: str) -> pa.Table:
    result = diff(session, a, b)
    rows = [
        {"table": name, "added": d.counts["added"], "removed": d.counts["removed"], "changed": d.counts["changed"]}
        for name, d in sorted(result.items())
    ]
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [("table", pa.string()), ("added", pa.int64()), ("removed", pa.int64()), ("changed", pa.int64())]
        ),
    )


def tag(session: "Session", name: str, ref: str | None = None) -> str:
    """A tag's name is written (matched against the write patterns, as a branch's) and its ref read."""
    require(session.rights, name, WRITE)
    require(session.rights, ref or session.branch, READ)
    session.repo.create_tag(name, ref or session.branch)
    return name


def _scalar(name: str, value: str) -> pa.Table:
    return pa.table({name: pa.array([value], pa.string())})


_READ_ONLY = frozenset({"current_branch", "log", "diff", "branches"})
_FUNCTIONS: dict[str, Callable[..., pa.Table]] = {
    "branch": lambda s, name, from_=None: _scalar("branch", create_branch(s, name, from_)),
    "checkout": lambda s, name: _scalar("checkout", checkout(s, name)),
    "merge": lambda s, into, strategy="fail": _scalar("merge", merge(s, into, strategy)),
    "tag": lambda s, name, ref=None: _scalar("tag", tag(s, name, ref)),
    "delete_branch": lambda s, name: _scalar("delete_branch", delete_branch(s, name)),
    "current_branch": lambda s: _scalar("current_branch", s.branch),
    "log": lambda s, ref=None, limit=None, after=None: log(s, ref, limit, after),
    "diff": lambda s, a, b: diff_summary(s, a, b),
    "branches": lambda s: pa.Table.from_pylist(
        [{"branch": n, "commit": st.commit} for n, st in sorted(s.repo.branches().items())],
        schema=pa.schema([("branch", pa.string()), ("commit", pa.string())]),
    ),
}


@dataclass(frozen=True)
class BranchCall:
    """``SELECT agentlake.<function>(constants...)``: runs against a session, returns one table."""

    function: str
    args: tuple
    alias: str | None

    def __call__(self, session: "Session") -> Result:
        try:
            table = _FUNCTIONS[self.function](session, *self.args)
        except TypeError:
            raise ProgrammingError(
                f"wrong number of arguments for agentlake.{self.function}()", sqlstate="42883"
            ) from None
        if self.alias:
            table = table.rename_columns([self.alias] + table.column_names[1:])
        return Result(table, table.num_rows, f"SELECT {table.num_rows}")

    def columns(self, session: "Session") -> pa.Schema:
        """What Describe answers: read-only functions are run (that is their plan); the others
        return one text column named after them."""
        if self.function in _READ_ONLY:
            return self(session).table.schema
        return pa.schema([pa.field(self.alias or self.function, pa.string())])


def branch_call(stmt: exp.Expression) -> BranchCall | None:
    """Recognize ``SELECT agentlake.<fn>(constants...)`` with nothing else in the query."""
    if (
        not isinstance(stmt, exp.Select)
        or len(stmt.expressions) != 1
        or stmt.args.get("from_")
        or stmt.args.get("from")
    ):
        return None
    node = stmt.expressions[0]
    alias = node.alias if isinstance(node, exp.Alias) else None
    node = node.this if isinstance(node, exp.Alias) else node
    if not (
        isinstance(node, exp.Dot) and isinstance(node.this, exp.Identifier) and node.this.name.lower() == "agentlake"
    ):
        return None
    call = node.expression
    name = call.name.lower() if isinstance(call, (exp.Anonymous, exp.Func)) else ""
    if name not in _FUNCTIONS:
        raise ProgrammingError(f"function agentlake.{name}() does not exist", sqlstate="42883")
    args = [constant(a) for a in call.expressions]
    if any(a is NOT_CONSTANT for a in args):
        raise ProgrammingError(f"agentlake.{name}() takes constant arguments", sqlstate="42P18")
    return BranchCall(name, tuple(args), alias or None)
