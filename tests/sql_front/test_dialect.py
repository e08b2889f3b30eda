"""Every statement form and operator the agentlake PostgreSQL dialect adds or fixes."""

from __future__ import annotations

import pytest
from sqlglot import exp

from agentlake.errors import Error
from agentlake.sql.dialect import (
    AgentlakePostgres,
    CosineDistance,
    Explain,
    L1Distance,
    NegativeInnerProduct,
    Release,
    Reset,
    Savepoint,
    Show,
    folded_name,
)
from agentlake.sql.params import parse_statements


def one(sql: str) -> exp.Expression:
    statements = parse_statements(sql)
    assert len(statements) == 1
    return statements[0]


def roundtrip(sql: str) -> str:
    return one(sql).sql(dialect=AgentlakePostgres)


@pytest.mark.parametrize(
    "op, cls", [("<->", exp.Distance), ("<=>", CosineDistance), ("<#>", NegativeInnerProduct), ("<+>", L1Distance)]
)
def test_vector_operator_node_and_roundtrip(op, cls):
    node = one(f"SELECT a {op} b FROM t").expressions[0]
    assert type(node) is cls
    assert (node.this.name, node.expression.name) == ("a", "b")
    assert roundtrip(f"SELECT a {op} b FROM t") == f"SELECT a {op} b FROM t"


def test_cosine_operator_is_not_null_safe_equality():
    node = one("SELECT a <=> b FROM t").expressions[0]
    assert not isinstance(node, exp.NullSafeEQ)


@pytest.mark.parametrize("op", ["<->", "<=>", "<#>", "<+>"])
def test_vector_operator_binds_looser_than_arithmetic_tighter_than_comparison(op):
    where = one(f"SELECT 1 FROM t WHERE a {op} b * 2 + 1 < 0.5").args["where"].this
    assert isinstance(where, exp.LT)
    distance = where.this
    assert isinstance(distance.expression, exp.Add)  # a <op> ((b * 2) + 1), as PostgreSQL reads it


def test_order_by_distance_limit():
    tree = one("SELECT id FROM items ORDER BY embedding <-> '[1,2,3]' LIMIT 5")
    ordered = tree.args["order"].expressions[0].this
    assert isinstance(ordered, exp.Distance)
    assert ordered.expression.this == "[1,2,3]"
    assert tree.args["limit"].expression.name == "5"


def test_cosine_in_where_compares_the_distance():
    where = one("SELECT * FROM t WHERE a <=> b < 0.5").args["where"].this
    assert isinstance(where, exp.LT) and isinstance(where.this, CosineDistance)


def test_operators_mix_with_boolean_logic():
    where = one("SELECT 1 FROM t WHERE x <#> y <= -0.2 AND z <+> w > 1").args["where"].this
    assert isinstance(where, exp.And)
    assert isinstance(where.this.this, NegativeInnerProduct) and isinstance(where.expression.this, L1Distance)


@pytest.mark.parametrize("sql", ["SAVEPOINT s1", "savepoint s1"])
def test_savepoint(sql):
    node = one(sql)
    assert isinstance(node, Savepoint) and node.this.name == "s1"
    assert node.sql(dialect=AgentlakePostgres) == "SAVEPOINT s1"


@pytest.mark.parametrize("sql", ["RELEASE s1", "RELEASE SAVEPOINT s1", "release savepoint s1"])
def test_release(sql):
    node = one(sql)
    assert isinstance(node, Release) and node.this.name == "s1"
    assert node.sql(dialect=AgentlakePostgres) == "RELEASE SAVEPOINT s1"


