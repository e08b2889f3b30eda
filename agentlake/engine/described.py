"""The columns a statement returns, remembered per session while the schema it read stays the same.

A PostgreSQL client describes every statement it has not prepared (psycopg, until a statement has run
five times; SQLAlchemy and the agent frameworks, always): Parse, Describe, Bind, Execute. Describing
plans the statement, which after any write to the branch means registering the changed tables again
and running the SQL rewrites, about 7 ms, several times the statement itself. The answer depends on the
statement's text and on the schema, not on the rows, so it is kept per session under a key made of the
text, the identity of each table's schema object (a write keeps its manifest's schema object; DDL makes
a new one, as does reading the manifest afresh), the views, the extensions, the enum types and the
search path.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable

import pyarrow as pa

from catalog import Snapshot

from ..pgcatalog.types import enum_key

SIZE = 256


class _Same:
    """Compares by identity and holds its object, so the identity cannot be reused meanwhile."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


class DescribedColumns:
    """A session's remembered descriptions (least recently used ones go past ``SIZE``)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple, pa.Schema | None] = OrderedDict()

    def get(
        self, sql: str, snapshot: Snapshot, search_path: str, describe: Callable[[], pa.Schema | None]
    ) -> pa.Schema | None:
        key = (
            sql,
            search_path,
            tuple((name, _Same(manifest.schema)) for name, manifest in snapshot.tables.items()),
            tuple(snapshot.views.items()),
            tuple(snapshot.extensions.items()),
            enum_key(snapshot.types),
        )
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        schema = describe()
        self._entries[key] = schema
        if len(self._entries) > SIZE:
            self._entries.popitem(last=False)
        return schema
