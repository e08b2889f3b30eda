"""pg_get_constraintdef's text for a constraint as the catalog stores it (its JSON form), so ORMs'
reflection reads what PostgreSQL would print."""

from __future__ import annotations

ACTION_WORDS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}


def constraint_definition(c: dict) -> str:
    """pg_get_constraintdef(oid) for a constraint (catalog JSON form)."""
    kind = c["type"]
    columns = ", ".join(c.get("columns", []))
    if kind == "p":
        text = f"PRIMARY KEY ({columns})"
    elif kind == "u":
        text = f"UNIQUE {'NULLS NOT DISTINCT ' if c.get('nulls_not_distinct') else ''}({columns})"
    elif kind == "c":
        text = f"CHECK ({c['check']})"
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