@pytest.mark.parametrize(
    "sql, name",
    [
        ('SAVEPOINT "Step One"', "Step One"),
        ('RELEASE "Step One"', "Step One"),
        ('RELEASE SAVEPOINT "Step One"', "Step One"),
        ('ROLLBACK TO "Step One"', "Step One"),
        ('ROLLBACK TO SAVEPOINT "Step One"', "Step One"),
        ("SAVEPOINT Mixed", "mixed"),
        ("RELEASE SAVEPOINT Mixed", "mixed"),
        ("ROLLBACK TO SAVEPOINT Mixed", "mixed"),
        ('RELEASE SAVEPOINT "savepoint"', "savepoint"),
    ],
)
def test_savepoint_names_fold_like_postgres(sql, name):
    """Unquoted names fold to lower case; quoted ones keep case and spaces, in every form."""
    node = one(sql)
    ident = node.args["savepoint"] if isinstance(node, exp.Rollback) else node.this
    assert folded_name(ident) == name


@pytest.mark.parametrize("sql", ["RELEASE", "RELEASE SAVEPOINT", "SAVEPOINT"])
def test_savepoint_without_a_name_is_a_syntax_error(sql):
    with pytest.raises(Exception):
        one(sql)


@pytest.mark.parametrize(
    "sql", ["ROLLBACK TO s1", "ROLLBACK TO SAVEPOINT s1", "ROLLBACK TRANSACTION TO SAVEPOINT s1", "ROLLBACK WORK TO s1"]
)
def test_rollback_to(sql):
    node = one(sql)
    assert isinstance(node, exp.Rollback) and node.args["savepoint"].name == "s1"


@pytest.mark.parametrize(
    "sql, name",
    [
        ("SHOW search_path", "search_path"),
        ("SHOW ALL", "ALL"),
        ("SHOW hnsw.ef_search", "hnsw.ef_search"),
        ("SHOW TRANSACTION ISOLATION LEVEL", "transaction_isolation"),
        ("SHOW TIME ZONE", "TimeZone"),
        ('SHOW "DateStyle"', "DateStyle"),
    ],
)
def test_show(sql, name):
    node = one(sql)
    assert isinstance(node, Show) and node.this.name == name


@pytest.mark.parametrize(
    "sql, name, value, kind",
    [
        ("SET search_path = public", "search_path", "public", None),
        ("SET search_path TO public", "search_path", "public", None),
        ("SET SESSION application_name TO 'agent'", "application_name", "agent", "SESSION"),
        ("SET LOCAL hnsw.ef_search = 40", "hnsw.ef_search", "40", "LOCAL"),
        ("SET agentlake.branch TO 'x'", "agentlake.branch", "x", None),
        ("SET TIME ZONE 'UTC'", "TimeZone", "UTC", None),
        ("SET TIME ZONE LOCAL", "TimeZone", "LOCAL", None),
    ],
)
def test_set(sql, name, value, kind):
    node = one(sql)
    assert isinstance(node, exp.Set)
    item = node.expressions[0]
    eq = item.this
    assert ".".join(part.name for part in eq.this.parts).lower() == name.lower()  # names are case-insensitive
    assert eq.expression.name == value
    assert item.args.get("kind") == kind


@pytest.mark.parametrize(
    "sql, name", [("RESET search_path", "search_path"), ("RESET ALL", None), ("RESET hnsw.ef_search", "hnsw.ef_search")]
)
def test_reset(sql, name):
    node = one(sql)
    assert isinstance(node, Reset)
    assert (node.this.name if node.this is not None else None) == name


def test_vector_type_in_create_table():
    column = one("CREATE TABLE t (id int, e vector(3))").this.expressions[1]
    assert column.args["kind"].this == exp.DataType.Type.VECTOR
    assert column.args["kind"].expressions[0].this.name == "3"


@pytest.mark.parametrize(
    "method, opclass",
    [
        ("hnsw", "vector_l2_ops"),
        ("ivfflat", "vector_cosine_ops"),
        ("cagra", "vector_ip_ops"),
        ("ivf_pq", "vector_l1_ops"),
    ],
)
def test_create_index_using_method(method, opclass):
    node = one(
        f"CREATE INDEX IF NOT EXISTS idx ON items USING {method} (embedding {opclass}) "
        "WITH (m = 16, ef_construction = 64)"
    )
    assert isinstance(node, exp.Create) and node.args["kind"] == "INDEX" and node.args["exists"]
    index = node.this
    params = index.args["params"]
    assert index.this.name == "idx" and index.args["table"].name == "items"
    assert params.args["using"].name == method
    column = params.args["columns"][0].this
    assert column.this.name == "embedding" and column.expression.name == opclass
    assert {p.this.name: p.args["value"].name for p in params.args["with_storage"]} == {
        "m": "16",
        "ef_construction": "64",
    }


