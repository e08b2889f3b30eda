"""jsonb operators and functions, each answered by agentlake and by PostgreSQL 16 (values as text,
errors by SQLSTATE)."""

from __future__ import annotations

import pytest

DOC = """'{"a": 2, "tags": ["x", "y"], "s": "Hello", "n": null, "o": [{"b": 1}, {"b": 3}], "f": 1.50}'::jsonb"""

EXPRESSIONS = [
    f'{DOC} @> \'{{"tags": ["y"]}}\'',
    f"{DOC} @> '{{\"a\": 2.0}}'",
    f"'{{\"a\": 1}}'::jsonb <@ {DOC}",
    "'[1, 2, [3]]'::jsonb @> '[[3], 1]'",
    "'[1, 2]'::jsonb @> '2'",
    "'[true]'::jsonb @> '[1]'",
    f"{DOC} ? 'tags'",
    "'[\"a\", 1]'::jsonb ? 'a'",
    "'\"foo\"'::jsonb ? 'foo'",
    f"{DOC} ?| array['zz', 's']",
    f"{DOC} ?& array['a', 'zz']",
    "jsonb_exists('{\"k\": 1}', 'k')",
    "jsonb_typeof('1.5')",
    "jsonb_typeof('[]')",
    "jsonb_typeof('null')",
    '\'{"a": 1, "b": 2}\'::jsonb || \'{"b": 3, "c": 4}\'',
    "'[1, 2]'::jsonb || '[3]'",
    "'[1]'::jsonb || '{\"a\": 1}'",
    "'1'::jsonb || '2'",
    f"{DOC} - 'tags'",
    '\'["a", "b", "a"]\'::jsonb - \'a\'',
    "'[1, 2, 3]'::jsonb - 1",
    "'[1, 2, 3]'::jsonb - -1",
    "'{\"a\": 1, \"b\": 2, \"c\": 3}'::jsonb - array['a', 'c']",
    "'1'::jsonb - 'a'",
    "'{\"a\": 1}'::jsonb - 0",
    f"{DOC} #> '{{o,1,b}}'",
    f"{DOC} #>> '{{tags,0}}'",
    f"{DOC} #> '{{missing,0}}'",
    f"{DOC} -> 'f'",
    f"{DOC} ->> 'f'",
    f"{DOC} -> 'tags' -> -1",
    f"{DOC} ->> 'n'",
    "'{\"a\": {\"b\": 1}}'::jsonb #- '{a,b}'",
    "'[1, [2, 3]]'::jsonb #- '{1,0}'",
    "jsonb_set('{\"a\": {\"b\": 1}}', '{a,b}', '[2]')",
    "jsonb_set('{\"a\": 1}', '{c}', '\"new\"')",
    "jsonb_set('{\"a\": 1}', '{c}', '3', false)",
    "jsonb_set('[1, 2]', '{5}', '3')",
    "jsonb_set('[1, 2]', '{-9}', '0')",
    "jsonb_set('{\"a\": 1}', '{x,y}', '3')",
    "jsonb_set('1', '{a}', '3')",
    "jsonb_set('[1]', '{a}', '3')",
    "jsonb_build_object('a', 1, 'b', 'text', 'c', true, 'd', null, 'e', 1.50, 'f', '{\"x\": 1}'::jsonb)",
    "jsonb_build_object('a', 1, 'a', 2)",
    "jsonb_build_object(null, 1)",
    "jsonb_build_array(1, 'a', null)",
    "to_jsonb('it''s'::text)",
    f"jsonb_path_match({DOC}, '$.a == $value', '{{\"value\": 2}}')",
    f"jsonb_path_match({DOC}, '$.a == $value', '{{\"value\": \"2\"}}')",
    f"jsonb_path_match({DOC}, '$.tags[*] == \"x\"')",
    f"jsonb_path_match({DOC}, '$.tags == \"y\"')",
    f'jsonb_path_match({DOC}, \'$.a > 1 && $.s like_regex "^h" flag "i"\')',
    f"jsonb_path_match({DOC}, '$.a < 1 || !($.n == null)')",
    f"jsonb_path_match({DOC}, '$.a > \"x\"')",
    f"jsonb_path_match({DOC}, '($.a > \"x\") is unknown')",
    f"jsonb_path_match({DOC}, '$.n != 1')",
    f"jsonb_path_match({DOC}, 'exists($.o[*] ? (@.b > 2))')",
    f"jsonb_path_match({DOC}, '$.o.b == 3')",
    f"jsonb_path_match({DOC}, '$.s starts with \"He\"')",
    f"jsonb_path_match({DOC}, '$.f == 1.5')",
    f"jsonb_path_match({DOC}, '$.missing == 1')",
    f"jsonb_path_match({DOC}, '$.a')",
    f"jsonb_path_match({DOC}, '$.a == $nope')",
    f"jsonb_path_exists({DOC}, '$.a ? (@ > 1)')",
    f"jsonb_path_exists({DOC}, '$.a ? (@ > 5)')",
    f"jsonb_path_exists({DOC}, '$.tags[5]')",
    f"jsonb_path_exists({DOC}, '$.a == 7')",
    f"jsonb_path_exists({DOC}, 'lax $.o[0].b')",
    f"jsonb_path_exists({DOC}, '$.o[*].b ? (@ >= 3)')",
    "jsonb_array_length('[1, [2], {}]')",
    "jsonb_array_length('{}')",
]


