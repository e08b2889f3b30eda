"""``ALTER TABLE | VIEW | SEQUENCE ... OWNER TO role``, which pg_dump writes after each object.

A repository's tables, views and sequences belong to its users together: the catalogs report the
user asking as their owner (pg_tables.tableowner, pg_class.relowner). So OWNER TO that user (or
CURRENT_USER, CURRENT_ROLE, SESSION_USER) states what already holds and is accepted; any other
role is refused (0A000) rather than recorded as an owner nothing would honour.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import NotSupportedError, ProgrammingError
from ..results import Result
from ..sql.pg_quoting import IDENTIFIER, identifier_name
from .sequences import serial_owner

if TYPE_CHECKING:
    from .session import Session

_OWNER_TO = re.compile(
    rf"^\s*ALTER\s+(TABLE|VIEW|SEQUENCE)\s+(IF\s+EXISTS\s+)?(?:ONLY\s+)?"
    rf"(?:({IDENTIFIER})\s*\.\s*)?({IDENTIFIER})\s+OWNER\s+TO\s+({IDENTIFIER})\s*;?\s*$",
    re.I | re.S,
)
_CURRENT = {"current_user", "current_role", "session_user"}


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it is ALTER TABLE, VIEW or SEQUENCE ... OWNER TO; None otherwise."""
    match = _OWNER_TO.match(text)
    if match is None:
        return None
    kind, if_exists, schema, name, role = match.groups()
    kind, name = kind.upper(), identifier_name(name)
    if schema is not None and identifier_name(schema) != "public":
        raise ProgrammingError(f'schema "{identifier_name(schema)}" does not exist', sqlstate="3F000")
    snapshot = session.snapshot
    found = name in (
        snapshot.views if kind == "VIEW" else snapshot.sequences if kind == "SEQUENCE" else snapshot.tables
    )
    if not found and kind == "SEQUENCE":  # a serial column's sequence
        found = serial_owner(snapshot.tables, name) is not None
    if not found:
        if if_exists:
            session.notice(f'relation "{name}" does not exist, skipping')
            return Result(None, 0, f"ALTER {kind}")
        raise ProgrammingError(f'relation "{name}" does not exist', sqlstate="42P01")
    role_name = role.lower() if role.lower() in _CURRENT else identifier_name(role)
    if role_name not in _CURRENT and role_name != (session.user or ""):
        raise NotSupportedError(
            f'cannot make role "{role_name}" the owner of "{name}": the repository\'s objects belong to all its users'
        )
    return Result(None, 0, f"ALTER {kind}")
