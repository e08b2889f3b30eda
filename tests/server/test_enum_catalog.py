"""A branch's enum types (CREATE TYPE ... AS ENUM) in pg_catalog and information_schema, and the
clients that read them there, answering as PostgreSQL 16 does: pg_type and pg_enum rows,
format_type, ::regtype, to_regtype and pg_typeof naming the type, information_schema.columns,
psql's ``\\d`` and ``\\dT``, asyncpg's type introspection (binding and reading enum values), psycopg's
EnumInfo, and SQLAlchemy's Enum (create_all checking the type exists, get_enums, reflection).
OIDs differ between the two (PostgreSQL numbers types as they are created), so they are compared
through joins, not as numbers."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from psycopg.types.enum import EnumInfo

asyncpg = pytest.importorskip("asyncpg")

SETUP = [
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
    "CREATE TABLE person (name text, current_mood mood NOT NULL)",
    "INSERT INTO person VALUES ('Moe', 'happy'), ('Larry', 'sad')",
]
TYPE_ROWS = (
    "SELECT t.typname, n.nspname, t.typlen, t.typbyval, t.typtype, t.typcategory, t.typinput, t.typoutput,"
    " t.typcollation, e.typname AS element, a.typname AS array_type"
    " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    " LEFT JOIN pg_type e ON e.oid = t.typelem LEFT JOIN pg_type a ON a.oid = t.typarray"
    " WHERE t.typname IN ('mood', '_mood', 'feeling', '_feeling') ORDER BY t.typname"
)
LABELS = (
    "SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid"
    " ORDER BY t.typname, e.enumsortorder"
)
COLUMNS = (
    "SELECT attname, format_type(atttypid, atttypmod), attlen, attstorage FROM pg_attribute"
    " WHERE attrelid = 'person'::regclass AND attnum > 0 ORDER BY attnum"
)
INFO_COLUMNS = (
    "SELECT column_name, data_type, udt_schema, udt_name, is_nullable FROM information_schema.columns"
    " WHERE table_name = 'person' ORDER BY ordinal_position"
)
CATALOG = [
    TYPE_ROWS,
    LABELS,
    COLUMNS,
    INFO_COLUMNS,
    "SELECT pg_typeof(current_mood)::text FROM person LIMIT 1",
    "SELECT 'mood'::regtype::text, to_regtype('public.mood')::text, to_regtype('mood[]')::text",
    "SELECT to_regtype('mood') = t.oid, 'mood'::regtype = t.oid FROM pg_type t WHERE t.typname = 'mood'",
    "SELECT to_regtype('mood'), to_regtype('nosuch'), to_regtype('integer')",
    "SELECT format_type(typarray, NULL) FROM pg_type WHERE typname = 'mood'",
    # SQLAlchemy's and Alembic's enum reflection
    "SELECT t.typname, ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid"
    " ORDER BY e.enumsortorder) FROM pg_type t WHERE t.typtype = 'e' AND pg_type_is_visible(t.oid)",
]
ALTERED = [TYPE_ROWS, LABELS, COLUMNS, INFO_COLUMNS]


@pytest.fixture
def reference_dsn(postgres_server) -> str:
    """A database of its own on PostgreSQL, so that the type is created afresh."""
    with psycopg.connect(postgres_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS enum_catalog WITH (FORCE)")
        admin.execute("CREATE DATABASE enum_catalog")
    info = postgres_server.get_postmaster_info()
    return f"host={info.socket_dir} port={info.port} dbname=enum_catalog user=postgres connect_timeout=10"


@pytest.fixture
def both(server, reference_dsn) -> Callable[[Callable[[psycopg.Connection], Any]], tuple[Any, Any]]:
    """Runs ``work`` on an autocommit psycopg connection to agentlake, then to PostgreSQL: (ours, theirs)."""

    def run(work: Callable[[psycopg.Connection], Any]) -> tuple[Any, Any]:
        answers = []
        for dsn in (server.dsn(), reference_dsn):
            with psycopg.connect(dsn, autocommit=True) as conn:
                answers.append(work(conn))
        return answers[0], answers[1]

    return run


def _answers(conn: psycopg.Connection, statements: list[str]) -> list[Any]:
    """Each statement's rows, or its error's SQLSTATE and message."""
    out = []
    for sql in statements:
        try:
            cur = conn.execute(sql)
            out.append(cur.fetchall() if cur.description else cur.statusmessage)
        except psycopg.Error as err:
            out.append((err.sqlstate, str(err).splitlines()[0]))
    return out


def test_catalog_lists_the_enum_type_as_postgres_does(both):
    ours, theirs = both(lambda conn: _answers(conn, SETUP + CATALOG))
    assert ours == theirs
    assert ours[len(SETUP)] == [
        ("_mood", "public", -1, False, "b", "A", "array_in", "array_out", 0, "mood", None),
        ("mood", "public", 4, True, "e", "E", "enum_in", "enum_out", 0, None, "_mood"),
    ]
    assert ours[len(SETUP) + 3] == [
        ("name", "text", "pg_catalog", "text", "YES"),
        ("current_mood", "USER-DEFINED", "public", "mood", "NO"),
    ]


def test_catalog_follows_alter_type_and_drop_type(both):
    script = SETUP + [
        "ALTER TYPE mood ADD VALUE 'ecstatic'",
        *ALTERED,
        "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'",
        "ALTER TYPE mood RENAME TO feeling",
        *ALTERED,
        "DROP TABLE person",
        "DROP TYPE feeling",
        TYPE_ROWS,
        LABELS,
    ]
    ours, theirs = both(lambda conn: _answers(conn, script))
    assert ours == theirs
    assert ours[-2:] == [[], []]


def test_a_name_that_needs_quotes_is_quoted_where_postgres_quotes_it(both):
    script = [
        "CREATE TYPE \"two words\" AS ENUM ('a', 'b')",
        'CREATE TABLE pair (x "two words")',
        "INSERT INTO pair VALUES ('a')",
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'pair'::regclass AND attnum = 1",
        "SELECT pg_typeof(x)::text, to_regtype('\"two words\"')::text FROM pair",
        "SELECT udt_name FROM information_schema.columns WHERE table_name = 'pair'",
    ]
    ours, theirs = both(lambda conn: _answers(conn, script))
    assert ours == theirs
    assert ours[3:] == [[('"two words"',)], [('"two words"', '"two words"')], [("two words",)]]


def test_result_columns_carry_the_oid_pg_type_lists(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for sql in SETUP:
            conn.execute(sql)
        cur = conn.execute("SELECT current_mood FROM person")
        listed = conn.execute("SELECT oid FROM pg_type WHERE typname = 'mood'").fetchone()
        assert listed == (cur.description[0].type_code,)


def test_psycopg_enum_info_and_register_enum(both):
    def work(conn: psycopg.Connection) -> tuple:
        for sql in SETUP:
            conn.execute(sql)
        info = EnumInfo.fetch(conn, "mood")
        psycopg.types.enum.register_enum(info, conn)
        conn.execute("INSERT INTO person VALUES (%s, %s)", ("Curly", info.enum["ok"]))
        rows = conn.execute("SELECT name, current_mood FROM person ORDER BY name", binary=True).fetchall()
        return info.name, info.labels, [(name, mood.name) for name, mood in rows]

    ours, theirs = both(work)
    assert ours == theirs == ("mood", ["sad", "ok", "happy"], [("Curly", "ok"), ("Larry", "sad"), ("Moe", "happy")])


def _asyncpg_session(connect: dict[str, Any]) -> list[Any]:
    """Binds enum values in binary after asyncpg's type introspection, reads them back, and a wrong label."""

    async def main() -> list[Any]:
        conn = await asyncpg.connect(**connect)
        try:
            for sql in SETUP[:2]:
                await conn.execute(sql)
            await conn.execute("INSERT INTO person VALUES ($1, $2)", "Moe", "happy")
            await conn.executemany("INSERT INTO person VALUES ($1, $2)", [("Larry", "sad"), ("Curly", "ok")])
            rows = [tuple(r) for r in await conn.fetch("SELECT * FROM person WHERE current_mood = $1", "sad")]
            rows += [tuple(r) for r in await conn.fetch("SELECT name, current_mood FROM person ORDER BY name")]
            try:
                await conn.execute("INSERT INTO person VALUES ($1, $2)", "x", "bad")
            except asyncpg.PostgresError as err:
                rows.append((err.sqlstate, str(err)))
            return rows
        finally:
            await conn.close()

    return asyncio.run(main())


