"""``MERGE INTO target USING source ON ... WHEN [NOT] MATCHED [AND ...] THEN ...``, as PostgreSQL 16
runs it.

Every source row is joined to the target once, against the statement's snapshot: which target row
it matches (if any) and which WHEN clause applies, the first whose kind (MATCHED or NOT MATCHED) and
condition hold. Then each clause's rows are written by the statement it stands for, UPDATE ...
FROM, DELETE ... USING or INSERT ... SELECT over those source rows, so constraints, defaults,
generated and identity columns, foreign key actions and assignment casts are checked as they are
for those statements; all in the statement's transaction, so a failure leaves nothing. A target row
that two source rows would update or delete is 21000, as in PostgreSQL.

Not taken, and refused as such (0A000): ``WHEN NOT MATCHED BY SOURCE`` and ``RETURNING``, which are
PostgreSQL 17's; so is a view as the target, as PostgreSQL 16 refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from catalog import ROWID

from ..errors import NotSupportedError, ProgrammingError
from ..results import Result
from . import dml
from .ddl import table_name

if TYPE_CHECKING:
    from .session import Session

TARGET_ROW = "__merge_target_row"
"""The column of the joined rows holding the matched target row's ``_rowid`` (NULL: not matched)."""
_CHOSEN = "__merge_when_{}"
_ORDER = {"DELETE": 0, "UPDATE": 1, "INSERT": 2}
"""Which clauses write first: a deleted row frees its keys for the rows inserted after it, as when
PostgreSQL meets them in that order (DO NOTHING writes nothing)."""


@dataclass
class _Clause:
    """One WHEN clause: its kind, its condition (None: always) and its action."""

    matched: bool
    condition: exp.Expression | None
    action: exp.Expression  # exp.Update, exp.Insert, or exp.Var DELETE / DO NOTHING

    @property
    def verb(self) -> str:
        return self.action.name.upper() if isinstance(self.action, exp.Var) else self.action.key.upper()


def merge_into(session: "Session", stmt: exp.Merge) -> Result:
    """Run a MERGE: every clause's rows are chosen against the statement's snapshot first, so a row
    one clause changes is never chosen again by another; then the clauses write."""
    if stmt.args.get("returning") is not None:
        raise NotSupportedError("MERGE ... RETURNING is not supported", sqlstate="0A000")
    target = stmt.this
    name = table_name(target)
    if name in session.snapshot.views:
        raise NotSupportedError(f'cannot execute MERGE on relation "{name}"', sqlstate="0A000")
    alias = target.alias_or_name
    clauses = [_clause(when) for when in stmt.args["whens"].expressions]
    source = stmt.args["using"].copy()
    if not source.alias_or_name:  # a subquery or VALUES without an alias
        source.set("alias", exp.TableAlias(this=exp.to_identifier("__merge_source")))
    source_alias = source.alias_or_name
    session.write_tx().manifest(name)  # 42P01 for a table that is not there, before anything runs
    joined = _joined(session, stmt, name, alias, source, clauses)
    chosen = _chosen_clauses(joined, clauses)
    source_columns = joined.column_names[: joined.num_columns - 1 - len(clauses)]  # then TARGET_ROW, conditions
    count = 0
    for k in sorted((k for k, c in enumerate(clauses) if c.verb in _ORDER), key=lambda k: _ORDER[clauses[k].verb]):
        clause = clauses[k]
        rows = joined.filter(pa.array(chosen == k)).select(source_columns + [TARGET_ROW])
        if not rows.num_rows:
            continue
        with session.temp_table("merge_source", rows) as temp:
            source_table = exp.Table(
                this=exp.to_identifier(temp, quoted=True), alias=exp.TableAlias(this=exp.to_identifier(source_alias))
            )
            count += _apply(session, clause, target, alias, source_table, source_alias, rows.num_rows).rowcount
    return Result(None, count, f"MERGE {count}")


def _clause(when: exp.When) -> _Clause:
    if when.args.get("source"):
        raise NotSupportedError("WHEN NOT MATCHED BY SOURCE is not supported", sqlstate="0A000")
    if when.args["then"].args.get("where") is not None:  # sqlglot reads UPDATE SET ... WHERE here
        raise ProgrammingError('syntax error at or near "WHERE"', sqlstate="42601")
    return _Clause(bool(when.args.get("matched")), when.args.get("condition"), when.args["then"])


