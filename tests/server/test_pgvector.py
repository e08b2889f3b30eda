"""pgvector's Python adapter and SQLAlchemy Vector type against the server."""

from __future__ import annotations

import datetime as dt
import struct

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa
from pgvector.psycopg import register_vector
from pgvector.sqlalchemy import Vector


def test_register_vector_finds_the_type(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)  # looks up 'vector' in pg_type through to_regtype($1)
        info = psycopg.types.TypeInfo.fetch(conn, "vector")
        assert info is not None and info.name == "vector" and info.oid > 16384


def test_numpy_vectors_nearest_neighbours(server, real_engine):
    rng = np.random.default_rng(7)
    points = rng.normal(size=(50, 8)).astype(np.float32)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, embedding vector(8))")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO items (id, embedding) VALUES (%s, %s)", list(enumerate(points)))
        query = points[17] + 0.001
        for binary in (False, True):
            rows = conn.execute(
                "SELECT id, embedding FROM items ORDER BY embedding <-> %s LIMIT 3", [query], binary=binary
            ).fetchall()
            expected = np.argsort(((points - query) ** 2).sum(axis=1))[:3]
            assert [r[0] for r in rows] == list(expected)
            nearest = rows[0][1]
            assert np.allclose(nearest.to_numpy() if hasattr(nearest, "to_numpy") else nearest, points[17])


def test_vector_aggregates_and_functions_arrive_as_vectors(server, real_engine):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)
        vector_oid = psycopg.types.TypeInfo.fetch(conn, "vector").oid
        conn.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, grp text, embedding vector(2))")
        conn.execute("INSERT INTO notes VALUES (1, 'a', '[1,2]'), (2, 'a', '[3,4]'), (3, 'b', NULL)")
        for binary in (False, True):
            cur = conn.execute(
                "SELECT avg(embedding), sum(embedding), l2_normalize('[3,4]') FROM notes WHERE grp = %s",
                ["a"],
                binary=binary,
            )
            assert [(c.name, c.type_code) for c in cur.description] == [
                ("avg", vector_oid),
                ("sum", vector_oid),
                ("l2_normalize", vector_oid),
            ]
            values = [np.asarray(v.to_list() if hasattr(v, "to_list") else v) for v in cur.fetchone()]
            assert np.allclose(np.stack(values), [[2, 3], [4, 6], [0.6, 0.8]])


def test_create_index_progress_reaches_the_client_as_notices(server, real_engine):
    points = np.random.default_rng(3).normal(size=(5000, 8)).astype(np.float32)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, embedding vector(8))")
        with conn.cursor() as cur:
            with cur.copy("COPY items (id, embedding) FROM STDIN") as copy:
                for i, p in enumerate(points):
                    copy.write_row((i, "[" + ",".join(map(str, p.tolist())) + "]"))
        notices = []
        conn.add_notice_handler(lambda d: notices.append((d.severity, d.message_primary)))
        conn.execute("CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_l2_ops)")
        assert notices and all(severity == "NOTICE" for severity, _ in notices)
        assert notices[-1][1] == 'index "items_hnsw": 100% built (5,000 of 5,000 rows, file 1 of 1)'
        conn.execute("SELECT 1")
        assert len(notices) == len({m for _, m in notices})  # each sent once, not again at the end


def test_a_pgvector_setup_script_runs_unchanged(server, real_engine):
    """What pgvector's README has users run: the extension, memory settings for the build, an index
    with options, SET LOCAL inside a transaction; and the catalog views that report them."""
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")  # a script run twice: a NOTICE, as in PostgreSQL
        assert conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()[0] == "0.8.2"
        conn.execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3))")
        conn.execute("INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]')")
        conn.execute("SET maintenance_work_mem = '8GB'")
        conn.execute("SET max_parallel_maintenance_workers = 7")
        conn.execute(
            "CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 8, ef_construction = 32)"
        )
        assert conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'items' AND indexname <> 'items_pkey'"
        ).fetchall() == [
            (
                "CREATE INDEX items_embedding_idx ON public.items USING hnsw "
                "(embedding vector_cosine_ops) WITH (m='8', ef_construction='32')",
            )
        ]
        with conn.transaction():
            conn.execute("SET LOCAL hnsw.ef_search = 100")
            assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("100",)
            assert conn.execute("SELECT id FROM items ORDER BY embedding <=> '[1,2,3]' LIMIT 1").fetchone() == (1,)
        assert conn.execute("SHOW hnsw.ef_search").fetchone() == ("40",)  # SET LOCAL ends with the transaction
        with pytest.raises(psycopg.errors.FeatureNotSupported, match='extension "postgis" is not available'):
            conn.execute("CREATE EXTENSION postgis")