def test_asyncpg_binds_and_reads_enum_values(server, reference_dsn):
    keywords = dict(part.split("=", 1) for part in reference_dsn.split())
    reference = {
        "host": keywords["host"],
        "port": int(keywords["port"]),
        "user": "postgres",
        "database": "enum_catalog",
    }
    ours = _asyncpg_session({"host": "127.0.0.1", "port": server.port, "user": "alice", "database": server.database})
    assert ours == _asyncpg_session(reference)
    assert ours == [
        ("Larry", "sad"),
        ("Curly", "ok"),
        ("Larry", "sad"),
        ("Moe", "happy"),
        ("22P02", 'invalid input value for enum mood: "bad"'),
    ]


def _sqlalchemy_session(url: str) -> dict[str, Any]:
    """create_all twice (the second finds the type and the table), then what reflection reads back."""
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    person = sa.Table(
        "person",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mood", sa.Enum("sad", "ok", "happy", name="mood")),
    )
    try:
        metadata.create_all(engine)
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(person.insert(), [{"id": 1, "mood": "happy"}, {"id": 2, "mood": "sad"}])
            rows = conn.execute(sa.select(person).where(person.c.mood == "sad")).all()
        inspector = sa.inspect(engine)
        out = {
            "rows": [tuple(r) for r in rows],
            "enums": inspector.get_enums(),
            "columns": [(c["name"], repr(c["type"]), c["nullable"]) for c in inspector.get_columns("person")],
            "reflected": repr(sa.Table("person", sa.MetaData(), autoload_with=engine).c.mood.type),
        }
        metadata.drop_all(engine)
        out["after_drop_all"] = sa.inspect(engine).get_enums()
        return out
    finally:
        engine.dispose()


