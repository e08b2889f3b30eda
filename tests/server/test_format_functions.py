"""format, to_char, age, justify_*, div and timeofday answer as PostgreSQL 16 does (they were
42883): each assertion runs against agentlake and PostgreSQL. Intervals are compared as
format('%s', ...) prints them, PostgreSQL's interval text."""

from __future__ import annotations

import psycopg
import pytest

from .reference_postgres import target  # noqa: F401 - fixture

TS = "timestamp '2024-03-05 14:07:09.123456'"
VALUES = {
    "format('%s|%L|%I|%I|%I', true, false, 'Foo', 'select', 'a b')": 't|\'f\'|"Foo"|"select"|"a b"',
    "format('%L %L %L', 'it''s', E'a\\\\b', NULL)": "'it''s' E'a\\\\b' NULL",
    "format('[%5s][%-5s][%*s][%-*s][%2$s]', 'ab', 'cd', 3, 'x', 3, 'y')": "[   ab][cd   ][  x][y  ][cd]",
    "format('%s %s', 1.50, date '2024-01-02')": "1.50 2024-01-02",
    "format('%s', timestamptz '2024-01-02 03:04:05.25+00')": "2024-01-02 03:04:05.25+00",
    "format('%s|%s|[%3s]|100%%', interval '-1 mon 1 day -2 hours', NULL, NULL)": "-1 mons +1 day -02:00:00||[   ]|100%",
    "format('%s', 2.5::float8)": "2.5",
    "format('x')": "x",
    "format(NULL, 1)": None,
    f"to_char({TS}, 'YYYY-MM-DD HH24:MI:SS')": "2024-03-05 14:07:09",
    f"to_char({TS}, 'Month|MONTH|month|FMMonth|Mon|MON|Day|Dy|FMDay|DDD|D|ID')": "March    |MARCH    |march    |March|Mar|MAR|Tuesday  |Tue|Tuesday|065|3|2",
    f"to_char({TS}, 'HH|HH12|am|PM|A.M.|MS|US|FF3|TZ|OF|J|IW|IYYY|WW|W|Q|CC|Y,YYY|DDth|FMDDth|\"lit YYYY\"|FMHH24')": "02|02|pm|PM|P.M.|123|123456|123||+00|2460375|10|2024|10|1|1|21|2,024|05th|5th|lit YYYY|14",
    "to_char(timestamptz '2024-03-05 14:07:09+00', 'YYYY TZ tz OF')": "2024 UTC utc +00",
    "to_char(date '2024-01-02', 'DD/MM/YY')": "02/01/24",
    "to_char(interval '1 day 25:03:04.5', 'DD HH24:MI:SS.MS')": "01 25:03:04.500",
    "format('%s', age(timestamp '2024-03-01', timestamp '2023-01-31 10:00'))": "1 year 1 mon 14:00:00",
    "format('%s', age(timestamp '2023-01-31', timestamp '2024-03-01 10:00:00.5'))": "-1 years -1 mons -1 days -10:00:00.5",
    "format('%s', age(date '2024-02-29', date '2023-03-31'))": "10 mons 29 days",
    "age(timestamp '2020-01-01') > interval '1 year'": True,
    "format('%s', justify_days(interval '1 mon -35 days'))": "-5 days",
    "format('%s', justify_hours(interval '1 day -27 hours'))": "-03:00:00",
    "format('%s', justify_interval(interval '-1 mon 50 days 25 hours'))": "21 days 01:00:00",
    "format('%s', justify_interval(interval '1 mon -1 hour'))": "29 days 23:00:00",
    "div(-7, 2)": -3,
    "div(7.9, 0.5)": 15,
    "timeofday() LIKE '% UTC'": True,
}
NAMES = {
    "to_char(now(), 'YYYY')": "to_char",
    "format('%s', 1)": "format",
    "age(timestamp '2020-01-01')": "age",
    "div(7, 2)": "div",
    "justify_days(interval '1 day')": "justify_days",
    "timeofday()": "timeofday",
}
ERRORS = {
    "format('%x', 1)": ("22023", 'unrecognized format() type specifier "x"'),
    "format('%s %s', 1)": ("22023", "too few arguments for format()"),
    "format('abc%')": ("22023", "unterminated format() type specifier"),
    "format('%0$s', 1)": ("22023", "format specifies argument 0, but arguments are numbered from 1"),
    "format('%I', NULL)": ("22004", "null values cannot be formatted as an SQL identifier"),
    "div(7, 0)": ("22012", "division by zero"),
}


@pytest.mark.parametrize("call", VALUES)
def test_value_is_postgres_value(target, call):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        assert conn.execute(f"SELECT {call}").fetchone()[0] == VALUES[call]


@pytest.mark.parametrize("call", NAMES)
def test_column_is_named_after_the_function(target, call):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        assert conn.execute(f"SELECT {call}").description[0].name == NAMES[call]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_are_postgres_errors(target, call):
    sqlstate, message = ERRORS[call]
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.Error) as caught:
            conn.execute(f"SELECT {call}")
    assert caught.value.sqlstate == sqlstate
    assert message in str(caught.value)


def test_format_reads_columns_row_by_row(target):
    with psycopg.connect(target.dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT format('%s=%L', k, v), to_char(t, 'FMDD Mon') FROM (VALUES ('a', 'x', date '2024-01-02'),"
            " ('b', NULL, date '2024-12-31')) r(k, v, t) ORDER BY k"
        ).fetchall()
    assert rows == [("a='x'", "2 Jan"), ("b=NULL", "31 Dec")]


@pytest.mark.parametrize("call", ["to_char(1.5, 'RN')", "to_char(timestamp '2024-01-02', 'RM')"])
def test_unsupported_templates_are_refused(server, call):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.FeatureNotSupported):
            conn.execute(f"SELECT {call}")
