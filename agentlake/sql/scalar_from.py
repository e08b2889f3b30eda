"""A scalar function called as a FROM item: one row with one column, as in PostgreSQL.

PostgreSQL lets any function stand in FROM (``SELECT * FROM upper('abc')``, which psycopg2's
``callproc`` writes); a function returning one value makes one row, its column named by the
alias's column list, else the table alias, else the function. DataFusion runs only table functions
there, so such a call of constants becomes the derived table ``(SELECT f(...) AS c) AS a``.
Set-returning functions (unnest, generate_series, the jsonb ones, a name sqlglot does not know)
are left to ``set_returning_from``. It runs first among the typed rewrites: later ones turn some
calls (upper, lower) into the local executor's functions, whose names say nothing of their kind.
"""

from __future__ import annotations

from sqlglot import exp

_SET_RETURNING = (exp.UDTF, exp.AggFunc, exp.Anonymous, exp.GenerateSeries, exp.ExplodingGenerateSeries)


def scalar_functions_in_from(tree: exp.Expression) -> bool:
    """Rewrite, in place, each FROM item that calls a scalar function of constants; True when any was."""
    changed = False
    for table in list(tree.find_all(exp.Table)):
        call = table.this
        if not isinstance(call, exp.Func) or isinstance(call, _SET_RETURNING) or call.find(exp.Column):
            continue
        alias = table.args.get("alias")
        columns = alias.columns if isinstance(alias, exp.TableAlias) else []
        name = alias.name if isinstance(alias, exp.TableAlias) and alias.name else call.sql_name().lower()
        column = columns[0].name if columns else name
        derived = exp.Subquery(
            this=exp.select(exp.alias_(call.copy(), column, quoted=True)),
            alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)),
        )
        table.replace(derived)
        changed = True
    return changed