def _joined(
    session: "Session", stmt: exp.Merge, name: str, alias: str, source: exp.Expression, clauses: list[_Clause]
) -> pa.Table:
    """Each source row with the target row it matches (NULL: none; a row matching several targets
    comes once per match) and, per clause, whether its condition holds there."""
    conditions = [
        exp.Coalesce(this=exp.Paren(this=c.condition.copy()), expressions=[exp.false()])
        if c.condition is not None
        else exp.true()
        for c in clauses
    ]
    outputs = ", ".join(
        [f'"{source.alias_or_name}".*', f'"{alias}"."{ROWID}" AS "{TARGET_ROW}"']
        + [f'{session.datafusion_sql(c)} AS "{_CHOSEN.format(k)}"' for k, c in enumerate(conditions)]
    )
    sql = (
        f"{dml.with_sql(session, dml.write_ctes(stmt))}SELECT {outputs} FROM {session.datafusion_sql(source)} "
        f"LEFT JOIN {dml.from_rows_table(name, alias)} ON {session.datafusion_sql(stmt.args['on'].copy())}"
    )
    return session.run_datafusion(sql)


def _chosen_clauses(joined: pa.Table, clauses: list[_Clause]) -> np.ndarray:
    """Per joined row, the index of the clause that acts on it (-1: none): the first of its kind
    whose condition holds. 21000 where two source rows would change one target row."""
    matched = pc.is_valid(joined.column(TARGET_ROW)).to_numpy(zero_copy_only=False)
    chosen = np.full(joined.num_rows, -1, dtype=np.int64)
    for k, clause in enumerate(clauses):
        holds = joined.column(_CHOSEN.format(k)).to_numpy(zero_copy_only=False).astype(bool)
        chosen[(chosen == -1) & (matched == clause.matched) & holds] = k
    changing = np.isin(chosen, [k for k, c in enumerate(clauses) if c.verb in ("UPDATE", "DELETE")])
    targets = joined.column(TARGET_ROW).to_numpy(zero_copy_only=False)[changing]
    if len(np.unique(targets)) != len(targets):
        raise ProgrammingError(
            "MERGE command cannot affect row a second time",
            sqlstate="21000",
            hint="Ensure that not more than one source row matches any one target row.",
        )
    return chosen


def _apply(
    session: "Session",
    clause: _Clause,
    target: exp.Table,
    alias: str,
    source_table: exp.Table,
    source_alias: str,
    rows: int,
) -> Result:
    """Run one clause's action over its source rows (``source_table``, named as the source was)."""
    same_row = exp.EQ(
        this=exp.column(ROWID, table=alias, quoted=True), expression=exp.column(TARGET_ROW, table=source_alias)
    )
    if clause.verb == "UPDATE":
        update = exp.Update(
            this=target.copy(),
            expressions=[e.copy() for e in clause.action.expressions],
            from_=exp.From(this=source_table),
            where=exp.Where(this=same_row),
        )
        return dml.update(session, update)
    if clause.verb == "DELETE":
        return dml.delete(session, exp.Delete(this=target.copy(), using=[source_table], where=exp.Where(this=same_row)))
    return _insert(session, clause.action, target, source_table, rows)


def _insert(session: "Session", action: exp.Insert, target: exp.Table, source_table: exp.Table, rows: int) -> Result:
    """``INSERT [(columns)] VALUES (...)`` as INSERT ... SELECT over the clause's source rows; a
    column given DEFAULT is left to its default. ``INSERT DEFAULT VALUES`` inserts one row of
    defaults per source row."""
    values = action.expression
    table = exp.Table(this=target.this.copy())
    if values is None:  # DEFAULT VALUES (read as a column list of one DEFAULT)
        total = 0
        for _ in range(rows):
            total += dml.insert(session, exp.Insert(this=table.copy(), default=True)).rowcount
        return Result(None, total, f"INSERT 0 {total}")
    items = values.expressions
    manifest = session.write_tx().manifest(table.name)
    columns = [c.name for c in action.this.expressions] if action.this is not None else manifest.schema.names
    if len(items) > len(columns):
        raise ProgrammingError("INSERT has more expressions than target columns", sqlstate="42601")
    given = [(c, v) for c, v in zip(columns, items) if not dml.is_default_keyword(v)]
    if not given:  # VALUES (DEFAULT, ...): a row of defaults, as DEFAULT VALUES
        return _insert(session, exp.Insert(), target, source_table, rows)
    select = exp.select(*[v.copy() for _, v in given]).from_(source_table.copy())
    into = exp.Schema(this=table, expressions=[exp.to_identifier(c, quoted=True) for c, _ in given])
    return dml.insert(session, exp.Insert(this=into, expression=select))
