"""TEMPORARY tables end with their session, and ON COMMIT DROP | DELETE ROWS | PRESERVE ROWS.

A temporary table is a table of the session's branch, so queries, writes, indexes and
constraints treat it as they treat any table; the session remembers it and drops it when it ends
(a connection closed, ``DISCARD TEMP`` or ``DISCARD ALL``), as PostgreSQL drops a backend's temporary
tables, so the next session can create one of the same name. ``ON COMMIT DROP`` drops it and
``ON COMMIT DELETE ROWS`` empties it in the transaction that commits, before it commits.

Unlike PostgreSQL's, a temporary table is visible to the branch's other sessions while it lives,
and two sessions cannot hold temporary tables of one name at once (42P07, as for any table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from catalog import CatalogError, Transaction

from ..sql.dialect import ON_COMMIT_DROP

if TYPE_CHECKING:
    from .session import Session

PRESERVE, DELETE_ROWS, DROP = "preserve rows", "delete rows", "drop"


def on_commit(stmt: exp.Create) -> str | None:
    """What a CREATE TABLE says to do at commit: None for a table that is not temporary."""
    properties = stmt.args.get("properties")
    found = properties.expressions if isinstance(properties, exp.Properties) else []
    if not any(isinstance(p, exp.TemporaryProperty) for p in found):
        return None
    clause = next((p for p in found if isinstance(p, exp.OnCommitProperty)), None)
    if clause is None:
        return PRESERVE
    if clause.args.get("delete"):
        return DELETE_ROWS
    return DROP if clause.meta.get(ON_COMMIT_DROP) else PRESERVE


class TemporaryTables:
    """The temporary tables a session created, by (branch, name), with their ON COMMIT action.

    What a transaction creates, drops or renames counts once it commits: a rolled-back CREATE
    leaves nothing to drop, and a rolled-back DROP leaves the table the session's to drop at its end
    (never a table of the same name another session made meanwhile)."""

    def __init__(self) -> None:
        self._tables: dict[tuple[str, str], str] = {}
        self._pending: dict[tuple[str, str], str | None] = {}
        """The open transaction's changes: an action for a table it created, None for one it dropped."""

    def created(self, branch: str, name: str, action: str) -> None:
        self._pending[(branch, name)] = action

    def dropped(self, branch: str, name: str) -> None:
        if (branch, name) in self._current():
            self._pending[(branch, name)] = None

    def renamed(self, branch: str, old: str, new: str) -> None:
        action = self._current().get((branch, old))
        if action is not None:
            self._pending[(branch, old)] = None
            self._pending[(branch, new)] = action

    def committed(self) -> None:
        for key, action in self._pending.items():
            if action is None:
                self._tables.pop(key, None)
            else:
                self._tables[key] = action
        self._pending.clear()

    def rolled_back(self) -> None:
        self._pending.clear()

    def _current(self) -> dict[tuple[str, str], str]:
        """The session's temporary tables as its open transaction sees them."""
        merged = {**self._tables, **self._pending}
        return {key: action for key, action in merged.items() if action is not None}

    def before_commit(self, tx: Transaction) -> None:
        """ON COMMIT DROP and DELETE ROWS, in the transaction about to commit."""
        for (branch, name), action in self._current().items():
            if branch != tx.branch or name not in tx.tables:
                continue
            if action == DROP:
                tx.drop_table(name)
                self.dropped(branch, name)
            elif action == DELETE_ROWS:
                tx.delete_where(name)

    def discard(self, session: "Session") -> None:
        """DISCARD TEMP: inside a transaction block, the block's branch's temporary tables are
        dropped by the block (its rollback keeps them); outside one, every one is, at once."""
        if session.transaction_block is None:
            self.drop_all(session)
            return
        tx = session.write_tx()
        for branch, name in list(self._current()):
            if branch == tx.branch:
                tx.drop_table(name, if_exists=True)
                self.dropped(branch, name)

    def drop_all(self, session: "Session") -> None:
        """Drop every temporary table the session holds (outside a transaction), each branch's in
        one commit of its own. A table another transaction dropped is simply gone; a branch deleted
        meanwhile took its tables with it."""
        for branch in sorted({branch for branch, _ in self._tables}):
            names = [name for b, name in self._tables if b == branch]
            try:
                tx = session.repo.begin(branch)
                for name in names:
                    tx.drop_table(name, if_exists=True)
                tx.commit(message=f"drop temporary tables {', '.join(names)}", author=session.user or "")
            except CatalogError:  # the branch is gone (and its tables with it), or a conflict kept them
                continue
        self._tables.clear()
