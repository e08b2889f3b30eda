"""Output columns are named after the function as it was called, as PostgreSQL names them
(``char_length``, ``now``, ``strpos``, ``row_number``), though sqlglot reads many spellings into one
node; and PostgreSQL's synonyms DataFusion lacks (``every``, ``sign``, ``transaction_timestamp``,
``isfinite``) answer as PostgreSQL does. Each assertion runs against agentlake and PostgreSQL 16."""

from __future__ import annotations

import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

NAMES = {
    "char_length('a')": "char_length",
    "character_length('ab')": "character_length",
    "length('a')": "length",
    "ceiling(1.5)": "ceiling",
    "ceil(1.5)": "ceil",
    "pow(2, 3)": "pow",
    "power(2, 3)": "power",
    "substr('abc', 1, 1)": "substr",
    "substring('abc', 1, 1)": "substring",
    "now() IS NOT NULL": "?column?",
    "current_date IS NOT NULL": "?column?",
    "strpos('abc', 'b')": "strpos",
    "position('b' in 'abc')": "position",
    "btrim(' a ')": "btrim",
    "trim(' a ')": "btrim",
    "trim(leading ' ' from ' a')": "ltrim",
    "ltrim(' a')": "ltrim",
    "rtrim('a ')": "rtrim",
    "date_trunc('day', timestamp '2024-01-02 03:04')": "date_trunc",
    "date_part('year', date '2024-01-02')": "date_part",
    "string_agg('a', ',')": "string_agg",
    "bool_and(true)": "bool_and",
    "every(true)": "every",
    "array_length(ARRAY[1, 2], 1)": "array_length",
    "lpad('a', 3)": "lpad",
    "rpad('a', 3)": "rpad",
    "to_hex(255)": "to_hex",
    "array_cat(ARRAY[1], ARRAY[2])": "array_cat",
    "mod(5, 2)": "mod",
    "sign(-2.5)": "sign",
    "isfinite(date '2024-01-02')": "isfinite",
    "transaction_timestamp() = now()": "?column?",
    "coalesce(NULL, 2)": "coalesce",
}
VALUES = {
    "char_length('a')": 1,
    "strpos('abc', 'b')": 2,
    "trim(' a ')": "a",
    "trim(leading ' ' from ' a')": "a",
    "every(true)": True,
    "mod(5, 2)": 1,
    "sign(-2.5)": -1,
    "isfinite(date '2024-01-02')": True,
    "transaction_timestamp() = now()": True,
}


@pytest.mark.parametrize("call", NAMES)
def test_column_is_named_as_postgres_names_it(target, call):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        cursor = conn.execute(f"SELECT {call}")
        assert cursor.description[0].name == NAMES[call]
        value = cursor.fetchone()[0]
    if call in VALUES:
        assert value == VALUES[call]


def test_window_functions_are_named_after_the_function(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        cursor = conn.execute(
            "SELECT row_number() OVER (ORDER BY x), rank() OVER (ORDER BY x), lag(x) OVER (ORDER BY x),"
            " first_value(x) OVER (ORDER BY x) FROM (VALUES (1), (2)) v(x) ORDER BY 1"
        )
        assert [d.name for d in cursor.description] == ["row_number", "rank", "lag", "first_value"]
        assert cursor.fetchall() == [(1, 1, None, 1), (2, 2, 1, 1)]
