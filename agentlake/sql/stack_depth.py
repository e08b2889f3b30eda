"""Deeply nested statements: run on a big stack, or refused with PostgreSQL's 54001.

sqlglot's parser, the rewrite rules, the generator and DataFusion's planner all recurse once or
more per level of a statement's tree, so Python's default recursion limit (1,000 frames) stopped
a statement at about 60 nested parentheses, and DataFusion's planner overflows a thread's native
stack (killing the process) a few hundred nested subqueries deep. PostgreSQL answers thousands of
levels and refuses deeper ones with 54001 (``stack depth limit exceeded``).

So a statement deeper than ``SHALLOW_DEPTH`` levels runs on a thread of its own with a
``STACK_BYTES`` stack and a raised recursion limit, and one deeper than ``MAX_DEPTH`` levels (or
that exhausts even that stack) fails with 54001 before it reaches DataFusion. Shallow
statements, nearly all of them, run where they are called, at no cost beyond a cached lookup.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import OrderedDict
from typing import Callable, Iterator, Sequence, TypeVar

from sqlglot import exp

from ..errors import Error, error_for

SHALLOW_DEPTH = 40
"""Statements up to this many tree levels deep run on the caller's thread: every stage stays far
below Python's default recursion limit and DataFusion's planner within a 2 MiB native stack."""
MAX_DEPTH = 1000
"""The deepest statement tree accepted (200 nested parentheses are about 200 levels, a nested
subquery about 4); DataFusion's planner and executor threads overflow a few thousand levels in."""
STACK_BYTES = 512 << 20
"""Native stack of the thread a deep statement runs on (address space: only what is used is
memory)."""
RECURSION_LIMIT = 200_000
"""Python's recursion limit while a deep statement runs (sqlglot's parser takes about 16 frames
per nested parenthesis)."""

HINT = f"Simplify the statement: agentlake accepts expressions and subqueries nested up to {MAX_DEPTH} levels deep."

T = TypeVar("T")

_limit_lock = threading.Lock()
_deep_running = 0
_saved_limit = 0
_depths: OrderedDict[str, int] = OrderedDict()


def stack_depth_exceeded() -> Error:
    """PostgreSQL's error for a statement nested too deeply to run."""
    error = error_for("54001", "stack depth limit exceeded")
    error.hint = HINT
    return error


def tree_depth(node: exp.Expression) -> int:
    """Levels of a tree, counted without recursing (a tree may be far deeper than the stack)."""
    deepest = 0
    pending = [(node, 1)]
    while pending:
        current, depth = pending.pop()
        deepest = max(deepest, depth)
        for value in current.args.values():
            if type(value) is list:
                pending.extend((item, depth + 1) for item in value if isinstance(item, exp.Expr))
            elif isinstance(value, exp.Expr):
                pending.append((value, depth + 1))
    return deepest


def statements_depth(sql: str, statements: Sequence[exp.Expression]) -> int:
    """The deepest of a text's statements, remembered by text (bound parameters are leaves)."""
    depth = _depths.get(sql)
    if depth is None:
        depth = _depths[sql] = max((tree_depth(statement) for statement in statements), default=0)
        if len(_depths) > 2048:
            _depths.popitem(last=False)
    return depth


def check_depth(sql: str, statements: Sequence[exp.Expression]) -> None:
    """54001 for a statement deeper than ``MAX_DEPTH``."""
    if statements_depth(sql, statements) > MAX_DEPTH:
        raise stack_depth_exceeded()


def is_shallow(sql: str, statements: Sequence[exp.Expression]) -> bool:
    return statements_depth(sql, statements) <= SHALLOW_DEPTH


def on_deep_stack(fn: Callable[[], T]) -> T:
    """``fn()`` on a thread with a ``STACK_BYTES`` stack and Python's recursion limit raised while
    it runs; its result or its exception comes back, a RecursionError as 54001."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            with _raised_recursion_limit():
                outcome["value"] = fn()
        except RecursionError:
            outcome["error"] = stack_depth_exceeded()
        except BaseException as err:  # noqa: BLE001 - handed to the calling thread as it is
            outcome["error"] = err

    thread = threading.Thread(target=run, name="agentlake-deep-statement", daemon=True)
    with _limit_lock:  # the stack size applies to threads started meanwhile, so set it briefly
        previous = threading.stack_size(STACK_BYTES)
        try:
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


@contextlib.contextmanager
def _raised_recursion_limit() -> Iterator[None]:
    """Python's recursion limit is one for all threads: raised while any deep statement runs, put
    back when the last one ends."""
    global _deep_running, _saved_limit
    with _limit_lock:
        if _deep_running == 0:
            _saved_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(max(RECURSION_LIMIT, _saved_limit))
        _deep_running += 1
    try:
        yield
    finally:
        with _limit_lock:
            _deep_running -= 1
            if _deep_running == 0:
                sys.setrecursionlimit(_saved_limit)


def parse_and_run(sql: str, parse: Callable[[], list[exp.Expression]], run: Callable[[list[exp.Expression]], T]) -> T:
    """``run(parse())``: on the calling thread for a shallow statement, on a deep stack for a deep
    one or one too deep to parse here, and 54001 for one deeper than ``MAX_DEPTH``."""
    try:
        statements: list[exp.Expression] | None = parse()
    except RecursionError:
        statements = None
    if statements is not None and is_shallow(sql, statements):
        return run(statements)

    def deep() -> T:
        parsed = parse() if statements is None else statements
        check_depth(sql, parsed)
        return run(parsed)

    return on_deep_stack(deep)
