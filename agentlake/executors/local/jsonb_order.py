"""PostgreSQL's B-tree order of jsonb values, as byte strings that sort the same way.

DataFusion compares and sorts binary values bytewise, so a comparison, ORDER BY or GROUP BY
over jsonb runs over ``jsonb_sort_key(value)``. The key follows ``compareJsonbContainers`` in
PostgreSQL's ``jsonb_util.c`` (documented in "jsonb Indexing"):

- Object > Array > Boolean > Number > String > Null;
- objects compare by their number of pairs first, then key, value, key, value ... in storage
  order (shorter keys first), so ``{"aa": 1, "c": 1} > {"b": 1, "d": 1}``;
- arrays compare by length first, then element by element;
- a top-level scalar is a one-element "raw scalar" array, which sorts before a real array of
  one element; an array's length decides first, so ``[]`` sorts before every scalar, ``null``
  included (an anomaly PostgreSQL keeps for compatibility);
- numbers compare as numeric (``1.0 = 1``), strings by code point (agentlake's text order,
  PostgreSQL's under the C and C.UTF-8 collations).

Equal keys mean equal jsonb values, so the key also serves for =, DISTINCT and GROUP BY.
"""

from __future__ import annotations

import struct
from decimal import Decimal

from .jsonb_values import JsonValue, storage_order

_NULL, _STRING, _NUMBER, _BOOL = b"\x00", b"\x01", b"\x02", b"\x03"  # jbvNull < jbvString < jbvNumeric < jbvBool
_ARRAY, _OBJECT = b"\x10", b"\x11"  # < jbvArray < jbvObject
_RAW_SCALAR, _REAL_ARRAY = b"\x00", b"\x01"
_EXPONENT_BIAS = 1 << 31


def sort_key(value: JsonValue) -> bytes:
    """Bytes that compare as PostgreSQL compares the jsonb value."""
    if isinstance(value, (list, dict)):
        return _container(value)
    return _ARRAY + _count(1) + _RAW_SCALAR + _scalar(value)


def _count(n: int) -> bytes:
    return struct.pack(">I", n)


def _container(value: list | dict) -> bytes:
    if isinstance(value, list):
        return _ARRAY + _count(len(value)) + _REAL_ARRAY + b"".join(_element(item) for item in value)
    keys = sorted(value, key=storage_order)
    return _OBJECT + _count(len(value)) + b"".join(_string(key) + _element(value[key]) for key in keys)


def _element(value: JsonValue) -> bytes:
    return _container(value) if isinstance(value, (list, dict)) else _scalar(value)


def _scalar(value: JsonValue) -> bytes:
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return _BOOL + (b"\x01" if value else b"\x00")
    if isinstance(value, str):
        return _STRING + _string(value)
    return _NUMBER + _number(Decimal(value) if not isinstance(value, float) else Decimal(repr(value)))


def _string(text: str) -> bytes:
    """UTF-8 (bytewise order is code point order), NUL escaped, ended by a terminator below any byte."""
    return text.encode("utf-8").replace(b"\x00", b"\x00\xff") + b"\x00\x01"


def _number(number: Decimal) -> bytes:
    """Sign, then the decimal exponent, then the significant digits: ordered as the numbers are."""
    if number.is_zero():
        return b"\x02"
    sign, digits, exponent = number.as_tuple()
    digits = list(digits)
    while digits[-1] == 0:
        digits.pop()
        exponent += 1
    magnitude = len(digits) + exponent  # the value is 0.d1d2... x 10^magnitude
    if not sign:
        return b"\x03" + struct.pack(">I", magnitude + _EXPONENT_BIAS) + bytes(d + 1 for d in digits) + b"\x00"
    # negative: a larger magnitude or larger digits is a smaller number, so both are inverted,
    # and a shorter digit string (closer to zero) ends with a terminator above any digit
    return b"\x01" + struct.pack(">I", _EXPONENT_BIAS - magnitude) + bytes(10 - d for d in digits) + b"\xff"
