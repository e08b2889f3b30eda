"""Wire formats of every supported type, both directions, plus statement splitting and COPY options."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from agentlake.pgcatalog.types import BY_NAME, VECTOR_OID, lookup
from agentlake.server import codec, statements

CASES = [
    ("bool", True),
    ("bool", False),
    ("int2", -32768),
    ("int4", 2**31 - 1),
    ("int8", -(2**63)),
    ("float4", 1.5),
    ("float8", -2.25e-300),
    ("numeric", Decimal("-123456789.000120")),
    ("numeric", Decimal("0")),
    ("numeric", Decimal("0.0001")),
    ("text", 'tab\tquote"comma,ü'),
    ("varchar", "x"),
    ("bytea", b"\x00\x01\xff"),
    ("date", dt.date(1999, 12, 31)),
    ("time", dt.time(23, 59, 59, 999999)),
    ("timestamp", dt.datetime(1970, 1, 1, 0, 0, 1)),
    ("timestamptz", dt.datetime(2030, 6, 1, 12, 0, tzinfo=dt.timezone.utc)),
    ("interval", dt.timedelta(days=3, seconds=7200, microseconds=5)),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("_int8", [1, None, 3]),
    ("_text", ["a", "b c", None, "", "{}"]),
    ("_float8", [0.5, -1.0]),
    ("_date", [dt.date(2024, 1, 1)]),
]


@pytest.mark.parametrize("fmt", [0, 1], ids=["text", "binary"])
@pytest.mark.parametrize("type_name,value", CASES)
def test_round_trip(type_name, value, fmt):
    oid = BY_NAME[type_name].oid
    data = codec.column_encoder(oid, fmt)(value)
    assert codec.decode(oid, fmt, data) == value


@pytest.mark.parametrize("fmt", [0, 1])
def test_vector(fmt):
    data = codec.column_encoder(VECTOR_OID, fmt)([1.0, -2.5, 3.0])
    if fmt == 0:
        assert data == b"[1,-2.5,3]"
    else:
        assert data[:4] == b"\x00\x03\x00\x00"
    assert list(codec.decode(VECTOR_OID, fmt, data)) == [1.0, -2.5, 3.0]


def test_json_and_jsonb():
    assert codec.column_encoder(3802, 1)('{"a": 1}') == b'\x01{"a": 1}'
    assert codec.column_encoder(114, 0)({"a": [1, 2]}) == b'{"a": [1, 2]}'
    assert codec.decode(3802, 1, b'\x01{"a": 1}') == '{"a": 1}'


def test_text_forms_match_postgres():
    assert codec.text_encoder(16)(True) == b"t"
    assert codec.text_encoder(17)(b"\xde\xad") == b"\\xdead"
    assert (
        codec.text_encoder(1184)(dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)) == b"2024-01-02 03:04:05+00"
    )
    assert codec.text_encoder(1186)(dt.timedelta(days=1, hours=2)) == b"1 day 02:00:00"
    assert codec.text_encoder(701)(float("nan")) == b"NaN"


def test_bad_values_raise_invalid_text_representation():
    with pytest.raises(codec.CodecError) as info:
        codec.decode(23, 0, b"twelve")
    assert info.value.sqlstate == "22P02"
    with pytest.raises(codec.CodecError):
        codec.decode(20, 1, b"\x00\x01")


def test_type_lookup_by_any_spelling():
    assert lookup("character varying").oid == 1043
    assert lookup("pg_catalog.int4").oid == 23
    assert lookup("vector").oid == VECTOR_OID
    assert lookup("integer[]").oid == 1007
    assert lookup("hstore") is None


def test_split_respects_quotes_comments_and_dollar_quotes():
    sql = "SELECT 'a;b'; SELECT \"x;\" FROM t -- c;\n; SELECT $$;$$; /* ; */ SELECT E'\\';'"
    parts = [text.strip() for _, text in statements.split(sql)]
    assert parts == ["SELECT 'a;b'", 'SELECT "x;" FROM t -- c;', "SELECT $$;$$", "/* ; */ SELECT E'\\';'"]
    assert statements.split("  ;  -- only a comment\n") == ()


def test_copy_options():
    assert statements.parse_copy_from_stdin('COPY "T" (a, b) FROM STDIN WITH (FORMAT csv, HEADER true)') == (
        "T",
        ["a", "b"],
        {"format": "csv", "header": "true"},
    )
    assert statements.parse_copy_from_stdin("COPY t FROM STDIN CSV HEADER")[2] == {"format": "csv", "header": "true"}
    assert statements.parse_copy_from_stdin("COPY t FROM STDIN WITH BINARY")[2] == {"format": "binary"}
    assert statements.parse_copy_from_stdin("COPY t TO STDOUT") is None
