"""Catalog queries that clients send on their own, verbatim, planned by DataFusion over register_pg_catalog."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlglot
from datafusion import SessionConfig, SessionContext

from agentlake.pgcatalog import VECTOR_OID, TableInfo, register_pg_catalog, relation_oid
from agentlake.pgcatalog.rewrite import RULES as CATALOG_RULES
from agentlake.pgcatalog.types import HALFVEC_OID, SPARSEVEC_OID
from agentlake.sql.rewrite import rewrite

TABLES = [
    TableInfo(
        "docs",
        pa.schema(
            [
                pa.field("id", pa.int64(), nullable=False),
                ("title", pa.string()),
                ("embedding", pa.list_(pa.float32(), 3)),
                ("price", pa.decimal128(10, 2)),
            ]
        ),
        primary_key=["id"],
        defaults={"title": "'untitled'::text"},
    ),
    TableInfo("events", pa.schema([("at", pa.timestamp("us", "UTC")), ("payload", pa.string())])),
]


@pytest.fixture
def run():
    ctx = SessionContext(SessionConfig().with_information_schema(False))
    register_pg_catalog(
        ctx, TABLES, database="lake", user="alice", settings={"server_version": "16.4"}, extensions={"vector": "0.8.2"}
    )

    def query(sql: str, *params) -> list[dict]:
        tree = sqlglot.parse_one(sql, read="postgres")
        for i, value in enumerate(params, 1):
            tree = tree.transform(
                lambda n, i=i, v=value: (
                    sqlglot.exp.Literal.string(v) if isinstance(n, sqlglot.exp.Parameter) and n.name == str(i) else n
                )
            )
        return ctx.sql(rewrite(tree, CATALOG_RULES).sql(dialect="postgres")).to_arrow_table().to_pylist()

    return query


def test_sqlalchemy_first_connect(run):
    assert run("select pg_catalog.version()")[0]["version()"].startswith("PostgreSQL 16.")
    assert list(run("select current_schema()")[0].values()) == ["public"]


@pytest.mark.parametrize(
    "name,found",
    [("vector", VECTOR_OID), ("hstore", None), ("bit", 1560), ("halfvec", HALFVEC_OID), ("sparsevec", SPARSEVEC_OID)],
)
def test_psycopg_type_info_lookup(run, name, found):
    rows = run(
        "SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, "
        "typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype($1) ORDER BY t.oid",
        name,
    )
    assert [r["oid"] for r in rows] == ([found] if found else [])
    if found:
        assert rows[0]["name"] == name and rows[0]["delimiter"] == ","


def test_sqlalchemy_has_table(run):
    sql = (
        "SELECT pg_catalog.pg_class.relname FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON "
        "pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace WHERE pg_catalog.pg_class.relname = "
        "$1::VARCHAR AND pg_catalog.pg_class.relkind = ANY (ARRAY[$2::VARCHAR, $3::VARCHAR, $4::VARCHAR, "
        "$5::VARCHAR, $6::VARCHAR]) AND pg_catalog.pg_table_is_visible(pg_catalog.pg_class.oid) AND "
        "pg_catalog.pg_namespace.nspname != $7::VARCHAR"
    )
    assert run(sql, "docs", "r", "p", "f", "v", "m", "pg_catalog") == [{"relname": "docs"}]
    assert run(sql, "nope", "r", "p", "f", "v", "m", "pg_catalog") == []


def test_psql_dt(run):
    rows = run("""SELECT n.nspname as "Schema", c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'i' THEN 'index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;""")
    assert [(r["Name"], r["Type"], r["Owner"]) for r in rows] == [
        ("docs", "table", "alice"),
        ("events", "table", "alice"),
    ]


def test_psql_describe_table(run):
    found = run("""SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relname OPERATOR(pg_catalog.~) '^(docs)$' COLLATE pg_catalog.default
  AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3;""")
    assert [r["oid"] for r in found] == [relation_oid("docs")]
    columns = run(f"""SELECT a.attname,
  pg_catalog.format_type(a.atttypid, a.atttypmod),
  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
   FROM pg_catalog.pg_attrdef d
   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
  a.attnotnull,
  (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
   WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation,
  a.attidentity,
  a.attgenerated
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = '{relation_oid("docs")}' AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum;""")
    assert [tuple(r.values())[:4] for r in columns] == [
        ("id", "bigint", None, True),
        ("title", "text", "'untitled'::text", False),
        ("embedding", "vector(3)", None, False),
        ("price", "numeric(10,2)", None, False),
    ]
    indexes = run(f"""SELECT c2.relname, i.indisprimary, i.indisunique, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true)
FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i
WHERE c.oid = '{relation_oid("docs")}' AND c.oid = i.indrelid AND i.indexrelid = c2.oid
ORDER BY i.indisprimary DESC, c2.relname;""")
    assert [tuple(r.values())[:3] for r in indexes] == [("docs_pkey", True, True)]


def test_psql_list_roles_and_databases(run):
    roles = run("""SELECT r.rolname, r.rolsuper, ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m
        JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid) WHERE m.member = r.oid) as memberof
FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_' ORDER BY 1;""")
    assert [r["rolname"] for r in roles] == ["alice"]
    databases = run("""SELECT d.datname as "Name", pg_catalog.pg_get_userbyid(d.datdba) as "Owner",
       pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding"
FROM pg_catalog.pg_database d ORDER BY 1;""")
    assert databases == [{"Name": "lake", "Owner": "alice", "Encoding": "UTF8"}]


def test_psql_list_extensions(run):
    """psql's \\dx, verbatim (pgvector's guides use it to check the extension is there); the branch here
    has run CREATE EXTENSION vector."""
    rows = run("""SELECT e.extname AS "Name", e.extversion AS "Version", n.nspname AS "Schema", c.description AS "Description"
FROM pg_catalog.pg_extension e LEFT JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace LEFT JOIN pg_catalog.pg_description c ON c.objoid = e.oid AND c.classoid = 'pg_catalog.pg_extension'::pg_catalog.regclass
ORDER BY 1;""")
    assert [(r["Name"], r["Schema"]) for r in rows] == [("plpgsql", "pg_catalog"), ("vector", "public")]


def test_information_schema(run):
    rows = run(
        "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = 'docs' ORDER BY ordinal_position"
    )
    assert [(r["column_name"], r["data_type"], r["is_nullable"]) for r in rows] == [
        ("id", "bigint", "NO"),
        ("title", "text", "YES"),
        ("embedding", "USER-DEFINED", "YES"),
        ("price", "numeric", "YES"),
    ]
    assert {r["table_name"] for r in run("SELECT table_name FROM information_schema.tables")} == {"docs", "events"}


def test_every_catalog_relation_answers_unqualified(run):
    """search_path semantics: each pg_catalog relation is found without its schema, and none is missed."""
    from agentlake.pgcatalog.tables import RELATIONS, build

    built = {
        name.split(".", 1)[1]
        for name in build(TABLES, database="lake", user="alice", settings={})
        if name.startswith("pg_catalog.")
    }
    assert built == RELATIONS
    for name in sorted(RELATIONS):
        assert run(f"SELECT count(*) AS n FROM {name}") == run(f"SELECT count(*) AS n FROM pg_catalog.{name}")
