"""Views that read a relation being dropped: DROP VIEW and DROP TABLE refuse with PostgreSQL's
2BP01 while a view outside the statement still reads what they drop (the view was left reading
nothing), and with CASCADE drop those views too, however indirectly they depend, with PostgreSQL's
NOTICE."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlglot import exp

from ..errors import Notice, ProgrammingError
from . import view_definitions

if TYPE_CHECKING:
    from catalog import Transaction

    from .session import Session


def drop_dependent_views(session: "Session", tx: "Transaction", dropped: set[str], cascade: bool, what: str) -> None:
    """Refuse (2BP01, naming ``what``: ``view pv``, ``table t``) or, with ``cascade``, drop the views
    that read a relation in ``dropped``."""
    dependents = _dependents(tx.views, dropped)
    if not dependents:
        return
    lines = "\n".join(f"view {view} depends on {'view' if on in tx.views else 'table'} {on}" for view, on in dependents)
    if not cascade:
        raise ProgrammingError(
            f"cannot drop {what} because other objects depend on it",
            sqlstate="2BP01",
            detail=lines,
            hint="Use DROP ... CASCADE to drop the dependent objects too.",
        )
    if len(dependents) == 1:
        session.notice(f"drop cascades to view {dependents[0][0]}")
    else:
        session.notice(Notice(f"drop cascades to {len(dependents)} other objects", "NOTICE", "00000", detail=lines))
    tx.set_views({name: text for name, text in tx.views.items() if name not in {view for view, _ in dependents}})


def _dependents(views: Mapping[str, str], dropped: set[str]) -> list[tuple[str, str]]:
    """(view, the relation it reads that goes) for every view reading a dropped relation, directly or
    through views that go with it, in the order found."""
    reads = {name: _relations(name, text) for name, text in views.items()}
    gone, found = set(dropped), []
    grew = True
    while grew:
        grew = False
        for view, relations in reads.items():
            hit = next((r for r in sorted(relations) if r in gone), None) if view not in gone else None
            if hit is not None:
                found.append((view, hit))
                gone.add(view)
                grew = True
    return found


def _relations(name: str, text: str) -> set[str]:
    """The tables and views a stored view's query reads (not its own CTEs)."""
    query = view_definitions.read(name, text).query()
    ctes = {cte.alias for cte in query.find_all(exp.CTE)}
    return {t.name for t in query.find_all(exp.Table) if t.name not in ctes}
