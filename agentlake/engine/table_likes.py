"""``CREATE TABLE t (LIKE source [INCLUDING | EXCLUDING option] ..., more columns)``: the source's
columns written out as the definitions PostgreSQL copies, in place of the LIKE clause.

Always copied: the columns' names and types and their NOT NULL. ``INCLUDING DEFAULTS`` copies
defaults (a serial's ``nextval`` too, so both tables draw from its sequence, as in PostgreSQL),
``IDENTITY`` identity columns (with their START and INCREMENT; the copy gets a sequence of its
own), ``GENERATED`` generation expressions, ``CONSTRAINTS`` CHECK constraints under their names,
``INDEXES`` the primary key and UNIQUE constraints (named for the new table); ``ALL`` is every
option, and each EXCLUDING takes one back, in the order written. STORAGE, STATISTICS and
COMPRESSION concern physical storage PostgreSQL has and agentlake does not: they copy nothing.
Foreign keys are never copied, as in PostgreSQL. What cannot be written as a definition is refused
(0A000): other indexes of the source under INCLUDING INDEXES, its comments under INCLUDING COMMENTS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError
from ..pgcatalog.constraint_text import constraint_definition
from ..sql.pg_quoting import quote_ident
from ..sql.types import CHAR_KEY, sql_type_name

if TYPE_CHECKING:
    from catalog import Manifest, Transaction

OPTIONS = frozenset(
    {"COMMENTS", "COMPRESSION", "CONSTRAINTS", "DEFAULTS", "GENERATED", "IDENTITY", "INDEXES", "STATISTICS", "STORAGE"}
)


def expand_likes(schema: exp.Schema, tx: "Transaction") -> None:
    """Replace, in place, each LIKE clause of a CREATE TABLE's element list by the definitions it copies."""
    from .frontend import parse_unbound  # the front end loads the statement handlers, this one among them

    elements: list[exp.Expression] = []
    for item in schema.expressions:
        if not isinstance(item, exp.LikeProperty):
            elements.append(item)
            continue
        source = item.this.name
        if source not in tx.tables:
            raise ProgrammingError(f'relation "{source}" does not exist', sqlstate="42P01")
        parts = _definitions(tx.manifest(source), _included(item))
        if parts:
            elements += parse_unbound(f"CREATE TABLE copied ({', '.join(parts)})")[0].this.expressions
    schema.set("expressions", elements)


def _included(like: exp.LikeProperty) -> set[str]:
    """The options in force after the INCLUDING and EXCLUDING list, read left to right."""
    included: set[str] = set()
    for option in like.expressions or []:
        word, value = option.name.upper(), option.args["value"].name.upper()
        named = set(OPTIONS) if value == "ALL" else {value}
        if not named <= OPTIONS:
            raise ProgrammingError(f'syntax error at or near "{value}"', sqlstate="42601")
        included = included | named if word == "INCLUDING" else included - named
    return included


def _definitions(manifest: "Manifest", included: set[str]) -> list[str]:
    constraints = manifest.constraints or {}
    parts = [_column(field, constraints, included) for field in manifest.schema]
    if "INDEXES" in included:
        parts += _keys(manifest, constraints)
    if "CONSTRAINTS" in included:
        parts += [
            f"CONSTRAINT {quote_ident(c['name'])} {constraint_definition(c)}"
            for c in constraints.get("list", [])
            if c.get("type") == "c"
        ]
    if "COMMENTS" in included and constraints.get("comments"):
        raise NotSupportedError(
            "CREATE TABLE ... (LIKE ... INCLUDING COMMENTS) of a table with comments is not supported"
        )
    return parts


def _column(field: pa.Field, constraints: dict, included: set[str]) -> str:
    name = field.name
    text = f"{quote_ident(name)} {_type(field, constraints)}"
    identity = constraints.get("identity_kind", {}).get(name)
    if not field.nullable:
        text += " NOT NULL"
    serial = constraints.get("identity", {}).get(name) if identity is None else None
    if "DEFAULTS" in included and name in constraints.get("defaults", {}) and identity is None:
        text += f" DEFAULT {constraints['defaults'][name]}"
    elif "DEFAULTS" in included and serial is not None:  # a serial's default draws from its sequence
        text += f" DEFAULT nextval('{serial}'::regclass)"
    if "GENERATED" in included and name in constraints.get("generated", {}):
        text += f" GENERATED ALWAYS AS ({constraints['generated'][name]}) STORED"
    if "IDENTITY" in included and identity is not None:
        start, increment = constraints.get("sequence_steps", {}).get(name, (1, 1))
        kind = "ALWAYS" if identity == "a" else "BY DEFAULT"
        text += f" GENERATED {kind} AS IDENTITY (START WITH {start} INCREMENT BY {increment})"
    return text


def _type(field: pa.Field, constraints: dict) -> str:
    """The column's declared type: varchar and char with their lengths, kept beside the field."""
    declared = (field.metadata or {}).get(CHAR_KEY)
    length = constraints.get("max_length", {}).get(field.name)
    if declared is not None:
        words = "varchar" if declared == b"varchar" else "char"
        return f"{words}({length})" if length else words
    return sql_type_name(field)


def _keys(manifest: "Manifest", constraints: dict) -> list[str]:
    """The primary key and UNIQUE constraints; 0A000 for an index that backs neither."""
    parts = [f"PRIMARY KEY ({', '.join(map(quote_ident, manifest.primary_key))})"] if manifest.primary_key else []
    unique = [c for c in constraints.get("list", []) if c.get("type") == "u"]
    parts += [f"UNIQUE ({', '.join(map(quote_ident, c['columns']))})" for c in unique]
    if manifest.indexes:
        raise NotSupportedError(
            "CREATE TABLE ... (LIKE ... INCLUDING INDEXES) of a table with indexes other than its keys is not supported"
        )
    return parts