def _answer(conn, expression: str):
    cur = conn.cursor()
    try:
        cur.execute(f"SELECT ({expression})::text")
        return cur.fetchone()[0]
    except Exception as err:  # noqa: BLE001 - the SQLSTATE is the answer
        if hasattr(conn, "rollback"):
            conn.rollback()
        return ("error", getattr(err, "sqlstate", None))


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_answers_as_postgres(postgres, lake, expression):
    assert _answer(lake, expression) == _answer(postgres, expression)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT jsonb_array_elements(v -> 'tags')::text FROM docs ORDER BY 1",
        "SELECT jsonb_array_elements_text(v -> 'tags') FROM docs ORDER BY 1",
        "SELECT jsonb_each(v)::text FROM docs WHERE i = 1 ORDER BY 1",
        "SELECT jsonb_each_text(v)::text FROM docs WHERE i = 1 ORDER BY 1",
        "SELECT i FROM docs WHERE jsonb_path_match(v, '$.n >= $min', '{\"min\": 2}') ORDER BY i",
        'SELECT i FROM docs WHERE v @> \'{"tags": ["y"]}\' ORDER BY i',
        "SELECT i FROM docs WHERE v ? 'n' ORDER BY i",
        "SELECT (v - 'tags')::text FROM docs ORDER BY i",
        "SELECT (v || jsonb_build_object('i', i))::text FROM docs ORDER BY i",
    ],
)
def test_over_a_table(postgres, lake, sql):
    rows = [
        '(1, \'{"n": 1, "tags": ["x", "y"], "k": "a,b"}\')',
        '(2, \'{"n": 2.5, "tags": ["z"]}\')',
        "(3, '{\"n\": 10}')",
    ]
    for conn in (postgres, lake):
        cur = conn.cursor()
        cur.execute("DROP TABLE IF EXISTS docs")
        cur.execute("CREATE TABLE docs (i int PRIMARY KEY, v jsonb)")
        cur.execute("INSERT INTO docs VALUES " + ", ".join(rows))
    lake.commit()

    def rows_of(conn):
        cur = conn.cursor()
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]

    assert rows_of(lake) == rows_of(postgres)


@pytest.mark.parametrize("path", ["$.a.datetime() > 1", "$.a == 0x1F", "$.a == 1_000", '$"a" == 1'])
def test_paths_outside_the_subset_are_refused(lake, path):
    import agentlake

    with pytest.raises(agentlake.NotSupportedError) as caught:
        lake.cursor().execute(f"SELECT jsonb_path_match('{{\"a\": 1}}', '{path}')")
    assert caught.value.sqlstate == "0A000"


def test_a_whole_row_reference_to_a_function_in_from_is_refused(lake):
    """Set-returning functions in FROM are tests/sql/test_set_returning_from.py's; reading the whole
    row of one (``x``, not ``x.value``) is not supported."""
    import agentlake

    cur = lake.cursor()
    cur.execute("CREATE TABLE t (m jsonb)")
    with pytest.raises(agentlake.NotSupportedError):
        cur.execute("SELECT x FROM t, jsonb_array_elements(t.m) AS x")


def test_jsonb_has_no_max_nor_numeric_comparison(lake):
    import agentlake

    cur = lake.cursor()
    cur.execute("CREATE TABLE t (m jsonb)")
    for sql in ("SELECT max(m) FROM t", "SELECT * FROM t WHERE m -> 'a' > 5", "SELECT * FROM t WHERE m = m ->> 'a'"):
        with pytest.raises(agentlake.ProgrammingError) as caught:
            cur.execute(sql)
        assert caught.value.sqlstate == "42883", sql
