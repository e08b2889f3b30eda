"""Typed statements: each kind is classified and its parts extracted, with the AST kept for the engine."""
from __future__ import annotations

import pyarrow as pa
import pytest
from sqlglot import exp

from agentlake.errors import Error
from agentlake.sql import statements as st
from agentlake.sql.dialect import AgentlakePostgres


def one(sql: str, params=None) -> st.Statement:
    parsed = st.parse(sql, params)
    assert len(parsed) == 1
    return parsed[0]


def text(node: exp.Expression) -> str:
    return node.sql(dialect=AgentlakePostgres)


@pytest.mark.parametrize("sql", ["SELECT 1", "SELECT 1 UNION SELECT 2", "SELECT 1 INTERSECT SELECT 1",
                                 "SELECT 1 EXCEPT SELECT 2", "VALUES (1), (2)", "WITH a AS (SELECT 1) SELECT * FROM a",
                                 "(SELECT 1)"])
def test_queries(sql):
    statement = one(sql)
    assert type(statement) is st.Query and isinstance(statement.node, exp.Expression)


def test_insert_values_with_parameters_and_upsert():
    statement = one("INSERT INTO t AS x (a, b) VALUES (1, %s), (3, 4) "
                    "ON CONFLICT (a) DO UPDATE SET b = excluded.b, c = 1 WHERE x.b < 3 RETURNING a, b AS bb", ["two"])
    assert isinstance(statement, st.Insert)
    assert (statement.table, statement.alias, statement.columns) == ("t", "x", ["a", "b"])
    assert [[text(v) for v in row] for row in statement.rows] == [["1", "'two'"], ["3", "4"]]
    assert statement.query is None
    conflict = statement.on_conflict
    assert isinstance(conflict, st.DoUpdate) and conflict.target == ["a"]
    assert [(name, text(value)) for name, value in conflict.assignments] == [("b", "excluded.b"), ("c", "1")]
    assert text(conflict.where) == "x.b < 3"
    assert [text(r) for r in statement.returning] == ["a", "b AS bb"]


def test_insert_select_keeps_its_with_clause():
    statement = one("WITH src AS (SELECT 1 AS a) INSERT INTO s.t SELECT a FROM src ON CONFLICT DO NOTHING")
    assert statement.table == "s.t" and statement.rows is None and statement.columns is None
    assert text(statement.query) == "WITH src AS (SELECT 1 AS a) SELECT a FROM src"
    assert statement.on_conflict == st.DoNothing([])


def test_insert_do_nothing_with_target_and_default_values():
    assert one("INSERT INTO t VALUES (1) ON CONFLICT (a, b) DO NOTHING").on_conflict == st.DoNothing(["a", "b"])
    statement = one("INSERT INTO t DEFAULT VALUES")
    assert statement.default_values and statement.rows is None and statement.on_conflict is None


def test_on_conflict_on_constraint():
    assert one("INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING").on_conflict == \
        st.DoNothing([], "t_pkey")
    update = one("INSERT INTO t VALUES (1, 2) ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET b = 3").on_conflict
    assert isinstance(update, st.DoUpdate) and update.constraint == "t_pkey" and update.target == []


def test_update():
    statement = one("UPDATE t AS y SET a = a + 1, b = %(b)s FROM u WHERE y.id = u.id RETURNING *", {"b": None})
    assert isinstance(statement, st.Update)
    assert (statement.table, statement.alias) == ("t", "y")
    assert [(n, text(v)) for n, v in statement.assignments] == [("a", "a + 1"), ("b", "NULL")]
    assert text(statement.where) == "y.id = u.id"
    assert [text(f) for f in statement.from_] == ["u"]
    assert [text(r) for r in statement.returning] == ["*"]


def test_update_with_subquery_in_where():
    statement = one("UPDATE t SET a = 0 WHERE id IN (SELECT id FROM u)")
    assert statement.alias is None and statement.from_ == [] and statement.returning == []
    assert isinstance(statement.where, exp.In)


