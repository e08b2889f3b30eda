"""information_schema's constraint views, from the pg_constraint and pg_attribute rows this branch's
catalog holds: table_constraints, key_column_usage, referential_constraints,
constraint_column_usage and check_constraints, with PostgreSQL 16's columns and values.

Tools that learn a schema through the SQL standard's views (and agents writing their own
introspection queries) ask these rather than pg_catalog. As in PostgreSQL 16, a NOT NULL column is
a CHECK constraint named ``<namespace oid>_<table oid>_<column number>_not_null`` in
table_constraints and check_constraints, and in no other view.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp

_KINDS = {"p": "PRIMARY KEY", "u": "UNIQUE", "f": "FOREIGN KEY", "c": "CHECK"}
_RULES = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_MATCHES = {"s": "NONE", "f": "FULL", "p": "PARTIAL"}
_YES_NO = ("NO", "YES")


class _Columns(dict):
    """Column name -> values, filled a row at a time."""

    def __init__(self, *names: str) -> None:
        super().__init__((name, []) for name in names)

    def add(self, *values: Any) -> None:
        for column, value in zip(self.values(), values):
            column.append(value)

    def table(self, types: dict[str, pa.DataType] | None = None) -> pa.Table:
        types = types or {}
        return pa.table({name: pa.array(values, types.get(name, pa.string())) for name, values in self.items()})


def constraint_views(
    constraints: dict[str, list], classes: dict[str, list], attrs: dict[str, list], database: str, namespace: int
) -> dict[str, pa.Table]:
    """The views, by qualified name, from the catalog's column lists (as ``tables.build`` holds them)."""
    relations = dict(zip(classes["oid"], classes["relname"]))
    tables = {oid for oid, kind in zip(classes["oid"], classes["relkind"]) if kind == "r"}
    names = {(rel, num): name for rel, num, name in zip(attrs["attrelid"], attrs["attnum"], attrs["attname"])}
    rows = [dict(zip(constraints, values)) for values in zip(*constraints.values())]
    keys_of = {(row["conrelid"], row["conname"]): row["conkey"] for row in rows if row["contype"] in "pu"}

    table_constraints = _Columns(
        "constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema",
        "table_name", "constraint_type", "is_deferrable", "initially_deferred", "enforced", "nulls_distinct",
    )  # fmt: skip
    key_usage = _Columns(
        "constraint_catalog", "constraint_schema", "constraint_name", "table_catalog", "table_schema",
        "table_name", "column_name", "ordinal_position", "position_in_unique_constraint",
    )  # fmt: skip
    referential = _Columns(
        "constraint_catalog", "constraint_schema", "constraint_name", "unique_constraint_catalog",
        "unique_constraint_schema", "unique_constraint_name", "match_option", "update_rule", "delete_rule",
    )  # fmt: skip
    column_usage = _Columns(
        "table_catalog", "table_schema", "table_name", "column_name", "constraint_catalog", "constraint_schema",
        "constraint_name",
    )  # fmt: skip
    checks = _Columns("constraint_catalog", "constraint_schema", "constraint_name", "check_clause")

    for row in rows:
        name, kind, rel = row["conname"], row["contype"], row["conrelid"]
        table = relations.get(rel)
        if table is None or kind not in _KINDS:
            continue
        table_constraints.add(
            database, "public", name, database, "public", table, _KINDS[kind],
            _YES_NO[bool(row["condeferrable"])], _YES_NO[bool(row["condeferred"])], "YES",
            "YES" if kind == "u" else None,
        )  # fmt: skip
        if kind == "c":
            clause = row["condef"][len("CHECK ") :] if row["condef"].startswith("CHECK ") else row["condef"]
            checks.add(database, "public", name, clause)
            for column in sorted(_checked_columns(clause)):
                column_usage.add(database, "public", table, column, database, "public", name)
            continue
        referenced = _referenced_key(row, keys_of) if kind == "f" else None
        for position, num in enumerate(row["conkey"] or (), start=1):
            in_unique = None
            if referenced is not None and row["confkey"][position - 1] in referenced:
                in_unique = referenced.index(row["confkey"][position - 1]) + 1
            column = names.get((rel, num))
            key_usage.add(database, "public", name, database, "public", table, column, position, in_unique)
        if kind == "f":
            target = row["confrelid"]
            unique_name = next(
                (n for (r, n), keys in keys_of.items() if r == target and sorted(keys) == sorted(row["confkey"])), None
            )
            referential.add(
                database, "public", name, database if unique_name else None, "public" if unique_name else None,
                unique_name, _MATCHES.get(row["confmatchtype"], "NONE"), _RULES.get(row["confupdtype"], "NO ACTION"),
                _RULES.get(row["confdeltype"], "NO ACTION"),
            )  # fmt: skip
            used = [(relations.get(target), names.get((target, num))) for num in row["confkey"] or ()]
        else:
            used = [(table, names.get((rel, num))) for num in row["conkey"] or ()]
        for used_table, column in used:
            column_usage.add(database, "public", used_table, column, database, "public", name)

    for rel, num, column, not_null in zip(attrs["attrelid"], attrs["attnum"], attrs["attname"], attrs["attnotnull"]):
        if not_null and rel in tables:
            name = f"{namespace}_{rel}_{num}_not_null"
            table_constraints.add(
                database, "public", name, database, "public", relations[rel], "CHECK", "NO", "NO", "YES", None
            )
            checks.add(database, "public", name, f"{column} IS NOT NULL")

    counts = {"ordinal_position": pa.int32(), "position_in_unique_constraint": pa.int32()}
    return {
        "information_schema.table_constraints": table_constraints.table(),
        "information_schema.key_column_usage": key_usage.table(counts),
        "information_schema.referential_constraints": referential.table(),
        "information_schema.constraint_column_usage": column_usage.table(),
        "information_schema.check_constraints": checks.table(),
    }


def _referenced_key(row: dict, keys_of: dict[tuple[int, str], list[int]]) -> list[int] | None:
    """The columns, in order, of the primary key or UNIQUE constraint a foreign key references."""
    wanted = sorted(row["confkey"] or ())
    return next(
        (keys for (rel, _), keys in keys_of.items() if rel == row["confrelid"] and sorted(keys) == wanted), None
    )


def _checked_columns(clause: str) -> set[str]:
    """The columns a CHECK expression reads (its text as pg_get_constraintdef prints it)."""
    try:
        tree = sqlglot.parse_one(clause, read="postgres")
    except sqlglot.errors.ParseError:
        return set()
    return {column.name for column in tree.find_all(exp.Column)}