def test_sqlalchemy_enum_create_all_twice_and_reflection(server, reference_dsn):
    keywords = dict(part.split("=", 1) for part in reference_dsn.split())
    reference = f"postgresql+psycopg://postgres@/enum_catalog?host={keywords['host']}&port={keywords['port']}"
    ours = _sqlalchemy_session(server.url())
    assert ours == _sqlalchemy_session(reference)
    assert ours["enums"] == [{"name": "mood", "schema": "public", "visible": True, "labels": ["sad", "ok", "happy"]}]
    assert ours["columns"][1] == ("mood", "ENUM('sad', 'ok', 'happy', name='mood')", True)
    assert ours["after_drop_all"] == []


PSQL = shutil.which("psql")


@pytest.mark.skipif(PSQL is None, reason="psql (postgresql-client) is not installed")
@pytest.mark.parametrize("command", [r"\d person", r"\dT mood", r"\dT+ mood"])
def test_psql_describes_the_type(both, server, reference_dsn, command):
    both(lambda conn: _answers(conn, SETUP))
    keywords = dict(part.split("=", 1) for part in reference_dsn.split())
    targets = [
        ("127.0.0.1", str(server.port), "alice", server.database),
        (keywords["host"], keywords["port"], "postgres", "enum_catalog"),
    ]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10", "PAGER": "", "PSQL_PAGER": ""}
    outputs = [
        subprocess.run(
            [PSQL, "-X", "-A", "-h", host, "-p", port, "-U", user, "-d", database, "-c", command],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        ).stdout.replace("|postgres|", "|alice|")
        for host, port, user, database in targets
    ]
    assert outputs[0] == outputs[1]
    assert "mood" in outputs[0]