def test_sqlalchemy_vector_type_and_l2_distance(server, real_engine):
    metadata = sa.MetaData()
    docs = sa.Table(
        "docs",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("embedding", Vector(3)),
    )
    engine = sa.create_engine(server.url())
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            docs.insert(),
            [{"id": 1, "embedding": [1, 0, 0]}, {"id": 2, "embedding": [0, 1, 0]}, {"id": 3, "embedding": [0, 0, 1]}],
        )
    with engine.connect() as conn:
        nearest = conn.execute(sa.select(docs.c.id).order_by(docs.c.embedding.l2_distance([0, 0.9, 0.1])).limit(1))
        assert nearest.scalar() == 2
    engine.dispose()


def test_binary_copy_bulk_load_as_pgvector_advises(server, real_engine):
    """pgvector's README loads in bulk with binary COPY (``copy.set_types``); every row and NULL lands,
    and the vectors come back bit for bit."""
    points = np.random.default_rng(11).normal(size=(300, 16)).astype(np.float32)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE items (id bigint PRIMARY KEY, label text, seen timestamptz, embedding vector(16))")
        with conn.cursor().copy("COPY items (id, label, seen, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "text", "timestamptz", "vector"])
            for i, point in enumerate(points):
                copy.write_row(
                    (
                        i,
                        None if i == 7 else f"row {i}",
                        dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc),
                        None if i == 9 else point,
                    )
                )
        assert conn.execute("SELECT count(*), count(label), count(embedding) FROM items").fetchone() == (300, 299, 299)
        stored = conn.execute("SELECT embedding FROM items WHERE id = 42").fetchone()[0]
        assert np.array_equal(stored.to_numpy() if hasattr(stored, "to_numpy") else stored, points[42])
        assert conn.execute("SELECT id FROM items ORDER BY embedding <-> %s LIMIT 1", [points[5]]).fetchone() == (5,)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0) + struct.pack("!h", 3), "row field count is 3, expected 2"),
        (b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0) + struct.pack("!hiq", 2, 8, 1), "unexpected EOF"),
        (b"not binary at all", "COPY file signature not recognized"),
        (b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0) + struct.pack("!hi", 2, -7), "invalid field size"),
    ],
)
def test_malformed_binary_copy_loads_nothing(server, real_engine, data, message):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE bulk (id bigint, embedding vector(2))")
        with pytest.raises(psycopg.errors.BadCopyFileFormat, match=message):
            with conn.cursor().copy("COPY bulk FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        assert conn.execute("SELECT count(*) FROM bulk").fetchone() == (0,)


def test_binary_copy_export_round_trips_vectors(server, real_engine):
    points = np.random.default_rng(12).normal(size=(50, 8)).astype(np.float32)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        register_vector(conn)
        conn.execute("CREATE TABLE items (id bigint PRIMARY KEY, embedding vector(8))")
        conn.cursor().executemany("INSERT INTO items VALUES (%s, %s)", [(i, p) for i, p in enumerate(points)])
        with conn.cursor().copy("COPY (SELECT id, embedding FROM items ORDER BY id) TO STDOUT (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "vector"])
            rows = list(copy.rows())
    assert [r[0] for r in rows] == list(range(50))
    assert np.array_equal(np.stack([np.asarray(r[1].to_list()) for r in rows]).astype(np.float32), points)


def test_sqlalchemy_creates_and_reflects_btree_unique_and_vector_indexes(server, real_engine):
    """``index=True``, a unique Index and an HNSW index with pgvector's operator class: created by
    ``create_all``, read back by the inspector (what Alembic's autogenerate compares), and the
    unique one enforced."""
    metadata = sa.MetaData()
    docs = sa.Table(
        "docs",
        metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("category", sa.Integer, index=True),
        sa.Column("code", sa.Text),
        sa.Column("embedding", Vector(3)),
        sa.Index("docs_code_key", "code", unique=True),
        sa.Index(
            "docs_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )
    engine = sa.create_engine(server.url())
    try:
        metadata.create_all(engine)
        found = {ix["name"]: ix for ix in sa.inspect(engine).get_indexes("docs")}
        assert {name: (ix["column_names"], ix["unique"]) for name, ix in found.items()} == {
            "ix_docs_category": (["category"], False),
            "docs_code_key": (["code"], True),
            "docs_embedding_hnsw": (["embedding"], False),
        }
        assert found["docs_embedding_hnsw"]["dialect_options"]["postgresql_using"] == "hnsw"
        assert found["docs_embedding_hnsw"]["dialect_options"]["postgresql_ops"] == {"embedding": "vector_cosine_ops"}
        with engine.begin() as conn:
            conn.execute(docs.insert(), [{"id": 1, "code": "a"}, {"id": 2, "code": None}, {"id": 3, "code": None}])
        with pytest.raises(sa.exc.IntegrityError, match="Key \\(code\\)=\\(a\\) already exists"):
            with engine.begin() as conn:
                conn.execute(docs.insert(), [{"id": 4, "code": "a"}])
    finally:
        engine.dispose()