def test_delete():
    statement = one("DELETE FROM t x USING u WHERE x.id = u.id RETURNING id")
    assert isinstance(statement, st.Delete)
    assert (statement.table, statement.alias, [text(u) for u in statement.using]) == ("t", "x", ["u"])
    assert text(statement.where) == "x.id = u.id" and [text(r) for r in statement.returning] == ["id"]
    assert one("DELETE FROM t").where is None


def test_create_table_columns_and_constraints():
    statement = one("CREATE TABLE IF NOT EXISTS t (id bigserial PRIMARY KEY, a int NOT NULL UNIQUE, "
                    "b text DEFAULT 'x', c int GENERATED ALWAYS AS IDENTITY, e vector(3), "
                    "created timestamptz DEFAULT now(), UNIQUE (b, c))")
    assert isinstance(statement, st.CreateTable) and statement.if_not_exists and statement.as_query is None
    cols = {c.name: c for c in statement.columns}
    assert list(cols) == ["id", "a", "b", "c", "e", "created"]
    assert cols["id"].arrow_type == pa.int64() and cols["id"].identity and cols["id"].primary_key
    assert not cols["id"].nullable
    assert cols["a"].arrow_type == pa.int32() and not cols["a"].nullable and cols["a"].unique
    assert text(cols["b"].default) == "'x'" and cols["b"].nullable
    assert cols["c"].identity and not cols["c"].nullable
    assert cols["e"].arrow_field() == pa.field("e", pa.list_(pa.float32(), 3), True, {b"agentlake.type": b"vector"})
    assert cols["created"].arrow_type == pa.timestamp("us", tz="UTC")
    assert isinstance(cols["created"].default, exp.Expression)
    assert statement.primary_key == ["id"]
    assert statement.unique == [["b", "c"], ["a"]]


def test_create_table_with_table_level_primary_key():
    statement = one("CREATE TABLE t (a int, b text, CONSTRAINT pk PRIMARY KEY (a, b))")
    assert statement.primary_key == ["a", "b"]
    assert all(not c.nullable for c in statement.columns)


def test_create_table_as():
    statement = one("CREATE TABLE t2 AS SELECT 1 AS a")
    assert statement.columns == [] and text(statement.as_query) == "SELECT 1 AS a"


def test_create_table_with_unknown_type_is_42704():
    with pytest.raises(Error) as info:
        one("CREATE TABLE t (a money)")
    assert info.value.sqlstate == "42704"


def test_drop_table():
    statement = one("DROP TABLE IF EXISTS a, b CASCADE")
    assert statement == st.DropTable(None, ["a", "b"], True)


def test_alter_table_actions():
    statement = one("ALTER TABLE IF EXISTS t ADD COLUMN IF NOT EXISTS c int NOT NULL DEFAULT 0, "
                    "DROP COLUMN IF EXISTS d, RENAME COLUMN a TO b")
    assert isinstance(statement, st.AlterTable) and statement.table == "t" and statement.if_exists
    add, drop, rename = statement.actions
    assert add.if_not_exists and add.column.name == "c" and not add.column.nullable and text(add.column.default) == "0"
    assert drop == st.DropColumn("d", True)
    assert rename == st.RenameColumn("a", "b")
    assert one("ALTER TABLE t RENAME TO u").actions == [st.RenameTable("u")]


def test_views():
    view = one("CREATE OR REPLACE VIEW v (x) AS SELECT 1")
    assert isinstance(view, st.CreateView) and view.name == "v" and view.or_replace and view.columns == ["x"]
    assert text(view.query) == "SELECT 1"
    assert one("DROP VIEW IF EXISTS v") == st.DropView(None, ["v"], True)


def test_create_vector_index():
    statement = one("CREATE INDEX IF NOT EXISTS i ON items USING hnsw (embedding vector_l2_ops) "
                    "WITH (m = 16, ef_construction = 64)")
    assert statement == st.CreateIndex(None, "i", "items", "hnsw", ["embedding"], "vector_l2_ops",
                                       {"m": 16, "ef_construction": 64}, True)


