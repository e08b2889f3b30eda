"""Parameter binding: placeholders, every value type, counts, and that values never become SQL text."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

import numpy as np
import pyarrow as pa
import pytest
from sqlglot import exp

from agentlake.errors import Error
from agentlake.sql.params import bind, parse_statements
from agentlake.sql.rewrite import to_datafusion_sql

from .standins import context


def run(sql: str, params=None) -> pa.Table:
    ctx = context()
    return ctx.sql(to_datafusion_sql(bind(sql, params)[0])).to_arrow_table()


def value(sql: str, params=None):
    return run(sql, params).column(0)[0].as_py()


def test_positional_pyformat():
    assert run("SELECT %s AS a, %s AS b", [1, "x"]).to_pylist() == [{"a": 1, "b": "x"}]


def test_named_pyformat_reuses_a_name():
    assert run("SELECT %(k)s AS a, %(k)s + 1 AS b", {"k": 41}).to_pylist() == [{"a": 41, "b": 42}]


def test_dollar_placeholders():
    assert run("SELECT $2 AS a, $1 AS b", ["one", "two"]).to_pylist() == [{"a": "two", "b": "one"}]


def test_double_percent_is_a_literal_percent():
    assert run("SELECT name FROM items WHERE name LIKE '%%an%%' AND id > %s", [0]).column(0).to_pylist() == ["Banana"]


def test_percent_inside_string_literal_is_left_alone():
    assert value("SELECT 'a%sb' AS v") == "a%sb"


def test_placeholder_in_where_selects_rows():
    assert run("SELECT id FROM items WHERE name = %(n)s", {"n": "cherry"}).column(0).to_pylist() == [3]


INJECTION = "x'); DROP TABLE t; --"


def test_injection_attempt_stays_one_string():
    statements = bind("SELECT %s AS v", [INJECTION])
    assert len(statements) == 1 and isinstance(statements[0], exp.Select)
    assert value("SELECT %s AS v", [INJECTION]) == INJECTION


def test_injection_attempt_with_quotes_and_backslashes():
    nasty = "\\'; SELECT 1; --\" $1 %s"
    assert value("SELECT %s AS v", [nasty]) == nasty


def test_binding_does_not_change_the_cached_tree():
    sql = "SELECT %s AS v"
    before = parse_statements(sql.replace("%s", "$1"))[0].sql()
    bind(sql, [1])
    bind(sql, ["two"])
    assert parse_statements(sql.replace("%s", "$1"))[0].sql() == before


@pytest.mark.parametrize(
    "param, expected",
    [
        (None, None),
        (True, True),
        (False, False),
        (7, 7),
        (-(2**40), -(2**40)),
        (1.5, 1.5),
        (decimal.Decimal("12.345"), decimal.Decimal("12.345")),
        (decimal.Decimal("-1E+3"), decimal.Decimal("-1000")),
        ("it's", "it's"),
        ("", ""),
        (b"\x00\xff'", b"\x00\xff'"),
        (dt.date(2024, 1, 2), dt.date(2024, 1, 2)),
        (dt.time(1, 2, 3), dt.time(1, 2, 3)),
        (uuid.UUID(int=5), "00000000-0000-0000-0000-000000000005"),
        ([1, 2, 3], [1, 2, 3]),
        (["a", "b"], ["a", "b"]),
    ],
)
def test_value_round_trips_through_datafusion(param, expected):
    assert value("SELECT %s AS v", [param]) == expected


def test_float_nan():
    assert np.isnan(value("SELECT %s AS v", [float("nan")]))


def test_decimal_stays_decimal():
    field = run("SELECT %s AS v", [decimal.Decimal("3.10")]).schema.field(0)
    assert pa.types.is_decimal(field.type) and field.type.scale == 2


def test_naive_datetime_is_timestamp():
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, 6)
    table = run("SELECT %s AS v", [moment])
    assert table.schema.field(0).type.tz is None
    assert table.column(0)[0].as_py() == moment


def test_aware_datetime_is_timestamptz_in_utc():
    moment = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    table = run("SELECT %s AS v", [moment])
    assert table.schema.field(0).type.tz == "UTC"
    assert table.column(0)[0].as_py() == moment


def test_timedelta_is_interval_keeping_days():
    result = value("SELECT %s AS v", [dt.timedelta(days=1, seconds=3, microseconds=5)])
    assert (result.months, result.days, result.nanoseconds) == (0, 1, 3_000_005_000)


def test_timedelta_arithmetic_on_timestamps():
    ids = (
        run(
            "SELECT id FROM items WHERE ts >= %s::timestamptz - %s ORDER BY id",
            [dt.datetime(1970, 1, 3, tzinfo=dt.timezone.utc), dt.timedelta(days=1)],
        )
        .column(0)
        .to_pylist()
    )
    assert ids == [2, 3]


def test_dict_is_jsonb_text():
    import json

    assert json.loads(value("SELECT %s AS v", [{"a": [1, None], "b": "it's"}])) == {"a": [1, None], "b": "it's"}


@pytest.mark.parametrize("param", [[1.0, 0.0, 0.0], np.array([1, 0, 0], dtype=np.float32), np.array([1.0, 0.0, 0.0])])
def test_vector_parameters_order_by_distance(param):
    ids = run("SELECT id FROM items ORDER BY embedding <-> %s LIMIT 2", [param]).column(0).to_pylist()
    assert ids == [1, 3]


def test_pgvector_vector_object():
    pgvector = pytest.importorskip("pgvector")
    ids = run("SELECT id FROM items ORDER BY embedding <-> %s LIMIT 1", [pgvector.Vector([0, 1, 0])]).column(0)
    assert ids.to_pylist() == [2]


def test_too_few_parameters_is_08P01():
    with pytest.raises(Error) as info:
        bind("SELECT %s, %s", [1])
    assert info.value.sqlstate == "08P01"


def test_too_many_parameters_is_08P01():
    with pytest.raises(Error) as info:
        bind("SELECT %s", [1, 2])
    assert info.value.sqlstate == "08P01"


def test_dollar_count_mismatch_is_08P01():
    with pytest.raises(Error) as info:
        bind("SELECT $1, $2", [1])
    assert info.value.sqlstate == "08P01"


def test_missing_named_parameter_is_42P02():
    with pytest.raises(Error) as info:
        bind("SELECT %(a)s, %(b)s", {"a": 1})
    assert info.value.sqlstate == "42P02"


def test_parameters_without_placeholders_are_an_error():
    with pytest.raises(Error) as info:
        bind("SELECT 1", [1])
    assert info.value.sqlstate == "08P01"


def test_unsupported_value_type_is_rejected():
    with pytest.raises(Error):
        bind("SELECT %s", [object()])


def test_parameters_across_several_statements():
    statements = bind("INSERT INTO t VALUES (%s); SELECT %s", [1, "x"])
    assert [type(s) for s in statements] == [exp.Insert, exp.Select]
    assert statements[1].expressions[0].this == "x"


def test_dollar_quoted_strings_keep_their_percent_signs():
    assert run("SELECT $$%s$$ AS a, %s AS b, $q$it's %s$q$ AS c", [1]).to_pylist() == [
        {"a": "%s", "b": 1, "c": "it's %s"}
    ]


def test_without_parameters_percent_is_the_modulo_operator():
    assert value("SELECT 7 %(2) AS m") == 1
    assert value("SELECT 7 % 2 AS m") == 1


def test_bound_trees_are_independent_copies():
    (first,) = bind("SELECT a, b FROM t WHERE id = %s ORDER BY a LIMIT 5", [1])
    (second,) = bind("SELECT a, b FROM t WHERE id = %s ORDER BY a LIMIT 5", [2])
    (cached,) = parse_statements("SELECT a, b FROM t WHERE id = $1 ORDER BY a LIMIT 5")
    first.find(exp.Column).replace(exp.column("changed"))
    assert "changed" not in second.sql() and "changed" not in cached.sql()
    for node in second.walk():
        if node.parent is not None:
            held = node.parent.args[node.arg_key]
            assert held is node or (isinstance(held, list) and held[node.index] is node)
    assert not any(a is b for a, b in zip(second.walk(), cached.walk()))
