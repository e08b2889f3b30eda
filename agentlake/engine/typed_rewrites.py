"""The rewrites decided by column types the catalog knows, run before a tree becomes DataFusion SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from ..sql.bytea_lengths import bytea_lengths
from ..sql.column_types import SchemaOf
from ..sql.float_comparisons import float_comparisons
from ..sql.functional_grouping import PrimaryKeyOf, functional_grouping
from ..sql.integer_arithmetic import integer_arithmetic
from ..sql.rules.json_construction import json_construction
from ..sql.rules.jsonb_comparisons import jsonb_comparisons
from ..sql.rules.jsonb_operators import jsonb_operators
from ..sql.rules.text_search import text_search
from ..sql.set_returning_from import set_returning_from
from ..sql.tensor_expressions import tensor_expressions
from ..sql.text_casts import text_casts
from ..vector.expressions import vector_expressions

if TYPE_CHECKING:
    from catalog.snapshot import Snapshot


def primary_keys(snapshot: "Snapshot") -> PrimaryKeyOf:
    """The primary key columns of a snapshot's tables, by table name."""
    return lambda name: snapshot.tables[name].primary_key if name in snapshot.tables else ()


def typed_rewrites(
    tree: exp.Expression,
    schema_of: SchemaOf,
    primary_key_of: PrimaryKeyOf | None = None,
    local_functions: bool = True,
) -> bool:
    """Apply each, in place; True when any changed ``tree`` (its SQL then depends on the catalog,
    not only on its text, and must not be cached by text). Without ``primary_key_of`` no table
    has a primary key. ``local_functions`` is off for the Dask and Polars compilers, which lack the
    local executor's checked-arithmetic functions (their integer arithmetic is numpy's and Polars')
    and its PostgreSQL text of dates and times (they print DataFusion's)."""
    changed = functional_grouping(tree, schema_of, primary_key_of) if primary_key_of is not None else False
    if local_functions:  # first: later rewrites make text of dates for DataFusion's ISO form (to_json)
        changed = text_casts(tree, schema_of) or changed
    changed = tensor_expressions(tree, schema_of) or changed
    changed = json_construction(tree, schema_of) or changed  # before vector_expressions: it prints vectors as text
    changed = vector_expressions(tree, schema_of) or changed  # reads FROM unnest(ARRAY[vectors]) v as it is written
    changed = text_search(tree, schema_of) or changed
    changed = set_returning_from(tree, schema_of) or changed
    changed = jsonb_operators(tree, schema_of) or changed
    changed = jsonb_comparisons(tree, schema_of) or changed
    changed = bytea_lengths(tree, schema_of) or changed
    if local_functions:
        changed = integer_arithmetic(tree, schema_of) or changed
    return float_comparisons(tree, schema_of) or changed
