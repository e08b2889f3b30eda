"""``ALTER TABLE | VIEW | SEQUENCE | TYPE ... OWNER TO role``, which pg_dump writes after each object.

A repository's tables, views, sequences and types belong to its users together: the catalogs report the
user asking as their owner (pg_tables.tableowner, pg_class.relowner), and pg_roles that user
alone. So OWNER TO that user (or CURRENT_USER, CURRENT_ROLE, SESSION_USER) states what already
holds and is accepted; any other role is one that does not exist here (42704).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import ProgrammingError
from ..results import Result
from ..sql.pg_quoting import IDENTIFIER, QUALIFIED_NAME, identifier_name, public_name
from .sequences import serial_owner

if TYPE_CHECKING:
    from .session import Session

_OWNER_TO = re.compile(
    rf"^\s*ALTER\s+(TABLE|VIEW|SEQUENCE|TYPE)\s+(IF\s+EXISTS\s+)?(?:ONLY\s+)?"
    rf"{QUALIFIED_NAME}\s+OWNER\s+TO\s+({IDENTIFIER})\s*;?\s*$",
    re.I | re.S,
)
_CURRENT = {"current_user", "current_role", "session_user"}


def command(session: "Session", text: str) -> Result | None:
    """Run ``text`` if it is ALTER TABLE, VIEW, SEQUENCE or TYPE ... OWNER TO; None otherwise."""
    match = _OWNER_TO.match(text)
    if match is None:
        return None
    kind, if_exists, schema, name, role = match.groups()
    kind, name = kind.upper(), public_name(schema, name)
    snapshot = session.snapshot
    found = name in {"VIEW": snapshot.views, "SEQUENCE": snapshot.sequences, "TYPE": snapshot.types}.get(
        kind, snapshot.tables
    )
    if not found and kind == "SEQUENCE":  # a serial column's sequence
        found = serial_owner(snapshot.tables, name) is not None
    if not found:
        what, sqlstate = ("type", "42704") if kind == "TYPE" else ("relation", "42P01")
        if if_exists:
            session.notice(f'{what} "{name}" does not exist, skipping')
            return Result(None, 0, f"ALTER {kind}")
        raise ProgrammingError(f'{what} "{name}" does not exist', sqlstate=sqlstate)
    role_name = role.lower() if role.lower() in _CURRENT else identifier_name(role)
    if role_name not in _CURRENT and role_name != (session.user or ""):  # pg_roles lists the user alone
        raise ProgrammingError(f'role "{role_name}" does not exist', sqlstate="42704")
    return Result(None, 0, f"ALTER {kind}")
