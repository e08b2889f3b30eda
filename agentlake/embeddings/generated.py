"""Generated columns (``GENERATED ALWAYS AS (expr) STORED``, PostgreSQL's only kind): the
expression is kept in the manifest's constraints and evaluated over every inserted or updated
batch in one query, so a column like ``embed('all-minilm-l6-v2', body)`` costs one model call per
batch of rows, never one per row. Writing such a column directly is 428C9, as in PostgreSQL."""

from __future__ import annotations

from typing import Callable

import pyarrow as pa

from ..errors import ProgrammingError

Evaluate = Callable[[pa.Table, dict[str, str]], pa.Table]
"""Runs ``{column: expression}`` over a table of rows, in their order; returns one column per
expression, in its column's type."""


def generated_columns(constraints: dict | None) -> dict[str, str]:
    return dict((constraints or {}).get("generated", {}))


def refuse_written(columns: list[str], constraints: dict | None, update: bool = False) -> None:
    """PostgreSQL's 428C9 for a generated column named in INSERT's column list or UPDATE's SET."""
    for name in columns:
        if name in generated_columns(constraints):
            message = (
                f'column "{name}" can only be updated to DEFAULT'
                if update
                else f'cannot insert a non-DEFAULT value into column "{name}"'
            )
            raise ProgrammingError(message, sqlstate="428C9")


def fill(rows: pa.Table, constraints: dict | None, evaluate: Evaluate) -> pa.Table:
    """``rows`` with every generated column computed from the others."""
    generated = generated_columns(constraints)
    if not generated or rows.num_rows == 0:
        return rows
    values = evaluate(rows.drop_columns([c for c in generated if c in rows.column_names]), generated)
    for name in generated:
        if name not in rows.column_names:  # a COPY or load_arrow without the column
            rows = rows.append_column(pa.field(name, values.column(name).type), values.column(name))
            continue
        index = rows.column_names.index(name)
        rows = rows.set_column(index, rows.schema.field(index), values.column(name))
    return rows
