"""Validation of user-chosen names.

Names become object-store paths, so a bad name is a path trick waiting to happen;
branch names follow git's ref-name rules (as ``git check-ref-format`` checks them).
"""

from __future__ import annotations

import re

from .errors import InvalidName

MAX_NAME_BYTES = 200
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")
_REF_FORBIDDEN = set(" ~^:?*[\\")
RESERVED_TABLE_PREFIXES = ("_", "pg_")


def validate_ref_name(name: str, kind: str = "branch") -> str:
    """Apply git's check-ref-format rules, plus a length bound."""
    if not isinstance(name, str) or not name:
        raise InvalidName(f"{kind} name must be a non-empty string")
    if len(name.encode()) > MAX_NAME_BYTES:
        raise InvalidName(f"{kind} name is longer than {MAX_NAME_BYTES} bytes")
    bad = (
        name.startswith(("/", "-", "."))
        or name.endswith(("/", ".", ".lock"))
        or ".." in name
        or "//" in name
        or "@{" in name
        or name == "@"
        or any(part.startswith(".") or part.endswith(".lock") for part in name.split("/"))
        or any(ord(ch) < 32 or ord(ch) == 127 or ch in _REF_FORBIDDEN for ch in name)
    )
    if bad:
        raise InvalidName(
            f"invalid {kind} name {name!r}: use letters, digits, '-', '_', '.' and '/' "
            "(no '..', no leading '/', '-' or '.', no spaces or control characters)"
        )
    return name


def validate_table_name(name: str) -> str:
    """Table names are SQL identifiers; names starting with '_' or 'pg_' are reserved."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or len(name.encode()) > 63:
        raise InvalidName(f"invalid table name {name!r}: use a SQL identifier of at most 63 bytes")
    if name.startswith(RESERVED_TABLE_PREFIXES):
        raise InvalidName(f"table name {name!r} is reserved (names starting with '_' or 'pg_')")
    return name


def validate_column_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name.encode()) > 63 or any(ord(c) < 32 for c in name):
        raise InvalidName(f"invalid column name {name!r}")
    if name == "_rowid":
        raise InvalidName("column name '_rowid' is reserved for row identity")
    return name
