"""Every rewrite rule, checked by running the generated SQL on a real DataFusion context."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlglot import exp

from agentlake.sql.params import bind
from agentlake.sql.rewrite import RULES, to_datafusion_sql

from .standins import context


def sql_for(query: str, params=None) -> str:
    return to_datafusion_sql(bind(query, params)[0])


def rows(query: str, params=None) -> list[dict]:
    return context().sql(sql_for(query, params)).to_arrow_table().to_pylist()


def column(query: str, params=None) -> list:
    return [next(iter(r.values())) for r in rows(query, params)]


@pytest.mark.parametrize(
    "op, function, nearest",
    [
        ("<->", "l2_distance", [1, 3]),
        ("<=>", "cosine_distance", [1, 3]),
        ("<#>", "negative_inner_product", [3, 1]),
        ("<+>", "l1_distance", [1, 3]),
    ],
)
def test_vector_operator_becomes_function(op, function, nearest):
    query = f"SELECT id FROM items ORDER BY embedding {op} '[1,0.1,0]' LIMIT 2"
    assert f"{function}(" in sql_for(query) and op not in sql_for(query)
    assert column(query) == nearest


def test_vector_operator_in_where_and_select():
    result = rows(
        "SELECT id, embedding <=> '[1,0,0]'::vector AS d FROM items WHERE embedding <=> '[1,0,0]' < 0.5 ORDER BY id"
    )
    assert [r["id"] for r in result] == [1, 3]
    assert result[0]["d"] == pytest.approx(0.0) and result[1]["d"] == pytest.approx(1 - 2**-0.5)


def test_vector_operator_between_columns():
    assert column(
        "SELECT a.embedding <-> b.embedding FROM items a JOIN items b ON b.id = a.id + 1 ORDER BY a.id"
    ) == pytest.approx([2**0.5, 1.0])


@pytest.mark.parametrize(
    "query",
    ["SELECT '[1,2,3]'::vector AS v", "SELECT CAST('[1,2,3]' AS vector(3)) AS v", "SELECT '[1,2,3]'::vector(3) AS v"],
)
def test_vector_casts_become_to_vector(query):
    assert "to_vector('[1,2,3]')" in sql_for(query)
    assert column(query) == [[1.0, 2.0, 3.0]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT id::text FROM items WHERE id = 1", "1"),
        ("SELECT id::int4 + 1 FROM items WHERE id = 1", 2),
        ("SELECT id::int8 * 2 FROM items WHERE id = 1", 2),
        ("SELECT 7::int2", 7),
        ("SELECT 2.5::float8", 2.5),
        ("SELECT 2.5::numeric(4,1)", pytest.approx(2.5)),
        ("SELECT '550e8400-e29b-41d4-a716-446655440000'::uuid", "550e8400-e29b-41d4-a716-446655440000"),
        ("SELECT '{\"a\": 1}'::jsonb", '{"a": 1}'),
        ("SELECT 'abc'::name", "abc"),
    ],
)
def test_postgres_casts(query, expected):
    assert column(query) == [expected]


def test_casts_of_one_column_keep_distinct_names():
    result = rows("SELECT id::int8, id::int2, id::text FROM items WHERE id = 1")
    assert list(result[0].values()) == [1, 1, "1"]


def test_timestamptz_cast_is_utc():
    result = column("SELECT '2024-01-01 00:00:00+02'::timestamptz")
    assert result == [dt.datetime(2023, 12, 31, 22, tzinfo=dt.timezone.utc)]


def test_any_array_becomes_in():
    query = "SELECT id FROM items WHERE id = ANY(ARRAY[1, 3]) ORDER BY id"
    assert " IN (" in sql_for(query)
    assert column(query) == [1, 3]


def test_not_equal_all_array_becomes_not_in():
    query = "SELECT id FROM items WHERE id <> ALL(ARRAY[1, 3])"
    assert "NOT" in sql_for(query) and " IN (" in sql_for(query)
    assert column(query) == [2]


def test_any_with_parameter_list():
    assert column("SELECT id FROM items WHERE id = ANY(%s) ORDER BY id", [[2, 3]]) == [2, 3]


def test_array_literal_text_cast():
    assert column("SELECT id FROM items WHERE id = ANY('{1,3}'::int[]) ORDER BY id") == [1, 3]
    assert column("""SELECT '{a,"b,c",NULL}'::text[]""") == [["a", "b,c", None]]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT name FROM items WHERE name ~ 'an' ORDER BY name", ["Banana"]),
        ("SELECT name FROM items WHERE name ~* '^B' ORDER BY name", ["Banana"]),
        ("SELECT name FROM items WHERE name !~ 'an' ORDER BY name", ["apple", "cherry"]),
        ("SELECT name FROM items WHERE name !~* '^b' ORDER BY name", ["apple", "cherry"]),
    ],
)
def test_regex_operators(query, expected):
    assert column(query) == expected


def test_like_any_array():
    assert column("SELECT name FROM items WHERE name LIKE ANY(ARRAY['a%', 'c%']) ORDER BY name") == ["apple", "cherry"]
    assert column("SELECT name FROM items WHERE name NOT ILIKE ALL(ARRAY['a%', 'c%'])") == ["Banana"]


def test_now_minus_interval():
    assert column("SELECT id FROM items WHERE ts > NOW() - INTERVAL '24 hours'") == []
    assert column("SELECT count(*) FROM items WHERE ts < CURRENT_TIMESTAMP - INTERVAL '1 day'") == [3]


def test_localtimestamp_and_uuid():
    (local,) = column("SELECT LOCALTIMESTAMP")
    assert local.tzinfo is None
    (value,) = column("SELECT gen_random_uuid()")
    assert len(str(value)) == 36


def test_power_operator_is_power_not_xor():
    assert column("SELECT 2 ^ 3") == [8]


def test_fetch_first_is_limit():
    assert column("SELECT id FROM items ORDER BY id FETCH FIRST 2 ROWS ONLY") == [1, 2]


def test_table_function_names_reach_datafusion_in_lower_case():
    assert column("SELECT * FROM generate_series(1, 3)") == [1, 2, 3]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("SELECT doc->>'a' FROM items ORDER BY id", ["x", "y", "z"]),
        ("SELECT doc->'a' FROM items WHERE id = 1", ['"x"']),
        ("SELECT id FROM items WHERE (doc->>'n')::int > 1 ORDER BY id", [2, 3]),
    ],
)
def test_json_operators_become_functions(query, expected):
    generated = sql_for(query)
    assert "json_get" in generated and "->" not in generated
    assert column(query) == expected


def test_regclass_is_left_for_the_catalog_rules():
    generated = sql_for("SELECT 'items'::regclass")
    assert "REGCLASS" in generated.upper()


def test_output_names_follow_postgres():
    assert list(rows("SELECT count(*), max(id) FROM items")[0]) == ["count", "max"]


def test_rules_are_fixed_and_passed_in():
    """The rules are an immutable tuple: a caller composes its own list instead of changing what
    every other statement in the process means."""
    assert isinstance(RULES, tuple)

    def answer_rule(tree: exp.Expression) -> exp.Expression:
        return tree.transform(
            lambda n: exp.Literal.number(42) if isinstance(n, exp.Anonymous) and n.name.lower() == "the_answer" else n
        )

    tree = bind("SELECT the_answer() AS a")[0]
    assert "42" in to_datafusion_sql(tree, (*RULES, answer_rule))
    assert "42" not in to_datafusion_sql(tree)


def test_rewrite_does_not_change_the_input_tree():
    tree = bind("SELECT embedding <-> '[1,0,0]' FROM items")[0]
    before = tree.sql()
    to_datafusion_sql(tree)
    assert tree.sql() == before


def test_json_parameter_through_json_operator():
    assert column("SELECT %s::jsonb->>'k'", [{"k": "v"}]) == ["v"]
