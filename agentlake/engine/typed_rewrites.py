"""The rewrites decided by column types the catalog knows, run before a tree becomes DataFusion SQL."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Hashable

from sqlglot import exp

from ..pgcatalog.type_of import pg_typeof_calls
from ..sql.array_constants import array_constants
from ..sql.bytea_lengths import bytea_lengths
from ..sql.character_case import character_case
from ..sql.character_comparisons import character_comparisons
from ..sql.column_types import SchemaOf
from ..sql.date_intervals import date_intervals
from ..sql.enum_expressions import enum_expressions
from ..sql.extract_fields import extract_fields
from ..sql.float_comparisons import float_comparisons
from ..sql.functional_grouping import PrimaryKeyOf, functional_grouping
from ..sql.integer_arithmetic import integer_arithmetic
from ..sql.interval_order import interval_order
from ..sql.math_domains import math_domains
from ..sql.numeric_quotients import numeric_quotients
from ..sql.real_types import real_types
from ..sql.rounding import pg_rounding
from ..sql.rules.json_construction import json_construction
from ..sql.rules.jsonb_comparisons import jsonb_comparisons
from ..sql.rules.jsonb_operators import jsonb_operators
from ..sql.rules.text_search import text_search
from ..sql.scalar_from import scalar_functions_in_from
from ..sql.set_returning_from import set_returning_from
from ..sql.set_returning_select import set_returning_select
from ..sql.temporal_comparisons import temporal_comparisons
from ..sql.temporal_constants import temporal_constants
from ..sql.tensor_expressions import tensor_expressions
from ..sql.text_casts import text_casts
from ..sql.time_zones import time_zones
from ..sql.timestamp_differences import timestamp_differences
from ..sql.uuid_comparisons import uuid_comparisons
from ..vector.expressions import vector_expressions

if TYPE_CHECKING:
    from catalog.snapshot import Snapshot


def primary_keys(snapshot: "Snapshot") -> PrimaryKeyOf:
    """The primary key columns of a snapshot's tables, by table name."""
    return lambda name: snapshot.tables[name].primary_key if name in snapshot.tables else ()


_MEMO_CAPACITY = 2048
_untouched: OrderedDict[Hashable, tuple[dict, dict[str, tuple | None]]] = OrderedDict()
"""Statement text -> (the enum types and the tables' facts) under which no rewrite applied to it."""
_memo_lock = threading.Lock()


def snapshot_typed_rewrites(
    tree: exp.Expression, snapshot: "Snapshot", local_functions: bool = True, text_key: Hashable | None = None
) -> bool:
    """:func:`typed_rewrites` with a snapshot's schemas and primary keys, skipped where they could
    not apply: a tree ``text_key`` names (it is fixed by the statement's text) that they left as it
    was before, over tables of the same schemas and keys. The rules walk the whole tree once each,
    some 2.5 ms for a two-table group-by, which an agent's repeated question would pay every time
    only to learn again that none applies."""
    memo = (text_key, local_functions) if text_key is not None else None
    if memo is not None:
        with _memo_lock:
            read = _untouched.get(memo)
        if (
            read is not None
            and read[0] == snapshot.types
            and all(_table_facts(snapshot, name) == facts for name, facts in read[1].items())
        ):
            return False
    asked: set[str] = set()

    def schema_of(name: str):
        asked.add(name)
        return snapshot.find_schema(name)

    def primary_key_of(name: str):
        asked.add(name)
        return primary_keys(snapshot)(name)

    changed = typed_rewrites(tree, schema_of, primary_key_of, local_functions, snapshot.types)
    if memo is not None and not changed:
        with _memo_lock:
            _untouched[memo] = (dict(snapshot.types), {name: _table_facts(snapshot, name) for name in asked})
            _untouched.move_to_end(memo)
            while len(_untouched) > _MEMO_CAPACITY:
                _untouched.popitem(last=False)
    return changed


def _table_facts(snapshot: "Snapshot", name: str) -> tuple | None:
    """What the rewrites read of a table: its schema (field metadata included: it marks vectors,
    tensors and JSON) and primary key; None where there is no such table."""
    manifest = snapshot.tables.get(name)
    return None if manifest is None else (_SchemaText(manifest.schema), tuple(manifest.primary_key))


class _SchemaText:
    """A schema compared with its metadata (pyarrow's ``==`` ignores it), by identity first:
    successive manifests of a table share their schema object."""

    __slots__ = ("schema",)

    def __init__(self, schema) -> None:
        self.schema = schema

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SchemaText) and (
            other.schema is self.schema or other.schema.equals(self.schema, check_metadata=True)
        )

    __hash__ = None  # type: ignore[assignment]


def typed_rewrites(
    tree: exp.Expression,
    schema_of: SchemaOf,
    primary_key_of: PrimaryKeyOf | None = None,
    local_functions: bool = True,
    enums: Mapping[str, list[str]] | None = None,
) -> bool:
    """Apply each, in place; True when any changed ``tree`` (its SQL then depends on the catalog,
    not only on its text, and must not be cached by text). Without ``primary_key_of`` no table
    has a primary key. ``local_functions`` is off for the Dask and Polars compilers, which lack the
    local executor's checked-arithmetic functions (their integer arithmetic is numpy's and Polars')
    and its PostgreSQL text of dates and times (they print DataFusion's)."""
    changed = scalar_functions_in_from(tree)
    if primary_key_of is not None:
        changed = functional_grouping(tree, schema_of, primary_key_of) or changed
    changed = pg_typeof_calls(tree, schema_of, enums) or changed  # first: it reads the types as written
    changed = enum_expressions(tree, schema_of, enums or {}, local_functions) or changed  # its values are text
    changed = temporal_constants(tree, schema_of) or changed  # before the rewrites that read the sums' types
    if local_functions:  # first: later rewrites make text of dates for DataFusion's ISO form (to_json)
        changed = text_casts(tree, schema_of) or changed
    changed = date_intervals(tree, schema_of) or changed
    changed = time_zones(tree, schema_of) or changed
    changed = uuid_comparisons(tree, schema_of) or changed
    changed = array_constants(tree, schema_of) or changed
    changed = character_comparisons(tree, schema_of) or changed
    changed = temporal_comparisons(tree, schema_of) or changed
    changed = tensor_expressions(tree, schema_of) or changed
    changed = json_construction(tree, schema_of) or changed  # before vector_expressions: it prints vectors as text
    changed = vector_expressions(tree, schema_of) or changed  # reads FROM unnest(ARRAY[vectors]) v as it is written
    changed = text_search(tree, schema_of) or changed
    changed = set_returning_from(tree, schema_of) or changed
    changed = set_returning_select(tree, schema_of) or changed
    changed = jsonb_operators(tree, schema_of) or changed
    changed = jsonb_comparisons(tree, schema_of) or changed
    changed = bytea_lengths(tree, schema_of) or changed
    changed = real_types(tree, schema_of) or changed
    if local_functions:
        changed = extract_fields(tree) or changed
        changed = character_case(tree) or changed
        changed = numeric_quotients(tree, schema_of) or changed  # first: it reads the operands as written
        changed = pg_rounding(tree, schema_of) or changed
        changed = math_domains(tree, schema_of) or changed
        changed = integer_arithmetic(tree, schema_of) or changed
        changed = timestamp_differences(tree, schema_of) or changed
        changed = interval_order(tree, schema_of) or changed  # after it: a difference of timestamps is an interval
    return float_comparisons(tree, schema_of) or changed
