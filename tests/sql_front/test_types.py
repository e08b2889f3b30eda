"""SQL type <-> Arrow type mapping, and Arrow -> PostgreSQL OIDs for the wire server and pg_catalog."""

from __future__ import annotations

import pyarrow as pa
import pytest

from agentlake.errors import Error
from agentlake.sql.params import parse_statements
from agentlake.sql.types import TYPE_KEY, VECTOR_OID, arrow_type, pg_type, sql_type_name

UTC_TS = pa.timestamp("us", tz="UTC")


@pytest.mark.parametrize(
    "sql, arrow",
    [
        ("int2", pa.int16()),
        ("smallint", pa.int16()),
        ("int", pa.int32()),
        ("int4", pa.int32()),
        ("integer", pa.int32()),
        ("int8", pa.int64()),
        ("bigint", pa.int64()),
        ("serial", pa.int32()),
        ("bigserial", pa.int64()),
        ("real", pa.float32()),
        ("float4", pa.float32()),
        ("double precision", pa.float64()),
        ("float8", pa.float64()),
        ("float", pa.float64()),
        ("numeric(10,2)", pa.decimal128(10, 2)),
        ("decimal(10,2)", pa.decimal128(10, 2)),
        ("numeric(5)", pa.decimal128(5, 0)),
        ("text", pa.string()),
        ("varchar(10)", pa.string()),
        ("character varying", pa.string()),
        ("char(3)", pa.string()),
        ("name", pa.string()),
        ("bool", pa.bool_()),
        ("boolean", pa.bool_()),
        ("date", pa.date32()),
        ("time", pa.time64("us")),
        ("timestamp", pa.timestamp("us")),
        ("timestamp without time zone", pa.timestamp("us")),
        ("timestamptz", UTC_TS),
        ("timestamp with time zone", UTC_TS),
        ("interval", pa.month_day_nano_interval()),
        ("bytea", pa.binary()),
        ("int[]", pa.list_(pa.int32())),
        ("text[]", pa.list_(pa.string())),
    ],
)
def test_plain_types(sql, arrow):
    assert arrow_type(sql) == (arrow, {})


def test_unconstrained_numeric_is_marked_apart_from_numeric_38_10():
    assert arrow_type("numeric") == (pa.decimal128(38, 10), {b"agentlake.numeric": b"unconstrained"})
    assert arrow_type("numeric(38, 10)") == (pa.decimal128(38, 10), {})


@pytest.mark.parametrize("sql, tag", [("json", b"json"), ("jsonb", b"jsonb"), ("uuid", b"uuid")])
def test_tagged_string_types(sql, tag):
    assert arrow_type(sql) == (pa.string(), {TYPE_KEY: tag})


def test_vector_is_fixed_size_float32_list():
    assert arrow_type("vector(384)") == (pa.list_(pa.float32(), 384), {TYPE_KEY: b"vector"})


def test_type_from_a_parsed_column_definition():
    column = parse_statements("CREATE TABLE t (e vector(3), n numeric(12, 4))")[0].this.expressions
    assert arrow_type(column[0].args["kind"])[0] == pa.list_(pa.float32(), 3)
    assert arrow_type(column[1].args["kind"])[0] == pa.decimal128(12, 4)


@pytest.mark.parametrize("sql", ["money", "foo", "citext", "xml"])
def test_unknown_types_are_42704(sql):
    with pytest.raises(Error) as info:
        arrow_type(sql)
    assert info.value.sqlstate == "42704"


@pytest.mark.parametrize(
    "sql, oid, name, array_oid",
    [
        ("bool", 16, "bool", 1000),
        ("bytea", 17, "bytea", 1001),
        ("int8", 20, "int8", 1016),
        ("int2", 21, "int2", 1005),
        ("int4", 23, "int4", 1007),
        ("text", 25, "text", 1009),
        ("json", 114, "json", 199),
        ("real", 700, "float4", 1021),
        ("float8", 701, "float8", 1022),
        ("date", 1082, "date", 1182),
        ("time", 1083, "time", 1183),
        ("timestamp", 1114, "timestamp", 1115),
        ("timestamptz", 1184, "timestamptz", 1185),
        ("interval", 1186, "interval", 1187),
        ("numeric(10,2)", 1700, "numeric", 1231),
        ("uuid", 2950, "uuid", 2951),
        ("jsonb", 3802, "jsonb", 3807),
        ("vector(3)", VECTOR_OID, "vector", 16395),
        ("int4[]", 1007, "_int4", 0),
        ("text[]", 1009, "_text", 0),
    ],
)
def test_sql_to_arrow_to_postgres_oid(sql, oid, name, array_oid):
    arrow, metadata = arrow_type(sql)
    found = pg_type(pa.field("c", arrow, metadata=metadata or None))
    assert (found.oid, found.name, found.array_oid) == (oid, name, array_oid)


@pytest.mark.parametrize(
    "arrow, name",
    [
        (pa.large_string(), "text"),
        (pa.string_view(), "text"),
        (pa.int8(), "int2"),
        (pa.large_binary(), "bytea"),
        (pa.list_(pa.float32(), 4), "vector"),
        (pa.time64("ns"), "time"),
        (pa.timestamp("ns"), "timestamp"),
        (pa.null(), "text"),
    ],
)
def test_arrow_types_datafusion_returns(arrow, name):
    assert pg_type(pa.field("c", arrow)).name == name


@pytest.mark.parametrize(
    "sql",
    [
        "int2",
        "int4",
        "int8",
        "float4",
        "float8",
        "numeric(10,2)",
        "text",
        "bool",
        "date",
        "time",
        "timestamp",
        "timestamptz",
        "interval",
        "json",
        "jsonb",
        "uuid",
        "bytea",
        "int4[]",
        "vector(3)",
    ],
)
def test_round_trip_sql_arrow_sql(sql):
    arrow, metadata = arrow_type(sql)
    name = sql_type_name(pa.field("c", arrow, metadata=metadata or None))
    assert arrow_type(name) == (arrow, metadata)
