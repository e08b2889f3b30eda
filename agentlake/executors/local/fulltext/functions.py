"""PostgreSQL's text-search functions and operators as DataFusion UDFs.

tsvector and tsquery values travel as their text form; the fields these functions return carry
the type's name in their metadata (``agentlake.type``), which DataFusion keeps through
projections, so result columns reach the wire as PostgreSQL's tsvector (3614) and tsquery (3615).
The SQL front end (``agentlake.sql.rules.text_search``) spells operators and casts as these calls;
``ts_text`` is a value as plain text (``::text``, and rows of VALUES, whose fields DataFusion
requires to carry the same metadata).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Callable

import pyarrow as pa

from ....errors import Error, tagged
from ....sql.types import TYPE_KEY
from . import tsquery as Q
from . import tsvector as V
from .match import execute, vector_check
from .rank import ts_rank, ts_rank_cd, weights_from

if TYPE_CHECKING:
    from datafusion import SessionContext

TSVECTOR = pa.field("tsvector", pa.string(), metadata={TYPE_KEY: b"tsvector"})
TSQUERY = pa.field("tsquery", pa.string(), metadata={TYPE_KEY: b"tsquery"})


@lru_cache(maxsize=4096)
def _vector(text: str) -> V.TsVector:
    return V.parse_tsvector(text)


@lru_cache(maxsize=4096)
def _query(text: str) -> Q.Node | None:
    return Q.parse_tsquery(text)


def _rows(fn: Callable, out_type: pa.DataType) -> Callable:
    """A row-at-a-time function over Arrow arrays; a NULL argument gives NULL, as these functions are strict."""

    def run(*arrays: pa.Array) -> pa.Array:
        columns = [a.to_pylist() for a in arrays]
        size = max((len(c) for c in columns), default=0)
        try:
            values = [None if any(c[i] is None for c in columns) else fn(*(c[i] for c in columns)) for i in range(size)]
        except Error as err:  # tagged, so the SQLSTATE survives DataFusion's wrapping (sql.diagnostics)
            raise tagged(err) from None
        return pa.array(values, out_type)

    return run


def _rank(rank: Callable, weighted: bool) -> Callable:
    def score(*args):
        weights = weights_from(args[0]) if weighted else weights_from(None)
        vector, query, method = args[1:] if weighted else args
        return rank(_vector(vector), _query(query), weights, int(method))

    return score


def _morphing(build: Callable) -> Callable:
    return lambda config, text: Q.format_query(build(config, text))


def register_fulltext_functions(ctx: "SessionContext") -> None:
    """The text-search functions, as UDFs of ``ctx``."""
    from datafusion import udf

    s, i4, i8, f4, b = pa.string(), pa.int32(), pa.int64(), pa.float32(), pa.bool_()
    weights = pa.list_(pa.float64())
    for name, fn, inputs, output in (
        ("to_tsvector", lambda c, t: str(V.to_tsvector(c, t)), [s, s], TSVECTOR),
        ("to_tsquery", _morphing(Q.to_tsquery), [s, s], TSQUERY),
        ("plainto_tsquery", _morphing(Q.plainto_tsquery), [s, s], TSQUERY),
        ("phraseto_tsquery", _morphing(Q.phraseto_tsquery), [s, s], TSQUERY),
        ("websearch_to_tsquery", _morphing(Q.websearch_to_tsquery), [s, s], TSQUERY),
        ("tsvector_in", lambda t: str(_vector(t)), [s], TSVECTOR),
        ("tsquery_in", lambda t: Q.format_query(_query(t)), [s], TSQUERY),
        ("ts_text", lambda t: t, [s], s),
        ("ts_match", lambda v, q: execute(_query(q), vector_check(_vector(v))), [s, s], b),
        ("ts_rank", _rank(ts_rank, False), [s, s, i8], f4),
        ("ts_rank_weighted", _rank(ts_rank, True), [weights, s, s, i8], f4),
        ("ts_rank_cd", _rank(ts_rank_cd, False), [s, s, i8], f4),
        ("ts_rank_cd_weighted", _rank(ts_rank_cd, True), [weights, s, s, i8], f4),
        ("setweight", lambda v, w: str(V.setweight(_vector(v), w)), [s, s], TSVECTOR),
        ("strip", lambda v: str(V.strip(_vector(v))), [s], TSVECTOR),
        ("tsvector_concat", lambda a, c: str(V.concat(_vector(a), _vector(c))), [s, s], TSVECTOR),
        ("tsvector_length", lambda v: V.length(_vector(v)), [s], i4),
        ("numnode", lambda q: Q.numnode(_query(q)), [s], i4),
        ("querytree", lambda q: Q.querytree(_query(q)), [s], s),
        ("tsquery_and", lambda a, c: Q.format_query(Q.combine(Q.AND, _query(a), _query(c))), [s, s], TSQUERY),
        ("tsquery_or", lambda a, c: Q.format_query(Q.combine(Q.OR, _query(a), _query(c))), [s, s], TSQUERY),
        ("tsquery_phrase", lambda a, c: Q.format_query(Q.combine(Q.PHRASE, _query(a), _query(c))), [s, s], TSQUERY),
    ):
        output_type = output.type if isinstance(output, pa.Field) else output
        ctx.register_udf(udf(_rows(fn, output_type), inputs, output, "immutable", name=name))
