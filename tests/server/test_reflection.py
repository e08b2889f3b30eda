"""What ORMs and migration tools read from the catalog, on agentlake and PostgreSQL 16 with the
same assertions: SQLAlchemy's inspector, Alembic's autogenerate comparison (no differences right
after create_all) and its version table, and the catalog views and functions frameworks query
(information_schema.schemata, pg_enum, pg_tables, pg_views, pg_matviews, pg_stat_user_tables,
sizes, to_regclass, format_type, pg_get_indexdef, pg_get_expr), and table and column comments."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.dialects import postgresql

from .reference_postgres import target  # noqa: F401 - fixture


def _metadata() -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table(
        "authors",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("age", sa.Integer),
        sa.CheckConstraint("age > 0", name="age_positive"),
    )
    sa.Table(
        "books",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("author_id", sa.BigInteger, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("tags", sa.ARRAY(sa.Text)),
        sa.Column("meta", postgresql.JSONB),
        sa.Column("published", sa.Boolean, server_default=sa.text("false")),
        sa.UniqueConstraint("author_id", "title", name="books_author_title"),
    )
    return metadata


@pytest.fixture
def engine(target):
    engine = sa.create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(target.dsn))
    with engine.begin() as conn:
        for table in ("books", "authors", "alembic_version", "notes"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    yield engine
    engine.dispose()


def test_inspector_reads_tables_columns_and_constraints(engine):
    _metadata().create_all(engine)
    inspector = sa.inspect(engine)
    assert {"authors", "books"} <= set(inspector.get_table_names())
    assert "public" in inspector.get_schema_names()
    assert inspector.has_table("books") and not inspector.has_table("nothing")
    columns = {c["name"]: c for c in inspector.get_columns("authors")}
    assert isinstance(columns["name"]["type"], sa.VARCHAR) and columns["name"]["type"].length == 80
    assert columns["name"]["nullable"] is False and columns["age"]["nullable"] is True
    books = {c["name"]: c["type"] for c in inspector.get_columns("books")}
    assert isinstance(books["price"], sa.NUMERIC) and (books["price"].precision, books["price"].scale) == (10, 2)
    assert isinstance(books["tags"], sa.ARRAY) and isinstance(books["meta"], postgresql.JSONB)
    assert inspector.get_pk_constraint("books")["constrained_columns"] == ["id"]
    assert inspector.get_foreign_keys("books") == []
    assert [c["name"] for c in inspector.get_check_constraints("authors")] == ["age_positive"]
    assert inspector.get_check_constraints("authors")[0]["sqltext"] == "age > 0"
    assert [(u["name"], u["column_names"]) for u in inspector.get_unique_constraints("authors")] == [
        ("authors_name_key", ["name"])
    ]
    indexes = {i["name"]: i for i in inspector.get_indexes("books")}
    assert (
        indexes["ix_books_author_id"]["column_names"] == ["author_id"] and not indexes["ix_books_author_id"]["unique"]
    )
    assert indexes["books_author_title"]["duplicates_constraint"] == "books_author_title"
    assert inspector.get_enums() == []
    assert inspector.get_view_names() == [] and inspector.get_materialized_view_names() == []


def test_inspector_reads_defaults_checks_and_operator_classes_as_postgres(engine):
    """Server defaults and CHECK texts as PostgreSQL prints them, and no operator classes reported
    for indexes on the types' defaults (a reported class would read as a change to migrate)."""
    metadata = _metadata()
    sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(20), server_default="draft"),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("tries", sa.Integer, server_default=sa.text("-1")),
        sa.Column("score", sa.Numeric(6, 2), sa.CheckConstraint("score BETWEEN 0 AND 10", name="score_range")),
        sa.Column("kind", sa.String(10), sa.CheckConstraint("kind IN ('fact', 'plan')", name="kind_known")),
    )
    metadata.create_all(engine)
    inspector = sa.inspect(engine)
    defaults = {c["name"]: c["default"] for c in inspector.get_columns("notes")}
    assert defaults == {
        "id": None,
        "state": "'draft'::character varying",
        "created": "now()",
        "tries": "'-1'::integer",
        "score": None,
        "kind": None,
    }
    assert {c["name"]: c["default"] for c in inspector.get_columns("books")}["published"] == "false"
    assert sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints("notes")) == [
        ("kind_known", "kind::text = ANY (ARRAY['fact'::character varying, 'plan'::character varying]::text[])"),
        ("score_range", "score >= 0::numeric AND score <= 10::numeric"),
    ]
    for index in inspector.get_indexes("books"):
        assert "postgresql_ops" not in index["dialect_options"], index


def test_inspector_reads_generated_columns_as_postgres(engine):
    """A stored generated column is reported as computed, with its expression as PostgreSQL prints it."""
    metadata = sa.MetaData()
    sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("n", sa.Integer),
        sa.Column("twice", sa.Integer, sa.Computed("n * 2", persisted=True)),
    )
    metadata.create_all(engine)
    columns = {c["name"]: c for c in sa.inspect(engine).get_columns("notes")}
    assert columns["twice"]["computed"] == {"sqltext": "(n * 2)", "persisted": True}
    assert "computed" not in columns["n"]
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO notes (id, n) VALUES (1, 21)")
        assert conn.exec_driver_sql("SELECT twice FROM notes").scalar() == 42


def test_alembic_autogenerate_finds_nothing_to_change(engine):
    metadata = _metadata()
    metadata.create_all(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": lambda name, kind, parent: kind != "table" or name in metadata.tables,
            },
        )
        assert compare_metadata(context, metadata) == []
        dropped = sa.MetaData()
        sa.Table(
            "authors",
            dropped,
            sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("name", sa.String(80), nullable=False, unique=True),
        )
        changes = compare_metadata(
            MigrationContext.configure(
                conn, opts={"include_name": lambda name, kind, parent: kind != "table" or name == "authors"}
            ),
            dropped,
        )
        assert ("remove_column", None, "authors") == changes[0][:3]