def test_create_index_defaults():
    assert one("CREATE INDEX ON t (a)") == st.CreateIndex(None, None, "t", "btree", ["a"], None, {}, False)
    assert one("CREATE INDEX i ON t USING ivfflat (e vector_cosine_ops) WITH (lists = 100)").options == {"lists": 100}


def test_drop_index_and_truncate():
    assert one("DROP INDEX IF EXISTS i") == st.DropIndex(None, ["i"], True)
    assert one("TRUNCATE t, u") == st.Truncate(None, ["t", "u"])


@pytest.mark.parametrize("sql, expected", [
    ("BEGIN", st.Begin(None, [])),
    ("START TRANSACTION ISOLATION LEVEL SERIALIZABLE", st.Begin(None, ["ISOLATION LEVEL SERIALIZABLE"])),
    ("COMMIT", st.Commit(None)), ("END", st.Commit(None)),
    ("ROLLBACK", st.Rollback(None)), ("ABORT", st.Rollback(None)),
    ("SAVEPOINT a", st.Savepoint(None, "a")), ("RELEASE SAVEPOINT a", st.Release(None, "a")),
    ("ROLLBACK TO SAVEPOINT a", st.RollbackTo(None, "a")),
])
def test_transaction_statements(sql, expected):
    assert one(sql) == expected


@pytest.mark.parametrize("sql, expected", [
    ("SET LOCAL hnsw.ef_search = 40", st.Set(None, "hnsw.ef_search", "40", True)),
    ("SET SESSION application_name TO 'agent 7'", st.Set(None, "application_name", "agent 7", False)),
    ('SET search_path TO public, "$user"', st.Set(None, "search_path", "public, $user", False)),
    ("SET datestyle = ISO, MDY", st.Set(None, "datestyle", "ISO, MDY", False)),
    ("SET x TO DEFAULT", st.Set(None, "x", None, False)),
    ("SET standard_conforming_strings = on", st.Set(None, "standard_conforming_strings", "on", False)),
    ("SET statement_timeout = -5", st.Set(None, "statement_timeout", "-5", False)),
    ("SHOW ALL", st.Show(None, "ALL")), ("SHOW agentlake.branch", st.Show(None, "agentlake.branch")),
    ("RESET ALL", st.Reset(None, None)), ("RESET agentlake.executor", st.Reset(None, "agentlake.executor")),
])
def test_session_statements(sql, expected):
    assert one(sql) == expected


def test_set_time_zone_names_the_setting():
    statement = one("SET TIME ZONE 'UTC'")
    assert statement.name.lower() == "timezone" and statement.value == "UTC"


def test_explain_wraps_the_inner_statement():
    statement = one("EXPLAIN ANALYZE DELETE FROM t WHERE a = 1")
    assert isinstance(statement, st.Explain) and statement.analyze
    assert isinstance(statement.inner, st.Delete) and statement.inner.table == "t"
    assert not one("EXPLAIN SELECT 1").analyze


def test_several_statements_bind_in_order():
    kinds = [type(s) for s in st.parse("BEGIN; INSERT INTO t VALUES (%s); SELECT %s; COMMIT", [1, 2])]
    assert kinds == [st.Begin, st.Insert, st.Query, st.Commit]


def test_unsupported_statement_is_0A000():
    with pytest.raises(Error) as info:
        one("CREATE SEQUENCE s")
    assert info.value.sqlstate == "0A000"


@pytest.mark.parametrize("sql, expected", [
    ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", st.Set(None, "transaction_isolation", "serializable", False)),
    ("SET TRANSACTION READ ONLY, ISOLATION LEVEL REPEATABLE READ",
     st.Set(None, "transaction_read_only", "on", False, [("transaction_isolation", "repeatable read")])),
    ("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED",
     st.Set(None, "default_transaction_isolation", "read committed", False)),
])
def test_set_transaction_becomes_settings(sql, expected):
    assert one(sql) == expected
