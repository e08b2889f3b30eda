"""Users of a repository's server: SCRAM verifiers and per-branch rights, kept in ``users.json``.

The file lives in the repository folder (its configuration), so the rights
travel with the data. Rights are glob patterns over branch names with an
access level: ``read`` or ``write`` (write implies read). The server
authenticates here and hands the engine a :class:`Rights` object, which checks
every statement (see ``agentlake.engine.rights``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field

from ..engine.rights import READ, WRITE, Rights
from .auth import make_verifier

FILE_NAME = "users.json"


@dataclass
class User:
    name: str
    verifier: str
    rights: list[tuple[str, str]] = field(default_factory=list)  # (branch glob, "read"|"write")

    def engine_rights(self) -> Rights:
        """What the engine checks for this user's sessions."""
        return Rights(
            self.name,
            tuple(p for p, level in self.rights if level == READ),
            tuple(p for p, level in self.rights if level == WRITE),
        )


def repo_folder(repo: str) -> str:
    """The local folder of a repository URL or name (users.json is kept beside its data)."""
    from catalog import resolve_url

    url = resolve_url(repo)
    if url.startswith("file://"):
        url = url[len("file://") :]
    if "://" in url:
        raise ValueError(f"users are stored in local repositories only, not {url}")
    return os.path.abspath(os.path.expanduser(url))


class UserStore:
    """Reads and writes ``users.json``; writes are atomic (temp file + rename)."""

    def __init__(self, folder: str) -> None:
        self.path = os.path.join(folder, FILE_NAME)

    def load(self) -> dict[str, User]:
        try:
            with open(self.path, encoding="utf-8") as fh:
                raw = json.load(fh)
        except FileNotFoundError:
            return {}
        return {
            name: User(name, entry["verifier"], [tuple(r) for r in entry.get("rights", [])])
            for name, entry in raw.get("users", {}).items()
        }

    def _save(self, users: dict[str, User]) -> None:
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        payload = {
            "version": 1,
            "users": {u.name: {"verifier": u.verifier, "rights": [list(r) for r in u.rights]} for u in users.values()},
        }
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".users-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def add(self, name: str, password: str, read: list[str] = (), write: list[str] = ()) -> User:
        """Create or replace a user; ``read``/``write`` are branch glob patterns."""
        if not name or "\x00" in name:
            raise ValueError("user name must be non-empty")
        users = self.load()
        rights = [(p, READ) for p in read] + [(p, WRITE) for p in write]
        users[name] = User(name, make_verifier(password), rights)
        self._save(users)
        return users[name]

    def remove(self, name: str) -> bool:
        users = self.load()
        if users.pop(name, None) is None:
            return False
        self._save(users)
        return True

    def list(self) -> list[User]:
        return sorted(self.load().values(), key=lambda u: u.name)

    def get(self, name: str) -> User | None:
        return self.load().get(name)
