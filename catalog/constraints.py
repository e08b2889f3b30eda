"""Table constraints as a manifest keeps them: PRIMARY KEY, UNIQUE, CHECK and FOREIGN KEY.

A manifest's ``constraints["list"]`` holds one JSON object per named constraint (see FORMAT.md,
*Constraints*); the primary key's columns stay in ``Manifest.primary_key`` and NOT NULL in the
schema's nullability. Manifests written before constraints had names keep unique column sets in
``constraints["unique"]``; they read as unique constraints with PostgreSQL's default names.
Which rows break a constraint is :mod:`catalog.constraint_checks`' job.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Callable

import pyarrow as pa

from .objects import Manifest

CheckEvaluator = Callable[[str, pa.Table], pa.Array]
"""Evaluates a CHECK expression (SQL text) over rows: a boolean per row, NULL passing as in SQL.
The engine that parsed the expression hands one to the repository; the catalog parses no SQL."""

ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
"""Referential actions by pg_constraint's confdeltype/confupdtype letters."""

KINDS = {"p": "PRIMARY KEY", "u": "UNIQUE", "c": "CHECK", "f": "FOREIGN KEY"}


@dataclass(frozen=True)
class Constraint:
    """One table constraint; ``type`` is pg_constraint's contype letter (p, u, c, f)."""

    name: str
    type: str
    columns: tuple[str, ...] = ()  # key columns; for CHECK the columns its expression reads
    check: str | None = None  # CHECK: the expression as SQL text
    ref_table: str | None = None  # FOREIGN KEY: the referenced table and its key columns
    ref_columns: tuple[str, ...] = ()
    on_delete: str = "a"
    on_update: str = "a"
    match: str = "s"  # s: MATCH SIMPLE, f: MATCH FULL
    deferrable: bool = False
    deferred: bool = False  # INITIALLY DEFERRED
    nulls_not_distinct: bool = False
    validated: bool = True  # False: NOT VALID (rows already there were not checked)
    index: bool = field(default=False, compare=False)  # a UNIQUE index, not a constraint (no pg_constraint row)

    def to_json(self) -> dict:
        out = {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in asdict(self).items()
            if v != _DEFAULTS[k] or k in ("name", "type")
        }
        out.pop("index", None)
        return out

    @classmethod
    def from_json(cls, d: dict) -> "Constraint":
        d = dict(d)
        for key in ("columns", "ref_columns"):
            if key in d:
                d[key] = tuple(d[key])
        return cls(**d)


_DEFAULTS = {k: v for k, v in asdict(Constraint("", "")).items()}


def table_constraints(manifest: Manifest, table: str) -> list[Constraint]:
    """Every constraint of a table: the primary key first, then the others in creation order."""
    stored = [Constraint.from_json(d) for d in (manifest.constraints or {}).get("list", [])]
    out = []
    if manifest.primary_key:
        named = next((c for c in stored if c.type == "p"), None)
        out.append(replace(named or Constraint(f"{table}_pkey", "p"), columns=tuple(manifest.primary_key)))
    out.extend(c for c in stored if c.type != "p")
    indexed = [list(spec.get("columns") or []) for spec in (manifest.indexes or {}).values() if spec.get("unique")]
    taken = {c.name for c in out}
    for columns in (manifest.constraints or {}).get("unique", []):  # written before constraints had names
        if list(columns) not in indexed:
            name = default_name(table, list(columns), "key", taken)
            taken.add(name)
            out.append(Constraint(name, "u", tuple(columns)))
    return out


def unique_keys(manifest: Manifest, table: str, declared: list[Constraint] | None = None) -> list[Constraint]:
    """What must be unique: the primary key, UNIQUE constraints and UNIQUE indexes (``index=True``).
    ``declared``: the table's ``table_constraints``, when the caller has them already."""
    keys = [c for c in (table_constraints(manifest, table) if declared is None else declared) if c.type in "pu"]
    for name, spec in (manifest.indexes or {}).items():
        if spec.get("unique") and spec.get("columns"):
            keys.append(
                Constraint(
                    name,
                    "u",
                    tuple(spec["columns"]),
                    index=True,
                    nulls_not_distinct=bool(spec.get("nulls_not_distinct")),
                )
            )
    return keys


def foreign_keys_to(tables: dict[str, Manifest], table: str) -> list[tuple[str, Constraint]]:
    """(referencing table, constraint) for every FOREIGN KEY that references ``table``."""
    return [
        (name, c)
        for name, m in tables.items()
        for c in table_constraints(m, name)
        if c.type == "f" and c.ref_table == table
    ]


def with_constraints(manifest: Manifest, table: str, constraints: list[Constraint]) -> dict:
    """The manifest's ``constraints`` dict holding exactly ``constraints`` (primary key included):
    legacy unnamed unique sets are folded into the named list."""
    out = {k: v for k, v in (manifest.constraints or {}).items() if k not in ("list", "unique")}
    out["list"] = [c.to_json() for c in constraints if not c.index]
    return out


def default_name(table: str, columns: list[str], suffix: str, taken: set[str]) -> str:
    """PostgreSQL's name for an unnamed constraint: table_columns_suffix, then 1, 2, ... past names
    already taken (ChooseConstraintName)."""
    base = "_".join([table, *columns, suffix]) if columns else f"{table}_{suffix}"
    base = base[:63]
    if base not in taken:
        return base
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


__all__ = [
    "ACTIONS",
    "KINDS",
    "CheckEvaluator",
    "Constraint",
    "default_name",
    "foreign_keys_to",
    "table_constraints",
    "unique_keys",
    "with_constraints",
]
