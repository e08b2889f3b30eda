"""pg_get_constraintdef's text for a constraint as the catalog stores it (its JSON form), so ORMs'
reflection reads what PostgreSQL would print."""

from __future__ import annotations

from agentlake.sql.pg_deparse import TypeOf, deparse, parse_expression

ACTION_WORDS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def constraint_definition(c: dict, type_of: TypeOf | None = None, *, pretty: bool = False) -> str:
    """pg_get_constraintdef(oid[, pretty]) for a constraint (catalog JSON form); ``type_of`` gives the
    table's column types, which decide how a CHECK's expression prints."""
    kind = c["type"]
    columns = ", ".join(c.get("columns", []))
    if kind == "p":
        text = f"PRIMARY KEY ({columns})"
    elif kind == "u":
        text = f"UNIQUE {'NULLS NOT DISTINCT ' if c.get('nulls_not_distinct') else ''}({columns})"
    elif kind == "c":
        text = f"CHECK ({check_text(c['check'], type_of, pretty=pretty)})"
    else:
        text = f"FOREIGN KEY ({columns}) REFERENCES {c['ref_table']}({', '.join(c['ref_columns'])})"
        if c.get("match") == "f":
            text += " MATCH FULL"
        if c.get("on_update", "a") != "a":
            text += f" ON UPDATE {ACTION_WORDS[c['on_update']]}"
        if c.get("on_delete", "a") != "a":
            text += f" ON DELETE {ACTION_WORDS[c['on_delete']]}"
    if c.get("deferrable"):
        text += " DEFERRABLE" + (" INITIALLY DEFERRED" if c.get("deferred") else "")
    if c.get("validated") is False:
        text += " NOT VALID"
    return text


def check_text(stored: str, type_of: TypeOf | None, *, pretty: bool) -> str:
    """A CHECK's expression as PostgreSQL prints it; as stored when it does not parse."""
    tree = parse_expression(stored)
    return stored if tree is None else deparse(tree, type_of, pretty=pretty)
