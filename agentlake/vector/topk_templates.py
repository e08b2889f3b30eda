"""Repeated top-k statements run straight to the search, without parsing, binding or matching again.

An agent asks the same nearest-neighbour question with a new vector many times a second
(``SELECT id, content FROM memory WHERE agent = %s ORDER BY embedding <-> %s LIMIT 5``). The
text alone fixes the table, column, metric, k, select list and the filter's shape, so the first
run records them under the text and later runs go straight to the search, binding only the
filter's parameters: a generic plan, as PostgreSQL keeps for prepared statements. A statement is
recorded only when its parameters are the query vector and, in its filter, plain values (text,
integers, booleans) whose binding the front end left as it was; a later run whose parameters
differ in kind, or a table whose schema is not the one the template was made for, takes the
planned path.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sqlglot import exp

from ..errors import DataError
from ..sql.integer_arithmetic import fits_width
from ..sql.params import PARAM_META, bind_tree, placeholder_number, unbound
from .arrays import checked_vector, parse_vector
from .topk_match import TopKQuery, with_own_filter
from .topk_run import SearchHost, run_plain_topk

_CAPACITY = 512


@dataclass(frozen=True)
class Template:
    """What a top-k statement's text decides: everything but its parameters."""

    table: str
    alias: str
    column: str
    metric: str
    k: int
    outputs: tuple[tuple[str, str | None], ...]
    schema: pa.Schema
    where: exp.Expression | None
    """The filter with its placeholders, shared: each run binds a copy."""
    vector_at: tuple[int, ...]
    """Which parameters are the query vector (a statement may name it twice)."""
    kinds: tuple[type | str, ...]
    """Each parameter's Python type when recorded; the vector's is "array" or "text" (``'[1,2]'``,
    as wire clients and ``%s::vector`` send it)."""

    def run(self, session: SearchHost, params) -> tuple[pa.Table, str] | None:
        """The answer for ``params``, or None where the planned path must decide: parameters of
        other kinds, a vector pgvector would refuse, a table that changed."""
        if not isinstance(params, (list, tuple)) or _kinds(params, self.vector_at) != self.kinds:
            return None
        try:
            vector = checked_vector(_as_vector(params[self.vector_at[0]]))
        except (TypeError, ValueError, DataError):
            return None
        if not all(_is_query_vector(params[i], vector) for i in self.vector_at[1:]):
            return None
        manifest = session.snapshot.tables.get(self.table)
        if (
            manifest is None
            or not manifest.schema.equals(self.schema, check_metadata=True)
            or len(vector) != self.schema.field(self.column).type.list_size
        ):
            return None
        where = bind_tree(self.where, params) if self.where is not None else None
        plan = TopKQuery(self.table, self.alias, self.column, self.metric, vector, self.k, where)
        return run_plain_topk(session, with_own_filter(plan, copy=False), list(self.outputs))


_templates: OrderedDict[str, Template] = OrderedDict()
_lock = threading.Lock()


def lookup(sql: str) -> Template | None:
    with _lock:
        return _templates.get(sql)


def remember(
    sql: str, params, stmt: exp.Expression, plan: TopKQuery, outputs: list[tuple[str, str | None]], schema: pa.Schema
) -> None:
    """Keep what ``sql`` decided, if its parameters are the query vector and plain values of its
    filter, and nothing outside its filter could be a vector (a text or array literal).
    ``plan.where`` is the filter as the statement ran it (bound, after the front end's rewrites)."""
    found = unbound(sql, params) if isinstance(params, (list, tuple)) else None
    if found is None or len(found[0]) != 1 or not _only_the_vector_outside_filter(stmt, plan.query):
        return
    (statement,), values = found
    vectors = tuple(i for i, value in enumerate(values) if _is_query_vector(value, plan.query))
    kinds = _kinds(values, vectors) if vectors else None
    if kinds is None or any(index - 1 not in vectors for index in _placeholders_outside_filter(statement)):
        return  # a LIMIT or a select-list value decided by a parameter
    where = statement.args.get("where")
    where = where.this if where is not None else None
    if (where is None) != (plan.where is None) or (where is not None and bind_tree(where, values) != plan.where):
        return  # the front end rewrote the filter as it bound it: the planned path decides each time
    template = Template(
        plan.table, plan.alias, plan.column, plan.metric, plan.k, tuple(outputs), schema, where, vectors, kinds
    )
    with _lock:
        _templates[sql] = template
        _templates.move_to_end(sql)
        while len(_templates) > _CAPACITY:
            _templates.popitem(last=False)


def _kinds(values, vector_at: tuple[int, ...]) -> tuple[type | str, ...] | None:
    """The parameters' kinds: how the query vector came (an array or its text), and the type of
    each other value, which must be text, a boolean or an integer within bigint (others bind as
    casts, or as numeric past int64)."""
    kinds: list[type | str] = []
    for index, value in enumerate(values):
        if index in vector_at:
            if not isinstance(value, (np.ndarray, list, str)):
                return None
            kinds.append("text" if isinstance(value, str) else "array")
        elif type(value) in (str, bool) or (type(value) is int and fits_width(value, 64)):
            kinds.append(type(value))
        else:
            return None
    return tuple(kinds)


def _as_vector(value) -> np.ndarray:
    """A query vector parameter as float4 values: an array as it is, text as pgvector reads it (the
    planned path reads a ``'[...]'::vector`` constant the same way)."""
    if isinstance(value, str):
        return parse_vector(value)
    return np.asarray(value, dtype=np.float32).reshape(-1)


def _is_query_vector(value, vector: np.ndarray) -> bool:
    if not isinstance(value, (np.ndarray, list, str)):
        return False
    try:
        value = _as_vector(value)
    except (TypeError, ValueError, DataError):
        return False
    return value.shape == vector.shape and bool(np.array_equal(value, vector))


def _outside_filter(statement: exp.Expression):
    """The statement's nodes but those of its own WHERE clause (and of bound values)."""
    where = statement.args.get("where")
    return statement.walk(prune=lambda n: n is where or PARAM_META in n.meta)


def _placeholders_outside_filter(statement: exp.Expression) -> list[int]:
    return [number for n in _outside_filter(statement) if (number := placeholder_number(n)) is not None]


def _only_the_vector_outside_filter(stmt: exp.Expression, vector: np.ndarray) -> bool:
    """No text or array literal, and no bound value but the query vector, outside the bound
    statement's filter."""
    for node in _outside_filter(stmt):
        if PARAM_META in node.meta:
            if not _is_query_vector(node.meta[PARAM_META], vector):
                return False
        elif isinstance(node, (exp.Array, exp.HexString)) or (isinstance(node, exp.Literal) and node.is_string):
            return False
    return True
