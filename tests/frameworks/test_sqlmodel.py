"""SQLModel with pgvector's SQLAlchemy type and JSONB, as their docs use them: create_all, add and
commit, session.get, nearest neighbours by cosine distance with the distance selected, a ``@>``
(contains) filter ordered by L2 distance, a jsonb path compared as an integer, update, refresh and
delete; sync on psycopg 3 and async on asyncpg. The same answers on agentlake and PostgreSQL 16."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import pytest

from .corpus import DOCUMENTS, assert_same_steps
from .embeddings import DIMENSIONS, embed

pytest.importorskip("sqlmodel")
pytest.importorskip("pgvector.sqlalchemy")
from pgvector.sqlalchemy import Vector  # noqa: E402
from sqlalchemy import Column  # noqa: E402
from sqlalchemy.dialects.postgresql import JSONB  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlmodel import Field, Session, SQLModel, create_engine, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

pytestmark = pytest.mark.timeout(180)


class Note(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    body: str
    meta: dict = Field(default_factory=dict, sa_column=Column(JSONB))
    embedding: Any = Field(sa_column=Column(Vector(DIMENSIONS)))


def _notes() -> list[Note]:
    return [
        Note(body=text, meta={"n": i, "tags": ["odd"] if i % 2 else ["even"], "topic": topic}, embedding=embed(text))
        for i, (text, _, topic) in enumerate(DOCUMENTS)
    ]


QUERY = embed("fresh fruit at the market")
NEAREST = (
    select(Note.id, Note.embedding.cosine_distance(QUERY).label("d"))
    .order_by(Note.embedding.cosine_distance(QUERY))
    .limit(4)
)
CONTAINS = select(Note).where(Note.meta.contains({"tags": ["odd"]})).order_by(Note.embedding.l2_distance(QUERY))
AT_LEAST = select(Note.id).where(Note.meta["n"].as_integer() >= 7).order_by(Note.id)


def sync_steps(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    steps: dict[str, Any] = {}
    with Session(engine) as session:
        session.add_all(_notes())
        session.commit()
        note = session.get(Note, 3)
        steps["get"] = (note.body, note.meta, [round(float(x), 6) for x in note.embedding])
        steps["nearest"] = [(row[0], float(row[1])) for row in session.exec(NEAREST).all()]
        steps["contains"] = [(row.id, row.meta) for row in session.exec(CONTAINS).all()]
        steps["jsonb_integer"] = list(session.exec(AT_LEAST).all())
        note.body = "changed"
        session.add(note)
        session.commit()
        session.refresh(note)
        steps["refresh"] = note.body
        session.delete(note)
        session.commit()
        steps["after_delete"] = session.get(Note, 3)
    SQLModel.metadata.drop_all(engine)
    engine.dispose()
    return steps


async def async_steps(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    steps: dict[str, Any] = {}
    async with AsyncSession(engine) as session:
        session.add_all(_notes())
        await session.commit()
        note = await session.get(Note, 3)
        steps["get"] = (note.body, note.meta)
        steps["nearest"] = [(row[0], float(row[1])) for row in (await session.exec(NEAREST)).all()]
        steps["contains"] = [(row.id, row.meta) for row in (await session.exec(CONTAINS)).all()]
        await session.delete(note)
        await session.commit()
        steps["after_delete"] = await session.get(Note, 3)
    await engine.dispose()
    return steps


def test_sync_psycopg(targets):
    lake, postgres = targets
    assert_same_steps(sync_steps(lake.url("psycopg")), sync_steps(postgres.url("psycopg")))


def test_async_asyncpg(targets):
    lake, postgres = targets
    assert_same_steps(asyncio.run(async_steps(lake.url("asyncpg"))), asyncio.run(async_steps(postgres.url("asyncpg"))))
