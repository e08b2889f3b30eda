"""An index's key order (``DESC``, ``NULLS FIRST``/``LAST``) is kept in the catalog as PostgreSQL 16
keeps it: pg_index.indoption, pg_get_indexdef and pg_indexes (it was dropped, so SQLAlchemy's
reflection lost ``column_sorting`` and Alembic's comparison saw every such index change)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

SETUP = [
    "CREATE TABLE events (id int PRIMARY KEY, at timestamptz, kind text, n int)",
    "CREATE INDEX events_at ON events (at DESC)",
    "CREATE INDEX events_mixed ON events (kind, n DESC NULLS LAST, at NULLS FIRST, ((n + 1)) DESC NULLS FIRST)",
    "CREATE UNIQUE INDEX events_kind_n ON events (kind ASC NULLS LAST, n)",
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT c.relname, i.indoption FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relname LIKE 'events_%' ORDER BY 1",
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'events' ORDER BY 1",
        "SELECT pg_get_indexdef('events_mixed'::regclass), pg_get_indexdef('events_mixed'::regclass, 2, false)",
    ],
)
def test_index_orders_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert lake.rows == postgres.rows


def test_sqlalchemy_reflects_the_order(both):
    def sorting(conn) -> dict:
        engine = sa.create_engine("postgresql+psycopg://", creator=lambda: conn)
        with engine.connect() as connection:
            indexes = sa.inspect(connection).get_indexes("events")
        return {index["name"]: index.get("column_sorting") for index in indexes}

    assert sorting(both.lake) == sorting(both.postgres)
