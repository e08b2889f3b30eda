"""Error mapping: real sqlglot and DataFusion errors become agentlake errors with PostgreSQL SQLSTATEs."""

from __future__ import annotations

import datafusion
import pyarrow as pa
import pytest
from datafusion import udf

from agentlake import errors
from agentlake.sql.diagnostics import translate
from agentlake.sql.params import parse_statements


def _strict_dims(values: pa.Array) -> pa.Array:
    raise ValueError("[SQLSTATE 22000] different vector dimensions 3 and 2")


@pytest.fixture(scope="module")
def ctx() -> datafusion.SessionContext:
    context = datafusion.SessionContext()
    context.register_record_batches("t", [[pa.record_batch({"a": [1, 2], "s": ["x", "y"]})]])
    context.register_udf(udf(_strict_dims, [pa.int64()], pa.int64(), "immutable", "strict_dims"))
    return context


def datafusion_error(ctx: datafusion.SessionContext, sql: str) -> errors.Error:
    with pytest.raises(Exception) as info:
        ctx.sql(sql).collect()
    return translate(info.value)


@pytest.mark.parametrize(
    "sql, sqlstate, message",
    [
        ("SELECT * FROM nosuch", "42P01", 'relation "nosuch" does not exist'),
        ("SELECT nosuch FROM t", "42703", 'column "nosuch" does not exist'),
        ("SELECT t.nosuch FROM t", "42703", "column t.nosuch does not exist"),
        ("SELECT a FROM t ORDER BY nosuch", "42703", 'column "nosuch" does not exist'),
        ("SELECT a / 0 FROM t", "22012", "division by zero"),
        ("SELECT 1 / 0", "22012", "division by zero"),
        ("SELECT sqrt(-1.0)", "2201F", "cannot take square root of a negative number"),
        ("SELECT power(0.0, -1.0)", "2201F", "zero raised to a negative power is undefined"),
        ("SELECT 'x'::int", "22P02", 'invalid input syntax for type integer: "x"'),
        ("SELECT CAST(s AS int) FROM t", "22P02", 'invalid input syntax for type integer: "x"'),
        ("SELECT 'abc'::numeric", "22P02", 'invalid input syntax for type numeric: "abc"'),
        ("SELECT '99999999999'::int", "22003", 'value "99999999999" is out of range for type integer'),
        ("SELECT CAST('2020-13-45' AS date)", "22008", "2020-13-45"),
        ("SELECT CAST(99999 AS smallint)", "22003", "99999"),
        ("SELECT interval 'abc'", "22007", "abc"),
        ("SELECT 'a' + 1", "42883", "Cannot coerce"),  # text + integer: PostgreSQL's "operator does not exist"
        ("SELECT a FROM t WHERE s", "42804", "non-boolean"),
        ("SELECT foo(1)", "42883", "function foo does not exist"),
        ("SELECT sum(s) FROM t", "42883", "function sum(Utf8) does not exist"),
        ("SELECT abs('x')", "42883", "does not exist"),
        ("SELECT 1 +", "42601", ""),
        ("SELECT a FROM t UNION SELECT s, a FROM t", "42601", "different number of columns"),
        ("SELECT a, count(*) FROM t", "42803", "GROUP BY"),
        ("SELECT a FROM t, t", "42712", "duplicate"),
        ("SELECT CAST(a AS uuid) FROM t", "0A000", "UUID"),
    ],
)
def test_datafusion_errors(ctx, sql, sqlstate, message):
    error = datafusion_error(ctx, sql)
    assert isinstance(error, errors.Error)
    assert error.sqlstate == sqlstate
    assert message in str(error)
    assert "DataFusion error" not in str(error) and "caused by" not in str(error)


def test_error_classes_follow_pep_249(ctx):
    assert isinstance(datafusion_error(ctx, "SELECT * FROM nosuch"), errors.ProgrammingError)
    assert isinstance(datafusion_error(ctx, "SELECT 1 / 0"), errors.DataError)
    assert isinstance(datafusion_error(ctx, "SELECT CAST(a AS uuid) FROM t"), errors.NotSupportedError)


def test_sqlstate_tag_inside_a_udf_error_wins(ctx):
    error = datafusion_error(ctx, "SELECT strict_dims(a) FROM t")
    assert error.sqlstate == "22000"
    assert "different vector dimensions 3 and 2" in str(error)
    assert "[SQLSTATE" not in str(error)


def test_agentlake_errors_pass_through():
    original = errors.error_for("23505", "duplicate key")
    assert translate(original) is original


def test_unknown_errors_are_internal():
    assert translate(RuntimeError("something odd")).sqlstate == "XX000"


@pytest.mark.parametrize(
    "sql, position, near",
    [
        ("SELECT * FORM t", 15, "t"),
        ("SELEC 1", 7, "1"),
        ("SELECT 1,\n  2 +* 3", 18, "3"),
        ("DELETE canary", 8, "canary"),
    ],
)
def test_syntax_errors_carry_a_one_based_position(sql, position, near):
    with pytest.raises(errors.Error) as info:
        parse_statements(sql)
    error = info.value
    assert error.sqlstate == "42601" and isinstance(error, errors.ProgrammingError)
    assert error.position == position and sql[position - 1 : position - 1 + len(near)] == near
    assert f'at or near "{near}"' in str(error)


def test_unterminated_string_is_a_syntax_error():
    with pytest.raises(errors.Error) as info:
        parse_statements("SELECT 'abc")
    assert info.value.sqlstate == "42601"


def test_sqlstate_tag_in_a_plain_exception():
    error = translate(ValueError("[SQLSTATE 22023] ef_search must be positive"))
    assert (error.sqlstate, str(error)) == ("22023", "ef_search must be positive")


@pytest.mark.parametrize(
    "sql, position",
    [
        ("SELECT * FROM t WHERE", 22),
        ("INSERT INTO t VALUES (1", 24),
        ("SELECT 1 + ;", 11),
        ("SELECT (1\n", 10),
        ("INSERT INTO t", 14),
    ],
)
def test_statement_cut_short_is_an_error_at_end_of_input(sql, position):
    with pytest.raises(errors.Error) as info:
        parse_statements(sql)
    assert (info.value.sqlstate, str(info.value), info.value.position) == (
        "42601",
        "syntax error at end of input",
        position,
    )
