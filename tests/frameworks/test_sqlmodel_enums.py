"""A SQLModel model with a Python ``enum.Enum`` field, which SQLAlchemy maps to a native PostgreSQL
enum type: create_all (CREATE TYPE, then CREATE TABLE; again, finding both), rows added and read
back as the Python enum, filtered and sorted in the type's order, updated, and a name the type lacks
refused; drop_all drops the table and the type. Sync on psycopg 3 and async on asyncpg; the same
answers on agentlake and PostgreSQL 16."""

from __future__ import annotations

import asyncio
import enum
from typing import Any, Optional

import pytest

pytest.importorskip("sqlmodel")
from sqlalchemy import inspect, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlmodel import Field, Session, SQLModel, create_engine, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

pytestmark = pytest.mark.timeout(180)


class Status(enum.Enum):
    todo = "todo"
    doing = "doing"
    done = "done"


class Task(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    status: Status = Status.todo


TASKS = [("write", Status.done), ("review", Status.todo), ("ship", Status.doing), ("rest", Status.todo)]
ORDERED = select(Task.title, Task.status).order_by(Task.status.desc(), Task.title)
STARTED = select(Task.title).where(Task.status >= Status.doing).order_by(Task.title)


def sync_steps(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    SQLModel.metadata.create_all(engine)  # the type and the table are found, not created again
    steps: dict[str, Any] = {"enums": inspect(engine).get_enums()}
    with Session(engine) as session:
        session.add_all([Task(title=title, status=status) for title, status in TASKS])
        session.commit()
        steps["ordered"] = [tuple(row) for row in session.exec(ORDERED).all()]
        steps["started"] = list(session.exec(STARTED).all())
        task = session.exec(select(Task).where(Task.title == "review")).one()
        task.status = Status.done
        session.add(task)
        session.commit()
        session.refresh(task)
        steps["updated"] = task.status
    with engine.connect() as conn:
        with pytest.raises(DBAPIError) as caught:
            conn.execute(text("INSERT INTO task (title, status) VALUES ('x', 'lost')"))
        steps["refused"] = caught.value.orig.sqlstate
    SQLModel.metadata.drop_all(engine)
    steps["after_drop"] = inspect(engine).get_enums()
    engine.dispose()
    return steps


async def async_steps(url: str) -> dict[str, Any]:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    steps: dict[str, Any] = {}
    async with AsyncSession(engine) as session:
        session.add_all([Task(title=title, status=status) for title, status in TASKS])
        await session.commit()
        steps["ordered"] = [tuple(row) for row in (await session.exec(ORDERED)).all()]
        steps["started"] = list((await session.exec(STARTED)).all())
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.drop_all)
    await engine.dispose()
    return steps


def test_sync_psycopg(targets):
    lake, postgres = targets
    assert sync_steps(lake.url("psycopg")) == sync_steps(postgres.url("psycopg"))


def test_async_asyncpg(targets):
    lake, postgres = targets
    assert asyncio.run(async_steps(lake.url("asyncpg"))) == asyncio.run(async_steps(postgres.url("asyncpg")))
