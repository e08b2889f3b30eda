"""Repeated top-k statements run straight to the search, without parsing, binding or matching again.

An agent asks the same nearest-neighbour question with a new vector many times a second
(``SELECT id, content FROM memory ORDER BY embedding <-> %s LIMIT 5``). The text alone
fixes the table, column, metric, k, filter and select list, so the first run records
them under the text and later runs with one vector parameter go straight to the search: a
generic plan, as PostgreSQL keeps for prepared statements. Only statements whose one
parameter is the query vector are recorded (a filter's constants are part of the text),
and a template is used only while the table's schema is the one it was made for;
anything else takes the planned path.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from sqlglot import exp

from ..errors import DataError
from ..sql.params import PARAM_META
from .arrays import checked_vector
from .topk_match import TopKQuery, with_own_filter
from .topk_run import SearchHost, run_plain_topk

_CAPACITY = 512


@dataclass(frozen=True)
class Template:
    """What a top-k statement's text decides: everything but its query vector."""

    table: str
    alias: str
    column: str
    metric: str
    k: int
    outputs: tuple[tuple[str, str | None], ...]
    schema: pa.Schema
    where: exp.Expression | None

    def run(self, session: SearchHost, params) -> tuple[pa.Table, str] | None:
        """The answer for ``params`` (one query vector), or None where the planned path must decide:
        another kind of parameter, a vector pgvector would refuse, a table that changed."""
        if not isinstance(params, (list, tuple)) or len(params) != 1 or not isinstance(params[0], (np.ndarray, list)):
            return None
        try:
            vector = checked_vector(np.asarray(params[0], dtype=np.float32).reshape(-1))
        except (TypeError, ValueError, DataError):
            return None
        manifest = session.snapshot.tables.get(self.table)
        if (
            manifest is None
            or not manifest.schema.equals(self.schema, check_metadata=True)
            or len(vector) != self.schema.field(self.column).type.list_size
        ):
            return None
        plan = with_own_filter(TopKQuery(self.table, self.alias, self.column, self.metric, vector, self.k, self.where))
        return run_plain_topk(session, plan, list(self.outputs))


_templates: OrderedDict[str, Template] = OrderedDict()
_lock = threading.Lock()


def lookup(sql: str) -> Template | None:
    with _lock:
        return _templates.get(sql)


def remember(
    sql: str, stmt: exp.Expression, plan: TopKQuery, outputs: list[tuple[str, str | None]], schema: pa.Schema
) -> None:
    """Keep what ``sql`` decided, if its only parameter was the query vector and nothing outside
    its filter could be a vector (a text or array literal). ``plan.where`` must be a tree
    nothing else will change (see ``with_own_filter``): each run copies it again."""
    if not _vector_is_the_only_parameter(stmt, plan.query):
        return
    template = Template(plan.table, plan.alias, plan.column, plan.metric, plan.k, tuple(outputs), schema, plan.where)
    with _lock:
        _templates[sql] = template
        _templates.move_to_end(sql)
        while len(_templates) > _CAPACITY:
            _templates.popitem(last=False)


def _vector_is_the_only_parameter(stmt: exp.Expression, vector: np.ndarray) -> bool:
    bound, literals = [], 0
    for node in stmt.walk(prune=lambda n: PARAM_META in n.meta):
        if PARAM_META in node.meta:
            bound.append(node.meta[PARAM_META])
        elif isinstance(node, (exp.Array, exp.HexString)) or (isinstance(node, exp.Literal) and node.is_string):
            literals += node.find_ancestor(exp.Where) is None
    if len(bound) != 1 or literals or not isinstance(bound[0], (np.ndarray, list)):
        return False
    value = np.asarray(bound[0], dtype=np.float32).reshape(-1)
    return value.shape == vector.shape and bool(np.array_equal(value, vector))