def test_comments_round_trip_through_sqlalchemy_and_alembic(engine):
    metadata = sa.MetaData()
    sa.Table(
        "notes",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False, comment="the key"),
        sa.Column("body", sa.Text, comment="what was noted"),
        comment="an agent's notes",
    )
    metadata.create_all(engine)  # COMMENT ON TABLE / COLUMN after CREATE TABLE
    inspector = sa.inspect(engine)
    assert inspector.get_table_comment("notes") == {"text": "an agent's notes"}
    assert {c["name"]: c["comment"] for c in inspector.get_columns("notes")} == {
        "id": "the key",
        "body": "what was noted",
    }
    with engine.connect() as conn:
        only_notes = {"include_name": lambda name, kind, parent: kind != "table" or name == "notes"}
        assert compare_metadata(MigrationContext.configure(conn, opts=only_notes), metadata) == []
    with engine.begin() as conn:
        conn.exec_driver_sql("COMMENT ON COLUMN notes.body IS NULL")
        conn.exec_driver_sql("ALTER TABLE notes RENAME COLUMN id TO note_id")
    columns = {c["name"]: c["comment"] for c in sa.inspect(engine).get_columns("notes")}
    assert columns == {"note_id": "the key", "body": None}


ENV_PY = """
from alembic import context
context.configure(connection=context.config.attributes["connection"])
with context.begin_transaction():
    context.run_migrations()
"""
REVISION = """
import sqlalchemy as sa
from alembic import op
revision, down_revision, branch_labels, depends_on = "0001", None, None, None

def upgrade():
    op.create_table("notes", sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
                    sa.Column("body", sa.String(200), nullable=False))
    op.create_index("notes_body", "notes", ["body"])
    op.add_column("notes", sa.Column("score", sa.Float))

def downgrade():
    op.drop_table("notes")
"""


def test_alembic_upgrade_and_downgrade(engine, tmp_path):
    """A migration run as ``alembic upgrade head`` runs it: the version table, DDL, and the revision read back."""
    from alembic import command
    from alembic.config import Config

    (tmp_path / "versions").mkdir()
    (tmp_path / "env.py").write_text(ENV_PY)
    (tmp_path / "script.py.mako").write_text("")
    (tmp_path / "versions" / "0001_notes.py").write_text(REVISION)
    config = Config()
    config.set_main_option("script_location", str(tmp_path))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0001"
        assert [c["name"] for c in sa.inspect(conn).get_columns("notes")] == ["id", "body", "score"]
        assert [i["name"] for i in sa.inspect(conn).get_indexes("notes")] == ["notes_body"]
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
        assert not sa.inspect(conn).has_table("notes")


def test_catalog_views_and_functions(engine, target):
    _metadata().create_all(engine)
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO authors VALUES (1, 'ann', 30), (2, 'bo', 40)")
        schemas = {r[0] for r in conn.execute("SELECT schema_name FROM information_schema.schemata")}
        assert {"public", "pg_catalog", "information_schema"} <= schemas
        assert conn.execute("SELECT count(*) FROM pg_catalog.pg_enum").fetchone() == (0,)
        assert [d[0] for d in conn.execute("SELECT * FROM pg_enum").description] == [
            "oid",
            "enumtypid",
            "enumsortorder",
            "enumlabel",
        ]
        assert conn.execute(
            "SELECT tablename, hasindexes FROM pg_tables WHERE schemaname = 'public' AND tablename = 'authors'"
        ).fetchall() == [("authors", True)]
        assert conn.execute("SELECT count(*) FROM pg_views WHERE schemaname = 'public'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pg_matviews").fetchone() == (0,)
        assert conn.execute("SELECT relname FROM pg_stat_user_tables WHERE relname = 'books'").fetchall() == [
            ("books",)
        ]
        size, pretty, total, indexes = conn.execute(
            "SELECT pg_relation_size('authors'), pg_size_pretty(pg_relation_size('authors')), "
            "pg_total_relation_size('authors'), pg_indexes_size('authors')"
        ).fetchone()
        assert size > 0 and total >= size and indexes >= 0 and pretty.endswith(("bytes", "kB"))
        assert conn.execute(
            "SELECT pg_table_size(c.oid) = pg_relation_size(c.oid) FROM pg_class c WHERE c.relname = 'authors'"
        ).fetchone() == (True,)
        assert conn.execute("SELECT pg_size_pretty(12345678::bigint), pg_size_pretty(10240::bigint)").fetchone() == (
            "12 MB",
            "10 kB",
        )
        assert conn.execute(
            "SELECT to_regclass('books')::text, to_regclass('public.books')::text, to_regclass('nothing')"
        ).fetchone() == ("books", "books", None)
        assert conn.execute(
            "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c "
            "ON c.oid = a.attrelid WHERE c.relname = 'authors' AND a.attname = 'name'"
        ).fetchone() == ("character varying(80)",)
        assert conn.execute(
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c "
            "ON c.oid = i.indexrelid WHERE c.relname = 'ix_books_author_id'"
        ).fetchone() == ("CREATE INDEX ix_books_author_id ON public.books USING btree (author_id)",)
        assert conn.execute(
            "SELECT lower(pg_get_expr(d.adbin, d.adrelid)) FROM pg_attrdef d JOIN pg_class c "
            "ON c.oid = d.adrelid WHERE c.relname = 'books'"
        ).fetchone() == ("false",)
