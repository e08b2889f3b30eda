"""SQL/JSON path beyond LangChain's subset, as PostgreSQL 16 answers it (each was 0A000): ``last``,
ranges and lists in subscripts, ``.**`` and its levels, arithmetic, the methods ``.abs()``,
``.floor()``, ``.ceiling()``, ``.double()`` and ``.keyvalue()`` (its ids included), and strict
mode, with its errors and the silent flag that suppresses them. Values are compared as jsonb
text, so that a number's scale counts (1.50 is not 1.5)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE TABLE docs (id int PRIMARY KEY, body jsonb)",
    """INSERT INTO docs VALUES"""
    """ (1, '{"a": [0, 1, 2, 3, 4, 5, 6], "n": {"x": 1.50, "y": [-2.5, "3"]}, "s": "7.25"}'),"""
    """ (2, '{"a": [], "n": {"x": -0.5}, "s": "abc"}'),"""
    """ (3, '{"a": 9, "n": {"x": 10}}')""",
]


def _same(both, sql: str) -> None:
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


def _query(path: str) -> str:
    """Each row's items of ``path`` as one jsonb array's text."""
    return f"SELECT id, jsonb_path_query_array(body, '{path}')::text FROM docs ORDER BY id"


@pytest.mark.parametrize(
    "path",
    [
        "$.a[last]",
        "$.a[last - 1]",
        "$.a[1 to last]",
        "$.a[0, 2, 4 to 5]",
        "$.a[last - 2 to last, 0]",
        "$.a[5 to 10, -3 to 1]",  # lax: clipped to the array
        "$.a[7]",
        "$.a[1.9]",  # truncated
        "$.a[$.n.x]",
        "$.a[*][0]",  # a non-array is a one-element array in lax mode
        "$.n.y[last]",
    ],
)
def test_subscripts_as_postgres(both, path):
    _same(both, _query(path))


@pytest.mark.parametrize(
    "path",
    [
        "$.**",
        "$.**{0}",
        "$.**{1}",
        "$.**{2}",
        "$.**{1 to 2}",
        "$.**{2 to last}",
        "$.**{last}",
        "$.**.x",
        "strict $.**.x",
    ],
)
def test_recursive_wildcard_as_postgres(both, path):
    """``.**`` is the item itself and everything below, objects' members in jsonb's key order."""
    _same(both, _query(path))


@pytest.mark.parametrize(
    "path",
    [
        "$.n.x + 1",
        "$.n.x * 2 - 1",
        "$.n.x - 2 * 3",
        "($.n.x - 2) * 3",
        "-$.n.x + 1",
        "-$.n.y[0].abs()",
        "(-$.n.y[0]).abs()",
        "- -$.n.x",
        "+$.n.x",
        "$.n.x / 3",
        "$.n.x % 0.4",
        "0.1 * 0.20",
        "1e2 * 1.5",
        "10 / 4",
        "1 / 7",
        "1.50 / 1000000",
        "-10.5 % 3",
        "2 - 3 - 4",
        "20 / 2 / 5",
        "$.a.size() - 1",
        "$.a[*] ? (@ * 2 > 7)",
        "$.a[*] ? (6 / @ > 2)",  # 6 / 0 is an error in a filter: unknown, so 0 is left out
        "$.n.x + 1 == 2.50",
    ],
)
def test_arithmetic_as_postgres(both, path):
    _same(both, _query(path))


@pytest.mark.parametrize(
    ("path", "sqlstate"),
    [
        ("$.a[0] / 0", "22012"),
        ("$.a[0] % 0", "22012"),
        ("$.a[*] + 1", "22038"),  # not a single item
        ("$.s + 1", "22038"),
        ("1 + $.missing", "22038"),
        ("-$.s", "2203B"),
        ("strict $.n + 1", "22038"),
        ("$.a[$.s]", "22033"),
        ("$.a[99999999999]", "22033"),
    ],
)
def test_arithmetic_errors_as_postgres(both, path, sqlstate):
    sql = f"SELECT jsonb_path_query_array(body, '{path}') FROM docs WHERE id = 1"
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


@pytest.mark.parametrize(
    "path",
    [
        "$.n.x.abs()",
        "$.n.y[0].abs()",
        "$.n.y[0].floor()",
        "$.n.x.ceiling()",
        "$.n.x.floor() + $.n.x.ceiling()",
        "$.n.x.double()",  # a number stays as written: 1.50
        "$.n.y[1].double()",
        "$.n.keyvalue()",
        "$.keyvalue().key",
        '$.keyvalue() ? (@.value.type() == "object").value.keyvalue()',
        "$.a.abs()",  # lax: the array's elements
    ],
)
def test_item_methods_as_postgres(both, path):
    """``.keyvalue()``'s ids too: the object's offset in PostgreSQL's binary jsonb, plus 10^10 times
    the number of the value it was read from (0 the document, 1 vars, then each made object)."""
    _same(both, _query(path))


@pytest.mark.parametrize(
    "sql",
    [
        """SELECT jsonb_path_query_array('{}', '$v.q.keyvalue()', '{"v": {"p": 1.5, "q": {"z": 2}}}')::text""",
        """SELECT jsonb_path_query_array('["7.25", " 1e3 ", "1.23456789012345678", "0x1A"]', '$[*].double()')::text""",
        """SELECT jsonb_path_query_array('{"s": "7.25"}', '$.s.double() * 2')::text""",
        """SELECT jsonb_path_query_array('{"a": [{"x": 1}, 2]}', 'lax $.**.x')::text""",
        "SELECT id, jsonb_path_query(body, '-$.a[last - 1 to last]')::text AS v FROM docs WHERE id = 1 ORDER BY v",
    ],
)
def test_constant_documents_as_postgres(both, sql):
    """``.keyvalue()`` of a variable counts from the vars object (1 * 10^10); ``.double()`` of a
    string is a double, printed with 15 digits; lax mode unwraps below ``.**``, so ``$.**.x`` finds
    ``x`` twice (in the array's object, and in the array unwrapped)."""
    _same(both, sql)


@pytest.mark.parametrize(
    ("path", "sqlstate"),
    [
        ("$.s.abs()", "22036"),
        ("$.s.double()", "22036"),  # "abc"
        ("$.s.keyvalue()", "2203C"),
    ],
)
def test_item_method_errors_as_postgres(both, path, sqlstate):
    sql = f"SELECT jsonb_path_query_array(body, '{path}') FROM docs WHERE id = 2"
    assert both.sqlstates(sql) == (sqlstate, sqlstate)


@pytest.mark.parametrize(
    "path",
    [
        "strict $.n.x",
        "strict $.a[*] ? (@ > 4)",
        "strict $.a ? (@.size() > 3)",  # no unwrapping: the array is filtered
        "strict $.n ? (@.missing == 1)",  # an error in a filter is unknown, not an error
        "strict $.n ? ((@.missing == 1) is unknown)",
        "strict $.a.size()",
    ],
)
def test_strict_mode_as_postgres(both, path):
    _same(both, f"SELECT id, jsonb_path_query_array(body, '{path}')::text FROM docs WHERE id < 3 ORDER BY id")


@pytest.mark.parametrize(
    ("path", "sqlstate"),
    [
        ("strict $.missing", "2203A"),
        ("strict $.s.key", "2203A"),
        ("strict $.s.*", "2203C"),
        ("strict $.s[0]", "22039"),
        ("strict $.s[*]", "22039"),
        ("strict $.a[7]", "22033"),
        ("strict $.a[3 to 1]", "22033"),
        ("strict $.a[-1]", "22033"),
        ("strict $.s.size()", "22039"),
        ("strict $.n.y.abs()", "22036"),
    ],
)
def test_strict_mode_errors_as_postgres(both, path, sqlstate):
    """Each an error, which the silent flag (and the ``@?`` operator) turns into no item."""
    for function in ("jsonb_path_query_array", "jsonb_path_exists", "jsonb_path_query_first"):
        assert both.sqlstates(f"SELECT {function}(body, '{path}') FROM docs WHERE id = 1") == (sqlstate, sqlstate)
    silent = (
        f"SELECT jsonb_path_query_array(body, '{path}', '{{}}', true)::text, jsonb_path_exists(body, '{path}', '{{}}', true),"
        f" jsonb_path_query_first(body, '{path}', '{{}}', true)::text, body @? '{path}' FROM docs WHERE id = 1"
    )
    _same(both, silent)


@pytest.mark.parametrize(
    "sql",
    [
        # a strict predicate is unknown when any pair of items is, and an operand's error is unknown
        """SELECT jsonb_path_match('{"a": [1, "x"]}', 'strict $.a[*] > 0'), jsonb_path_match('{"a": [1, "x"]}', 'lax $.a[*] > 0')""",
        """SELECT jsonb_path_match('{"a": 1}', 'strict $.b > 0'), jsonb_path_match('{"a": 1}', 'strict exists($.b)')""",
        # lax existence stops at the first item: a later item's error goes unseen
        """SELECT jsonb_path_exists('[1, "x"]', '$[*].abs()'), jsonb_path_exists('["x", 1]', '-$[*]')""",
        """SELECT jsonb_path_match('{"a": [{"b": 2}, "x"]}', 'exists($.a[*].b.abs())')""",
    ],
)
def test_predicates_and_existence_as_postgres(both, sql):
    _same(both, sql)


@pytest.mark.parametrize(
    "path",
    [
        "@ + 1",  # @ outside a filter
        "$ ? (last > 1)",  # last outside a subscript
        "$ ? (@.a)",  # a filter of an expression
        "($.a > 1) + 1",  # arithmetic on a predicate
    ],
)
def test_paths_postgres_rejects_are_syntax_errors(both, path):
    assert both.sqlstates(f"SELECT jsonb_path_query_array('{{}}', '{path}')") == ("42601", "42601")


@pytest.mark.parametrize("path", ["$.a.datetime()", "$.a == 0x1F", "$.a == 1_000"])
def test_the_rest_is_refused(both, path):
    lake, _ = both.sqlstates(f"SELECT jsonb_path_query_array('{{\"a\": 1}}', '{path}')")
    assert lake == "0A000"
