"""ALTER TABLE ... ALTER COLUMN c [SET DATA] TYPE t [USING e]: every row's value converted, as
PostgreSQL rewrites the table; a value that does not convert fails the statement (22P02 and kin)
and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
from sqlglot import exp

from catalog import ROWID
from catalog.objects import FIELD_ID

from ..errors import ProgrammingError
from ..sql.types import arrow_type, character_metadata
from .rich_columns import canonical_text

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session


def change_type(
    session: "Session", tx: "Transaction", table: str, column: str, dtype: exp.DataType, using: exp.Expression | None
) -> None:
    manifest = tx.manifest(table)
    index = manifest.schema.get_field_index(column)
    old = manifest.schema.field(index)
    arrow, metadata = arrow_type(dtype, tx.types)
    metadata = {**metadata, **character_metadata(dtype)}
    rows = tx.snapshot.read(table, with_rowid=True)
    expression = using if using is not None else exp.Cast(this=exp.column(column), to=dtype.copy())
    with session.temp_table(f"retype_{table}", rows) as temp:
        values = session.run_datafusion(
            f'SELECT {session.datafusion_sql(expression)} AS v FROM "{temp}" AS "{table}"'
        ).column(0)
    try:
        values = values.cast(arrow)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ProgrammingError(
            f'column "{column}" cannot be cast automatically to type {dtype.sql(dialect="postgres")}', sqlstate="42804"
        ) from None
    meta = {
        FIELD_ID: old.metadata[FIELD_ID],
        **(metadata or {}),
    }  # the field keeps its identity, not its old type's tags
    field = pa.field(column, arrow, nullable=old.nullable, metadata=meta)
    values = canonical_text(values, field)  # an enum type's labels checked, jsonb and uuid made canonical
    constraints = dict(manifest.constraints or {})
    lengths = {k: v for k, v in constraints.get("max_length", {}).items() if k != column}
    if dtype.this in (exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR) and dtype.expressions:
        lengths[column] = int(dtype.expressions[0].name)
    constraints["max_length"] = lengths
    tx.alter_table(table, schema=manifest.schema.set(index, field), constraints=constraints)
    if rows.num_rows:
        tx.put_rows(
            table,
            rows.set_column(rows.schema.get_field_index(column), pa.field(column, arrow), values).select(
                [*(f.name for f in manifest.schema), ROWID]
            ),
        )