def test_create_index_without_name():
    index = one("CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)").this
    assert index.this is None and index.args["table"].name == "items"


@pytest.mark.parametrize("sql, exists", [("DROP INDEX idx", False), ("DROP INDEX IF EXISTS idx", True)])
def test_drop_index(sql, exists):
    node = one(sql)
    assert isinstance(node, exp.Drop) and node.args["kind"] == "INDEX" and node.args["exists"] is exists


@pytest.mark.parametrize(
    "sql, modes",
    [
        ("BEGIN", None),
        ("BEGIN TRANSACTION", None),
        ("BEGIN WORK", None),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE", ["ISOLATION LEVEL SERIALIZABLE"]),
        ("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ", ["ISOLATION LEVEL REPEATABLE READ"]),
        ("START TRANSACTION", None),
        ("START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY", ["ISOLATION LEVEL SERIALIZABLE", "READ ONLY"]),
    ],
)
def test_begin(sql, modes):
    node = one(sql)
    assert isinstance(node, exp.Transaction)
    assert node.args.get("modes") == modes


@pytest.mark.parametrize("sql", ["COMMIT", "END", "COMMIT WORK", "END TRANSACTION"])
def test_commit(sql):
    assert isinstance(one(sql), exp.Commit)


@pytest.mark.parametrize("sql", ["ROLLBACK", "ABORT", "ROLLBACK WORK", "ABORT TRANSACTION"])
def test_rollback(sql):
    node = one(sql)
    assert isinstance(node, exp.Rollback) and node.args.get("savepoint") is None


@pytest.mark.parametrize(
    "sql, analyze",
    [
        ("EXPLAIN SELECT 1", False),
        ("EXPLAIN ANALYZE SELECT 1", True),
        ("EXPLAIN ANALYZE VERBOSE SELECT 1", True),
        ("EXPLAIN (ANALYZE) SELECT 1", True),
        ("EXPLAIN (ANALYZE false, COSTS off) SELECT 1", False),
        ("EXPLAIN (FORMAT TEXT, ANALYZE true) SELECT 1", True),
        ("EXPLAIN (VERBOSE) SELECT 1", False),
    ],
)
def test_explain(sql, analyze):
    node = one(sql)
    assert isinstance(node, Explain) and isinstance(node.this, exp.Select)
    assert bool(node.args.get("analyze")) is analyze


def test_several_statements_in_one_string():
    kinds = [type(s) for s in parse_statements("BEGIN; SAVEPOINT a; SELECT 1; RELEASE a; SHOW ALL; COMMIT")]
    assert kinds == [exp.Transaction, Savepoint, exp.Select, Release, Show, exp.Commit]


def test_keywords_inside_strings_are_not_statements():
    node = one("SELECT 'SHOW ALL' AS show")
    assert isinstance(node, exp.Select)


def test_syntax_error_carries_sqlstate_and_position():
    with pytest.raises(Error) as info:
        parse_statements("SELECT * FROM t WHERE")
    assert info.value.sqlstate == "42601"


@pytest.mark.parametrize(
    "sql, settings",
    [
        ("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", [("transaction_isolation", "serializable")]),
        (
            "SET TRANSACTION READ WRITE, NOT DEFERRABLE",
            [("transaction_read_only", "off"), ("transaction_deferrable", "off")],
        ),
        ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", [("default_transaction_read_only", "on")]),
    ],
)
def test_set_transaction_modes_are_settings(sql, settings):
    node = one(sql)
    assert isinstance(node, exp.Set)
    assert [(i.this.this.name, i.this.expression.name) for i in node.expressions] == settings
