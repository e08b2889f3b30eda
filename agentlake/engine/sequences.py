"""Sequences as SQL functions: ``nextval``, ``currval``, ``setval``, ``lastval`` and
``pg_get_serial_sequence``, of standalone sequences (CREATE SEQUENCE, :mod:`.sequence_ddl`) and of
the sequences behind serial and identity columns.

A serial column's sequence is named as PostgreSQL names it (``items_id_seq``) and counts in a
repository-wide counter (``ddl.sequence_counter``), so branches never hand out the same value.
``currval`` and ``lastval`` are the session's, as in PostgreSQL: the last value this session took
from a sequence, by ``nextval``, by ``setval`` or by an INSERT filling a serial column. Like
PostgreSQL's, none of them is undone by a rollback. A standalone sequence counts in the repository
counter its definition names: a value is the counter's less 1 plus the sequence's origin (its first
START), so setval and RESTART move the counter and ALTER ... INCREMENT changes only the steps
after. Past its MAXVALUE (MINVALUE, descending) nextval is 2200H, or with CYCLE starts again from
the other bound.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DataError, OperationalError, ProgrammingError
from ..sql.pg_quoting import identifier_name
from .ddl import next_serials, sequence_counter, sequence_steps

if TYPE_CHECKING:
    from collections.abc import Mapping

    from catalog import Manifest

    from .session import Session

_LARGEST = 2**63 - 1


class SequenceValues:
    """The last value this session took from each sequence, and from any (``lastval``)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}
        self._latest: int | None = None

    def taken(self, sequence: str, value: int) -> None:
        self._last[sequence] = self._latest = int(value)

    def current(self, sequence: str) -> int:
        if sequence not in self._last:
            raise OperationalError(
                f'currval of sequence "{sequence}" is not yet defined in this session', sqlstate="55000"
            )
        return self._last[sequence]

    def latest(self) -> int:
        if self._latest is None:
            raise OperationalError("lastval is not yet defined in this session", sqlstate="55000")
        return self._latest


def sequence_name(text: str) -> str:
    """A sequence named as regclass input reads it: schema dropped, unquoted names lower-cased."""
    return identifier_name(text.strip().rsplit(".", 1)[-1])


def serial_owner(tables: "Mapping[str, Manifest]", name: str) -> tuple[str, str] | None:
    """(table, column) of the serial or identity column whose sequence is ``name``, if one is."""
    for table, manifest in tables.items():
        for column, sequence in ((manifest.constraints or {}).get("identity") or {}).items():
            if sequence == name:
                return table, column
    return None


def serial_column(session: "Session", text: str) -> tuple["Manifest", str]:
    """The table and column whose sequence ``text`` names; 42P01 when no serial column has it."""
    name = sequence_name(text)
    owner = serial_owner(session.snapshot.tables, name)
    if owner is None:
        raise ProgrammingError(f'relation "{name}" does not exist', sqlstate="42P01")
    return session.snapshot.tables[owner[0]], owner[1]


def nextval(session: "Session", text: str) -> int:
    name = sequence_name(text)
    spec = session.snapshot.sequences.get(name)
    if spec is not None:
        return _next_standalone(session, name, spec)
    manifest, column = serial_column(session, text)
    return int(next_serials(session, manifest, column, 1)[0])


def _next_standalone(session: "Session", name: str, spec: dict) -> int:
    value = session.repo.nextval(spec["counter"], spec["increment"]) - 1 + spec["origin"]
    if not spec["minvalue"] <= value <= spec["maxvalue"]:
        ascending = spec["increment"] > 0
        if not spec["cycle"]:
            which, bound = ("maximum", spec["maxvalue"]) if ascending else ("minimum", spec["minvalue"])
            raise DataError(f'nextval: reached {which} value of sequence "{name}" ({bound})', sqlstate="2200H")
        value = spec["minvalue"] if ascending else spec["maxvalue"]
        restart(session, spec, value + spec["increment"])
    session.sequence_values.taken(name, value)
    return value


def restart(session: "Session", spec: dict, following: int) -> None:
    """Move a standalone sequence's counter so that its next value is ``following`` (ALTER SEQUENCE
    ... RESTART, setval, and CYCLE's wrap)."""
    standing = session.repo.nextval(spec["counter"], 0)
    session.repo.nextval(spec["counter"], following + 1 - spec["origin"] - standing)


def restart_serial(session: "Session", name: str, value: int | None) -> None:
    """ALTER SEQUENCE ... RESTART [WITH value] of a serial or identity column's sequence."""
    manifest, column = serial_column(session, name)
    setval(session, name, sequence_steps(manifest, column)[0] if value is None else value, is_called=False)


def currval(session: "Session", text: str) -> int:
    if sequence_name(text) not in session.snapshot.sequences:
        serial_column(session, text)
    return session.sequence_values.current(sequence_name(text))


def setval(session: "Session", text: str, value: int, is_called: bool = True) -> int:
    """Make the sequence's next value ``value`` plus its INCREMENT (``value`` when ``is_called`` is false). The
    counter moves by the difference from where it stands, so a nextval racing with this one in
    another process may land on either side of it, as with PostgreSQL's (non-transactional) setval."""
    name = sequence_name(text)
    spec = session.snapshot.sequences.get(name)
    if spec is not None:
        return _set_standalone(session, name, spec, value, is_called)
    manifest, column = serial_column(session, text)
    if not 1 <= value <= _LARGEST:
        raise DataError(
            f'setval: value {value} is out of bounds for sequence "{name}" (1..{_LARGEST})', sqlstate="22003"
        )
    start, increment = sequence_steps(manifest, column)
    counter = sequence_counter(manifest, column)
    standing = session.repo.nextval(counter, 0)
    following = value + (increment if is_called else 0)
    session.repo.nextval(counter, following - (start - 1) - standing)
    if is_called:
        session.sequence_values.taken(name, value)
    return value


def _set_standalone(session: "Session", name: str, spec: dict, value: int, is_called: bool) -> int:
    if not spec["minvalue"] <= value <= spec["maxvalue"]:
        bounds = f"{spec['minvalue']}..{spec['maxvalue']}"
        raise DataError(f'setval: value {value} is out of bounds for sequence "{name}" ({bounds})', sqlstate="22003")
    restart(session, spec, value + (spec["increment"] if is_called else 0))
    if is_called:
        session.sequence_values.taken(name, value)
    return value


def serial_sequence(session: "Session", table: str, column: str) -> str | None:
    """``pg_get_serial_sequence``: the schema-qualified name of a column's sequence, NULL for a
    column without one; 42P01 and 42703 for a table or column that does not exist."""
    name = sequence_name(table)
    manifest = session.snapshot.tables.get(name)
    if manifest is None and name in session.snapshot.views:
        return None  # a view's columns own no sequence
    if manifest is None:
        raise ProgrammingError(f'relation "{name}" does not exist', sqlstate="42P01")
    if column not in manifest.schema.names:
        raise ProgrammingError(f'column "{column}" of relation "{name}" does not exist', sqlstate="42703")
    sequence = ((manifest.constraints or {}).get("identity") or {}).get(column)
    return None if sequence is None else f"public.{sequence}"
