"""Constraints in DDL: parsed from CREATE TABLE and ALTER TABLE into catalog constraints.

The catalog stores and enforces them (:mod:`catalog.constraints`, :mod:`catalog.constraint_checks`);
this module turns PostgreSQL's syntax into them with PostgreSQL's default names and errors, and
validates rows already there when a constraint is added (23505, 23503, 23514; 23502 for SET NOT NULL).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog.constraint_checks import find_violations
from catalog.constraints import Constraint, default_name, table_constraints, unique_keys, with_constraints

from ..errors import IntegrityError, NotSupportedError, ProgrammingError, error_for
from ..pgcatalog.types import column_type_name
from ..results import Result
from ..sql.pg_deparse import default_text
from .ddl import COLUMN_FACTS, table_name

if TYPE_CHECKING:
    from catalog import Manifest, Transaction

    from .session import Session

_ACTION_LETTERS = {"NO ACTION": "a", "RESTRICT": "r", "CASCADE": "c", "SET NULL": "n", "SET DEFAULT": "d"}
_KINDS = (
    exp.PrimaryKey,
    exp.PrimaryKeyColumnConstraint,
    exp.UniqueColumnConstraint,
    exp.CheckColumnConstraint,
    exp.ForeignKey,
    exp.Reference,
)


def check_sql(node: exp.Expression) -> str:
    """A CHECK expression as stored and as pg_get_constraintdef prints it: PostgreSQL's deparser
    puts every operator expression in parentheses."""
    wrapped = node.copy().transform(
        lambda n: (
            exp.Paren(this=n)
            if isinstance(n, (exp.Binary, exp.Not, exp.Is, exp.In, exp.Between)) and not isinstance(n.parent, exp.Paren)
            else n
        )
    )
    return wrapped.sql(dialect="postgres")


def _options(node: exp.Expression) -> dict:
    """DEFERRABLE / INITIALLY DEFERRED / ON DELETE ... / MATCH FULL, from a constraint's option words."""
    words = [str(o).upper() for o in (node.args.get("options") or [])]
    reference = node.args.get("reference")
    if reference is not None:
        words += [str(o).upper() for o in (reference.args.get("options") or [])]
    out: dict = {}
    for word in words:
        if word == "DEFERRABLE":
            out["deferrable"] = True
        elif word == "NOT DEFERRABLE":
            out["deferrable"] = False
        elif word == "INITIALLY DEFERRED":
            out["deferred"] = True
        elif word.startswith("ON DELETE "):
            out["on_delete"] = _ACTION_LETTERS[word[len("ON DELETE ") :].strip()]
        elif word.startswith("ON UPDATE "):
            out["on_update"] = _ACTION_LETTERS[word[len("ON UPDATE ") :].strip()]
        elif word == "MATCH FULL":
            out["match"] = "f"
        elif word == "MATCH PARTIAL":
            raise NotSupportedError("MATCH PARTIAL not yet implemented")
    if out.get("deferred") and "deferrable" not in out:
        out["deferrable"] = True
    return out


def _names(node: exp.Expression | None) -> list[str]:
    if node is None:
        return []
    items = node.expressions if isinstance(node, exp.Schema) else [node]
    return [i.name for i in items]


