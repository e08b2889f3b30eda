"""The SET lists of UPDATE and INSERT ... ON CONFLICT DO UPDATE, read as PostgreSQL reads them.

``SET (a, b) = (x, y)`` assigns each column its value; a column assigned twice (``SET n = 'a',
n = 'b'``, or within and beside a column list) is 42601, as PostgreSQL refuses it, instead of
the last assignment silently winning. INSERT's column list naming a column twice is 42701.
"""

from __future__ import annotations

from collections import Counter

from sqlglot import exp

from ..errors import NotSupportedError, ProgrammingError


def set_list(expressions: list[exp.Expression], relation: str, columns: list[str]) -> dict[str, exp.Expression]:
    """Column -> the value node it is set to. Each value is wrapped in parentheses in place, so a
    typed rewrite that replaces a whole value (a tensor's ``a * 10``) replaces it inside the
    statement the caller makes SQL from. Unknown columns are 42703, repeated ones 42601."""
    pairs: list[tuple[str, exp.Expression]] = []
    for assignment in expressions:
        targets, values = assignment.this, assignment.expression
        if not isinstance(targets, exp.Tuple):
            pairs.append((targets.name, _parenthesized(values)))
            continue
        if not isinstance(values, exp.Tuple):
            raise NotSupportedError("SET (column, ...) takes a parenthesized list of values here, not a sub-SELECT")
        if len(targets.expressions) != len(values.expressions):
            raise ProgrammingError("number of columns does not match number of values", sqlstate="42601")
        pairs += [(t.name, _parenthesized(v)) for t, v in zip(targets.expressions, list(values.expressions))]
    unknown = next((name for name, _ in pairs if name not in columns), None)
    if unknown is not None:
        raise ProgrammingError(f'column "{unknown}" of relation "{relation}" does not exist', sqlstate="42703")
    repeated = _first_repeated([name for name, _ in pairs])
    if repeated is not None:
        raise ProgrammingError(f'multiple assignments to same column "{repeated}"', sqlstate="42601")
    return dict(pairs)


def refuse_repeated_insert_columns(columns: list[str]) -> None:
    """INSERT INTO t (a, a) ...: 42701, as PostgreSQL refuses it."""
    repeated = _first_repeated(columns)
    if repeated is not None:
        raise ProgrammingError(f'column "{repeated}" specified more than once', sqlstate="42701")


def _parenthesized(value: exp.Expression) -> exp.Expression:
    wrapper = exp.Paren()
    value.replace(wrapper)
    wrapper.set("this", value)
    return wrapper


def _first_repeated(names: list[str]) -> str | None:
    counts = Counter(names)
    return next((name for name in names if counts[name] > 1), None)
