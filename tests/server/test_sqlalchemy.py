"""SQLAlchemy 2 (psycopg dialect) with default settings: first connect, DDL, reflection, Core and ORM."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm


def _metadata() -> tuple[sa.MetaData, sa.Table]:
    metadata = sa.MetaData()
    table = sa.Table("things", metadata, sa.Column("id", sa.BigInteger), sa.Column("name", sa.String(50)))
    return metadata, table


def test_first_connect_create_all_and_inspect(server):
    engine = sa.create_engine(server.url())
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 41 + 1")).scalar() == 42
            assert conn.dialect.server_version_info[0] == 16
        metadata, _ = _metadata()
        metadata.create_all(engine)
        metadata.create_all(engine)  # the existence check finds the table: no second CREATE
        inspector = sa.inspect(engine)
        assert inspector.get_table_names() == ["things"]
        assert inspector.has_table("things") and not inspector.has_table("nothing")
        columns = {c["name"]: c for c in inspector.get_columns("things")}
        assert set(columns) == {"id", "name"}
        assert isinstance(columns["id"]["type"], sa.BigInteger)
        assert columns["id"]["nullable"] is True
    finally:
        engine.dispose()


class Base(orm.DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: orm.Mapped[int] = orm.mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    body: orm.Mapped[str] = orm.mapped_column(sa.String(200))


def test_core_crud(server, real_engine):
    engine = sa.create_engine(server.url())
    metadata, things = _metadata()
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(things.insert(), [{"id": i, "name": f"n{i}"} for i in range(5)])
    with engine.begin() as conn:
        conn.execute(things.update().where(things.c.id == 2).values(name="two"))
        conn.execute(things.delete().where(things.c.id == 4))
    with engine.connect() as conn:
        rows = conn.execute(sa.select(things.c.id, things.c.name).order_by(things.c.id)).all()
        assert rows == [(0, "n0"), (1, "n1"), (2, "two"), (3, "n3")]
        assert conn.execute(sa.select(things.c.name).where(things.c.id == sa.bindparam("k")), {"k": 3}).scalar() == "n3"
    engine.dispose()


def test_orm_add_commit_query_rollback(server, real_engine):
    engine = sa.create_engine(server.url())
    Base.metadata.create_all(engine)
    with orm.Session(engine) as session:
        session.add_all([Note(id=1, body="first"), Note(id=2, body="second")])
        session.commit()
        session.add(Note(id=3, body="discarded"))
        session.flush()
        session.rollback()
        notes = session.scalars(sa.select(Note).order_by(Note.id)).all()
        assert [(n.id, n.body) for n in notes] == [(1, "first"), (2, "second")]
        notes[0].body = "changed"
        session.commit()
        assert session.get(Note, 1).body == "changed"
    engine.dispose()


def test_orm_ids_from_a_sequence(server, real_engine):
    """A primary key numbered by ``Sequence('...')``: create_all creates the sequence (and drop_all
    drops it), the inspector lists it, and the ORM takes each new id from it."""
    metadata = sa.MetaData()
    tickets = sa.Table(
        "tickets",
        metadata,
        sa.Column("id", sa.Integer, sa.Sequence("ticket_ids", start=100), primary_key=True),
        sa.Column("title", sa.String(50)),
    )
    engine = sa.create_engine(server.url())
    try:
        metadata.create_all(engine)
        metadata.create_all(engine)  # has_sequence finds it: no second CREATE SEQUENCE
        assert sa.inspect(engine).get_sequence_names() == ["ticket_ids"]
        with engine.begin() as conn:
            first = conn.execute(tickets.insert().values(title="a")).inserted_primary_key[0]
            conn.execute(tickets.insert(), [{"title": "b"}, {"title": "c"}])
            rows = conn.execute(sa.select(tickets.c.id, tickets.c.title).order_by(tickets.c.id)).all()
        assert first == 100
        assert [tuple(r) for r in rows] == [(100, "a"), (101, "b"), (102, "c")]
        metadata.drop_all(engine)
        assert sa.inspect(engine).get_sequence_names() == []
    finally:
        engine.dispose()
