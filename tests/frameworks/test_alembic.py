"""Alembic as its tutorial uses it, with pgvector's SQLAlchemy type: autogenerate a migration from
models with vector columns, jsonb, an HNSW index and a FOREIGN KEY ... ON DELETE CASCADE, upgrade,
autogenerate again (reflection must now find nothing to change), a second migration that adds a
column, then downgrade to base. The generated operations and the database's answers are compared
with PostgreSQL 16 + pgvector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("alembic")
pytest.importorskip("pgvector.sqlalchemy")
import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from alembic.autogenerate import compare_metadata  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.migration import MigrationContext  # noqa: E402
from pgvector.sqlalchemy import Vector  # noqa: E402
from sqlalchemy.dialects.postgresql import JSONB  # noqa: E402

from .embeddings import embed  # noqa: E402

pytestmark = pytest.mark.timeout(240)

ENV_PY = """
from alembic import context
from sqlalchemy import create_engine
from tests.frameworks.test_alembic import models

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=models(config.attributes.get("with_summary", False)))
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
"""


def models(with_summary: bool = False) -> sa.MetaData:
    """documents 1 - n chunks (ON DELETE CASCADE), vectors with an HNSW cosine index; the second
    migration adds documents.summary."""
    metadata = sa.MetaData()
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("meta", JSONB),
        sa.Column("embedding", Vector(16)),
    ]
    if with_summary:
        columns.append(sa.Column("summary", sa.Text))
    sa.Table("documents", metadata, *columns)
    chunks = sa.Table(
        "chunks",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("embedding", Vector(16), nullable=False),
    )
    sa.Index(
        "ix_chunks_embedding",
        chunks.c.embedding,
        postgresql_using="hnsw",
        postgresql_with={"m": 16, "ef_construction": 64},
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    return metadata


def _config(directory: Path, url: str) -> Config:
    config = Config(str(directory.parent / f"{directory.name}.ini"))
    config.set_main_option("script_location", str(directory))
    config.set_main_option("sqlalchemy.url", url)
    return config


def _init(directory: Path, url: str) -> Config:
    config = _config(directory, url)
    command.init(config, str(directory))
    (directory / "env.py").write_text(ENV_PY)
    mako = directory / "script.py.mako"  # pgvector's docs: migrations import its type
    mako.write_text(
        mako.read_text().replace("import sqlalchemy as sa", "import sqlalchemy as sa\nimport pgvector.sqlalchemy")
    )
    return config


def _operations(directory: Path) -> list[str]:
    """The op.* lines of every generated migration, in order (the revision ids differ)."""
    lines = []
    for script in sorted((directory / "versions").glob("*.py"), key=lambda p: p.stat().st_mtime_ns):
        lines += [line.strip() for line in script.read_text().splitlines() if line.strip().startswith(("op.", "sa."))]
    return lines


def _diff(url: str, with_summary: bool) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn), models(with_summary))
    finally:
        engine.dispose()


def steps(directory: Path, url: str) -> dict[str, Any]:
    config = _init(directory, url)
    found: dict[str, Any] = {}
    command.revision(config, message="create", autogenerate=True)
    command.upgrade(config, "head")
    found["diff_after_upgrade"] = [str(change) for change in _diff(url, False)]
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO documents (id, title, meta, embedding) VALUES (1, 'a', '{\"k\": 1}', :e), "
                "(2, 'b', '{\"k\": 2}', :e)"
            ),
            {"e": str(embed("a"))},
        )
        conn.execute(
            sa.text(
                "INSERT INTO chunks (id, document_id, body, embedding) VALUES (1, 1, 'x', :e), "
                "(2, 1, 'y', :e), (3, 2, 'z', :e)"
            ),
            {"e": str(embed("b"))},
        )
        conn.execute(sa.text("DELETE FROM documents WHERE id = 1"))
        found["chunks_after_cascade"] = conn.execute(sa.text("SELECT id FROM chunks ORDER BY id")).scalars().all()
        found["indexes"] = sorted(
            conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE tablename IN ('documents', 'chunks')"))
            .scalars()
            .all()
        )
    engine.dispose()
    config.attributes["with_summary"] = True
    command.revision(config, message="summary", autogenerate=True)
    command.upgrade(config, "head")
    found["diff_after_second"] = [str(change) for change in _diff(url, True)]
    found["operations"] = _operations(directory)
    command.downgrade(config, "base")
    engine = sa.create_engine(url)
    found["tables_after_downgrade"] = sorted(sa.inspect(engine).get_table_names())
    engine.dispose()
    return found


def test_autogenerate_upgrade_downgrade(targets, tmp_path):
    lake, postgres = targets
    ours = steps(tmp_path / "lake", lake.url("psycopg"))
    theirs = steps(tmp_path / "postgres", postgres.url("psycopg"))
    assert theirs["diff_after_upgrade"] == [] and theirs["chunks_after_cascade"] == [3]
    for step in theirs:
        assert ours[step] == theirs[step], step


def _typed_models() -> sa.MetaData:
    """Columns as SQLModel and hand-written models declare them: String() (unbounded varchar, SQLModel's
    str), String(n), CHAR(n), Text and a native enum."""
    metadata = sa.MetaData()
    sa.Table(
        "hero",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("code", sa.String(20)),
        sa.Column("country", sa.CHAR(2)),
        sa.Column("bio", sa.Text()),
        sa.Column("side", sa.Enum("light", "dark", name="side")),
    )
    return metadata


def _type_diff(url: str) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        _typed_models().create_all(engine)
        with engine.connect() as conn:
            return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), _typed_models())
    finally:
        engine.dispose()


def test_autogenerate_compares_declared_types_as_postgres(targets):
    """After create_all, autogenerate with compare_type finds the types it declared: nothing to change."""
    lake, postgres = targets
    assert _type_diff(lake.url("psycopg")) == _type_diff(postgres.url("psycopg")) == []


def _identity_models() -> sa.MetaData:
    """Identity columns (SQLAlchemy 2's ``Identity()``, with and without START and INCREMENT), server
    defaults and an index sorted descending, as hand-written models declare them."""
    metadata = sa.MetaData()
    ledger = sa.Table(
        "ledger",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("ticket", sa.Integer, sa.Identity(start=100, increment=5), nullable=False),
        sa.Column("done", sa.Boolean, server_default=sa.text("false")),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    )
    sa.Index("ix_ledger_at", ledger.c.at.desc())
    return metadata


def _identity_diff(url: str) -> tuple[list[Any], list[int]]:
    engine = sa.create_engine(url)
    try:
        _identity_models().create_all(engine)
        with engine.connect() as conn:
            options = {"compare_type": True, "compare_server_default": True}
            diff = compare_metadata(MigrationContext.configure(conn, opts=options), _identity_models())
            conn.execute(sa.text("INSERT INTO ledger (done) VALUES (true), (false)"))
            tickets = conn.execute(sa.text("SELECT ticket FROM ledger ORDER BY ticket")).scalars().all()
            conn.rollback()
        return diff, tickets
    finally:
        engine.dispose()


def test_autogenerate_finds_identity_columns_and_sorted_indexes_unchanged(targets):
    """Reflection reads identity columns as identities (it read a nextval default, and autogenerate
    failed an assertion comparing it with the model's Identity) and an index's DESC."""
    lake, postgres = targets
    assert _identity_diff(lake.url("psycopg")) == _identity_diff(postgres.url("psycopg")) == ([], [100, 105])