def parse_constraint(node: exp.Expression, name: str | None, column: str | None = None) -> Constraint | None:
    """One constraint clause (column-level when ``column`` is given); None for clauses that are
    not constraints of their own (NOT NULL, DEFAULT)."""
    if isinstance(node, exp.Constraint):
        return parse_constraint(node.expressions[0], node.name)
    options = _options(node)
    if isinstance(node, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
        columns = [column] if column else [e.name for e in node.expressions]
        return Constraint(name or "", "p", tuple(columns), **_deferral(options))
    if isinstance(node, exp.UniqueColumnConstraint):
        columns = [column] if column else _names(node.this)
        return Constraint(
            name or "", "u", tuple(columns), nulls_not_distinct=bool(node.args.get("nulls")), **_deferral(options)
        )
    if isinstance(node, exp.CheckColumnConstraint):
        referenced = sorted({c.name for c in node.this.find_all(exp.Column)})
        return Constraint(name or "", "c", tuple(referenced), check=check_sql(node.this))
    if isinstance(node, (exp.ForeignKey, exp.Reference)):
        reference = node.args["reference"] if isinstance(node, exp.ForeignKey) else node
        target = reference.this
        table = table_name(target.this if isinstance(target, exp.Schema) else target)
        ref_columns = _names(target) if isinstance(target, exp.Schema) else []
        columns = [column] if column else [e.name for e in node.expressions]
        return Constraint(name or "", "f", tuple(columns), ref_table=table, ref_columns=tuple(ref_columns), **options)
    return None


def _deferral(options: dict) -> dict:
    return {k: v for k, v in options.items() if k in ("deferrable", "deferred")}


def column_constraints(defn: exp.ColumnDef) -> list[Constraint]:
    out = []
    for clause in defn.args.get("constraints") or []:
        kind = clause.args.get("kind")
        if isinstance(kind, _KINDS):
            out.append(parse_constraint(kind, clause.name or None, defn.name))
    return out


def is_table_constraint(item: exp.Expression) -> bool:
    return isinstance(item, _KINDS) or (
        isinstance(item, exp.Constraint) and bool(item.expressions) and isinstance(item.expressions[0], _KINDS)
    )


def complete(
    constraints: list[Constraint],
    table: str,
    schema: pa.Schema,
    tables: dict[str, "Manifest"],
    taken: set[str],
    own_keys: list[Constraint] = (),
) -> list[Constraint]:
    """Names for unnamed constraints, columns checked, foreign keys resolved against the table
    they reference (``own_keys``: the table's own unique keys, for a self-reference)."""
    out = []
    for c in constraints:
        for column in c.columns:
            if schema.get_field_index(column) < 0:
                kind = "named in key" if c.type in "puf" else "referenced in check constraint"
                raise ProgrammingError(f'column "{column}" {kind} does not exist', sqlstate="42703")
        if c.type == "f":
            c = _resolve_reference(c, table, schema, tables, [*own_keys, *(k for k in out if k.type in "pu")])
        if c.type == "c" and c.deferrable:
            raise NotSupportedError("CHECK constraints cannot be marked DEFERRABLE")
        if not c.name:
            suffix = {"p": "pkey", "u": "key", "f": "fkey", "c": "check"}[c.type]
            columns = [] if c.type == "p" or (c.type == "c" and len(c.columns) != 1) else list(c.columns)
            c = replace(c, name=default_name(table, columns, suffix, taken))
        elif c.name in taken:
            raise ProgrammingError(f'constraint "{c.name}" for relation "{table}" already exists', sqlstate="42710")
        taken.add(c.name)
        out.append(c)
    if sum(c.type == "p" for c in out) > 1:
        raise ProgrammingError(f'multiple primary keys for table "{table}" are not allowed', sqlstate="42P16")
    return out


def _resolve_reference(c: Constraint, table: str, schema: pa.Schema, tables: dict, own_keys) -> Constraint:
    if c.ref_table == table:
        parent_schema, keys = schema, list(own_keys)
    elif c.ref_table in tables:
        parent = tables[c.ref_table]
        parent_schema, keys = parent.schema, unique_keys(parent, c.ref_table)
    else:
        raise ProgrammingError(f'relation "{c.ref_table}" does not exist', sqlstate="42P01")
    ref_columns = list(c.ref_columns)
    if not ref_columns:
        primary = next((k for k in keys if k.type == "p"), None)
        if primary is None:
            raise ProgrammingError(f'there is no primary key for referenced table "{c.ref_table}"', sqlstate="42830")
        ref_columns = list(primary.columns)
    for column in ref_columns:
        if parent_schema.get_field_index(column) < 0:
            raise ProgrammingError(
                f'column "{column}" referenced in foreign key constraint does not exist', sqlstate="42703"
            )
    if len(ref_columns) != len(c.columns):
        raise ProgrammingError(
            "number of referencing and referenced columns for foreign key disagree", sqlstate="42830"
        )
    if not any(sorted(k.columns) == sorted(ref_columns) for k in keys):
        raise ProgrammingError(
            f'there is no unique constraint matching given keys for referenced table "{c.ref_table}"', sqlstate="42830"
        )
    return replace(c, ref_columns=tuple(ref_columns))


def taken_names(tx: "Transaction", table: str | None) -> set[str]:
    """Names a new constraint of ``table`` cannot take: its own constraints' and every relation's."""
    from .ddl import relation_names

    own = {c.name for c in table_constraints(tx.tables[table], table)} if table in tx.tables else set()
    return own | relation_names(tx)


# ALTER TABLE ---------------------------------------------------------------
def add_constraint(session: "Session", tx: "Transaction", table: str, node: exp.Expression, not_valid: bool) -> None:
    """ADD [CONSTRAINT name] ...: stored, then the rows already there are checked (unless NOT VALID)."""
    parsed = parse_constraint(node, None)
    if parsed is None:
        raise NotSupportedError(f"constraint not supported: {node.sql(dialect='postgres')}")
    add_parsed(session, tx, table, parsed, not_valid)


def add_parsed(session: "Session", tx: "Transaction", table: str, parsed: Constraint, not_valid: bool) -> None:
    manifest = tx.manifest(table)
    existing = table_constraints(manifest, table)
    (added,) = complete(
        [parsed], table, manifest.schema, tx.tables, taken_names(tx, table), [k for k in existing if k.type in "pu"]
    )
    if not_valid and added.type not in "cf":
        raise NotSupportedError("only CHECK and FOREIGN KEY constraints can be NOT VALID")
    primary_key = manifest.primary_key
    schema = manifest.schema
    if added.type == "p":
        if primary_key:
            raise ProgrammingError(f'multiple primary keys for table "{table}" are not allowed', sqlstate="42P16")
        primary_key = added.columns
        for column in added.columns:  # ADD PRIMARY KEY sets NOT NULL on its columns, checking them first
            require_no_nulls(tx, table, column)
            index = schema.get_field_index(column)
            schema = schema.set(index, schema.field(index).with_nullable(False))
    added = replace(added, validated=not not_valid)
    tx.alter_table(
        table,
        schema=schema,
        primary_key=tuple(primary_key),
        constraints=with_constraints(manifest, table, [*existing, added]),
    )
    if not not_valid:
        validate(session, tx, table, added)


def validate(session: "Session", tx: "Transaction", table: str, constraint: Constraint) -> None:
    """Check every row of ``table`` against one constraint, with PostgreSQL's errors for it."""
    after = dict(tx.tables)
    before = {**after, table: replace(after[table], files=())}
    violations = find_violations(
        before, after, session.repo.files, tx.check_evaluator, lambda c: c.name == constraint.name, new_origins=None
    )
    violations = [v for v in violations if v.constraint == constraint.name]
    if not violations:
        return
    v = violations[0]
    if v.kind == "unique":
        from catalog.constraint_checks import key_text

        err = IntegrityError(f'could not create unique index "{constraint.name}"', sqlstate="23505")
        err.detail = f"Key {key_text(constraint.columns, v.key)} is duplicated."
    elif v.kind == "check":
        err = IntegrityError(
            f'check constraint "{constraint.name}" of relation "{table}" is violated by some row', sqlstate="23514"
        )
    else:
        err = error_for(v.sqlstate, v.message)
        err.detail = v.detail
    raise err


def require_no_nulls(tx: "Transaction", table: str, column: str) -> None:
    """SET NOT NULL, and ADD COLUMN ... NOT NULL, over the rows already there (23502 if one is NULL)."""
    if tx.snapshot.read(table, [column]).column(column).null_count:
        raise IntegrityError(f'column "{column}" of relation "{table}" contains null values', sqlstate="23502")


def drop_constraint(
    session: "Session", tx: "Transaction", table: str, name: str, if_exists: bool, cascade: bool
) -> None:
    manifest = tx.manifest(table)
    existing = table_constraints(manifest, table)
    found = next((c for c in existing if c.name == name), None)
    if found is None:
        if if_exists:
            session.notice(f'constraint "{name}" of relation "{table}" does not exist, skipping')
            return
        raise ProgrammingError(f'constraint "{name}" of relation "{table}" does not exist', sqlstate="42704")
    if found.type in "pu":
        dependents = [
            (child, c)
            for child, m in tx.tables.items()
            for c in table_constraints(m, child)
            if c.type == "f" and c.ref_table == table and sorted(c.ref_columns) == sorted(found.columns)
        ]
        if dependents and not cascade:
            child, c = dependents[0]
            raise ProgrammingError(
                f"cannot drop constraint {name} on table {table} because other objects depend on it", sqlstate="2BP01"
            )
        for child, c in dependents:
            drop_constraint(session, tx, child, c.name, False, False)
        manifest = tx.manifest(table)
    remaining = [c for c in table_constraints(manifest, table) if c.name != name]
    tx.alter_table(
        table,
        constraints=with_constraints(manifest, table, remaining),
        primary_key=() if found.type == "p" else manifest.primary_key,
    )


def alter_column(session: "Session", tx: "Transaction", table: str, action: exp.AlterColumn) -> None:
    """ALTER COLUMN c DROP NOT NULL | SET NOT NULL | SET DEFAULT e | DROP DEFAULT | TYPE t [USING e]."""
    manifest = tx.manifest(table)
    column = action.this.name
    index = manifest.schema.get_field_index(column)
    if index < 0:
        raise ProgrammingError(f'column "{column}" of relation "{table}" does not exist', sqlstate="42703")
    field = manifest.schema.field(index)
    constraints = dict(manifest.constraints or {})
    if action.args.get("dtype") is not None:
        from .alter_column_type import change_type

        change_type(session, tx, table, column, action.args["dtype"], action.args.get("using") or None)
    elif action.args.get("allow_null") is True:
        if column in manifest.primary_key:
            raise ProgrammingError(f'column "{column}" is in a primary key', sqlstate="42P16")
        tx.alter_table(table, schema=manifest.schema.set(index, field.with_nullable(True)))
    elif action.args.get("allow_null") is False:
        require_no_nulls(tx, table, column)
        tx.alter_table(table, schema=manifest.schema.set(index, field.with_nullable(False)))
    elif action.args.get("default") is not None:
        sql = default_text(action.args["default"], column_type_name(field, column in constraints.get("max_length", {})))
        if sql is not None:  # an expression that cannot be evaluated fails now, as in PostgreSQL
            session.evaluate_default(sql, field)
        defaults = {k: v for k, v in constraints.get("defaults", {}).items() if k != column}
        tx.alter_table(
            table, constraints={**constraints, "defaults": defaults | ({} if sql is None else {column: sql})}
        )
    elif action.args.get("drop"):
        defaults = {k: v for k, v in constraints.get("defaults", {}).items() if k != column}
        tx.alter_table(table, constraints={**constraints, "defaults": defaults})
    else:
        raise NotSupportedError(f"ALTER COLUMN form not supported: {action.sql(dialect='postgres')}")


_COLUMN_FACTS = ("defaults", *COLUMN_FACTS)
"""What a table's constraints keep of a column under its name: its default and ``ddl.COLUMN_FACTS``
(identity sequence, identity kind, START and INCREMENT, varchar length, generation expression)."""


def _moved_facts(tx: "Transaction", table: str, old: str, new: str | None) -> None:
    """Move the facts kept under column ``old`` to ``new`` (a RENAME), or forget them (None: a DROP,
    so that a column added later under the name starts without them); a generation expression
    naming the renamed column names the new one."""
    constraints = tx.manifest(table).constraints
    moved = dict(constraints)
    for key in _COLUMN_FACTS:
        facts = constraints.get(key)
        if not isinstance(facts, dict):
            continue
        kept = {k: v for k, v in facts.items() if k != old}
        if new is not None and old in facts:
            kept[new] = facts[old]
        if key == "generated" and new is not None:
            kept = {k: _renamed_check(v, old, new) for k, v in kept.items()}
        moved[key] = kept
    if moved != constraints:
        tx.alter_table(table, constraints=moved)


def rename_column(tx: "Transaction", table: str, old: str, new: str) -> None:
    """RENAME COLUMN, carried into the constraints that name the column (keys, CHECK expressions,
    foreign keys of other tables that reference it, its default and other facts)."""
    tx.rename_column(table, old, new)
    _moved_facts(tx, table, old, new)

    def renamed(columns):
        return tuple(new if c == old else c for c in columns)

    for name, manifest in list(tx.tables.items()):
        changed = []
        for c in table_constraints(manifest, name):
            if name == table:
                c = replace(c, columns=renamed(c.columns), check=_renamed_check(c.check, old, new))
            if c.type == "f" and c.ref_table == table:
                c = replace(c, ref_columns=renamed(c.ref_columns))
            changed.append(c)
        if changed != table_constraints(manifest, name):
            tx.alter_table(name, constraints=with_constraints(manifest, name, changed))


def _renamed_check(sql: str | None, old: str, new: str) -> str | None:
    if sql is None:
        return None
    from .frontend import parse_expression

    node = parse_expression(sql).transform(
        lambda n: exp.column(new) if isinstance(n, exp.Column) and n.name == old else n
    )
    return node.sql(dialect="postgres")


def drop_column(tx: "Transaction", table: str, column: str, cascade: bool) -> None:
    """DROP COLUMN takes the table's constraints and indexes on the column with it; a key other tables
    reference needs CASCADE, which drops their foreign keys (2BP01 without)."""
    manifest = tx.manifest(table)
    for child, m in list(tx.tables.items()):
        if child == table:
            continue
        refs = [
            c for c in table_constraints(m, child) if c.type == "f" and c.ref_table == table and column in c.ref_columns
        ]
        if refs and not cascade:
            raise ProgrammingError(
                f"cannot drop column {column} of table {table} because other objects depend on it", sqlstate="2BP01"
            )
        if refs:
            kept = [c for c in table_constraints(m, child) if c not in refs]
            tx.alter_table(child, constraints=with_constraints(m, child, kept))
    kept = [c for c in table_constraints(manifest, table) if c.type == "p" or column not in c.columns]
    if kept != table_constraints(manifest, table):
        tx.alter_table(table, constraints=with_constraints(manifest, table, kept))
    from .index_statements import drop_column_indexes

    drop_column_indexes(tx, table, column)
    _moved_facts(tx, table, column, None)
    tx.drop_column(table, column)


def drop_references(session: "Session", tx: "Transaction", table: str, dropping: set[str], cascade: bool) -> None:
    """DROP TABLE of a table other tables' foreign keys reference: 2BP01, or with CASCADE those
    foreign keys are dropped (their tables stay)."""
    for child, m in list(tx.tables.items()):
        if child in dropping:
            continue
        refs = [c for c in table_constraints(m, child) if c.type == "f" and c.ref_table == table]
        if refs and not cascade:
            raise ProgrammingError(f"cannot drop table {table} because other objects depend on it", sqlstate="2BP01")
        for c in refs:
            session.notice(f"drop cascades to constraint {c.name} on table {child}")
            drop_constraint(session, tx, child, c.name, False, False)


# statements sqlglot keeps as text ---------------------------------------------
_SET_CONSTRAINTS = re.compile(r"^\s*SET\s+CONSTRAINTS\s+(.+?)\s+(DEFERRED|IMMEDIATE)\s*;?\s*$", re.I | re.S)
_ADD_CHECK = re.compile(
    r"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(.+?)\s+ADD\s+(CHECK\s*\(.*)$", re.I | re.S
)
_VALIDATE = re.compile(
    r'^\s*ALTER\s+TABLE\s+(?:ONLY\s+)?(?:public\.)?"?(\w+)"?\s+VALIDATE\s+CONSTRAINT\s+"?(\w+)"?\s*;?\s*$', re.I
)


def command(session: "Session", text: str) -> Result | None:
    """SET CONSTRAINTS, ALTER TABLE ... ADD CHECK (...) and ... VALIDATE CONSTRAINT; None for other text."""
    match = _SET_CONSTRAINTS.match(text)
    if match is not None:
        return set_constraints(session, match.group(1), match.group(2).upper() == "DEFERRED")
    match = _ADD_CHECK.match(text)
    if match is not None:  # sqlglot parses only the named form; name it for the parser, then forget the name
        from .frontend import parse_unbound

        (stmt,) = parse_unbound(f"ALTER TABLE {match.group(1)} ADD CONSTRAINT agentlake_unnamed {match.group(2)}")
        stmt.args["actions"][0].expressions[0].set("this", None)
        from .ddl import alter

        return alter(session, stmt)
    match = _VALIDATE.match(text)
    if match is not None:
        tx = session.write_tx()
        table, name = match.group(1), match.group(2)
        manifest = tx.manifest(table)
        found = next((c for c in table_constraints(manifest, table) if c.name == name), None)
        if found is None:
            raise ProgrammingError(f'constraint "{name}" of relation "{table}" does not exist', sqlstate="42704")
        validate(session, tx, table, found)
        if not found.validated:
            constraints = [
                replace(c, validated=True) if c.name == name else c for c in table_constraints(manifest, table)
            ]
            tx.alter_table(table, constraints=with_constraints(manifest, table, constraints))
        return Result(None, 0, "ALTER TABLE")
    return None


def set_constraints(session: "Session", names: str, deferred: bool) -> Result:
    """SET CONSTRAINTS {ALL | name, ...} {DEFERRED | IMMEDIATE}: for this transaction; IMMEDIATE
    checks what was deferred so far at once, as PostgreSQL does."""
    if session.transaction_status == "idle":
        session.notice("SET CONSTRAINTS can only be used in transaction blocks")
        return Result(None, 0, "SET CONSTRAINTS")
    tx = session.write_tx()
    wanted = [n.strip().strip('"') for n in names.split(",")]
    if [w.upper() for w in wanted] == ["ALL"]:
        tx.constraint_modes = {None: deferred}
    else:
        known = {c.name: c for name, m in tx.tables.items() for c in table_constraints(m, name)}
        for name in wanted:
            if name not in known:
                raise ProgrammingError(f'constraint "{name}" does not exist', sqlstate="42704")
            if not known[name].deferrable:
                raise ProgrammingError(f'constraint "{name}" is not deferrable', sqlstate="42809")
            tx.constraint_modes[name] = deferred
    if not deferred:
        tx.check_deferred()
    return Result(None, 0, "SET CONSTRAINTS")
