"""Who may touch which branch: a user's rights, checked by the engine on every statement and
branch operation (the server authenticates a user and hands these in; the embedded API runs with
none, which allows everything).

Rights are glob patterns over branch names (``agent-*``), one tuple for reading and one for
writing; writing implies reading. A tag or commit id given where a ref is read is matched the
same way, so only a user who may read every ref (``*``) reads by commit id.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from ..errors import ProgrammingError

READ, WRITE = "read", "write"


class InsufficientPrivilege(ProgrammingError):
    """SQLSTATE 42501, PostgreSQL's insufficient_privilege."""

    sqlstate = "42501"


@dataclass(frozen=True)
class Rights:
    """One user's branch patterns; immutable, so a session's rights cannot change under it."""

    user: str
    read: tuple[str, ...] = ()
    write: tuple[str, ...] = ()

    def may(self, branch: str, access: str) -> bool:
        patterns = self.write if access == WRITE else self.read + self.write
        return any(fnmatch.fnmatchcase(branch, pattern) for pattern in patterns)


def require(rights: Rights | None, branch: str, access: str) -> None:
    """Raise 42501 unless ``rights`` (None: the embedded API, everything allowed) give ``access``
    to ``branch``; the message is PostgreSQL's for a table, said of a branch."""
    if rights is not None and not rights.may(branch, access):
        raise InsufficientPrivilege(f"permission denied for branch {branch}")
