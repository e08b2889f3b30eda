"""pgvector's text input for dense vectors (``vector`` and ``halfvec``), with its exact errors.

pgvector reads ``[1,2,3]`` with C's ``strtof`` element by element and reports the first fault
it meets: a missing ``[`` (with a DETAIL), an empty vector, a malformed number, a number out of
float4 (or float16) range, NaN, infinity, junk after ``]``. The checks here run in the same
order so that a bad literal gives the message pgvector gives.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import DataError
from ..sql.vector_typmods import MAX_DIM

SPACE = " \t\n\r\v\f"
_STRTOF = re.compile(r"[+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)", re.IGNORECASE)
"""What strtof consumes of a decimal number (hexadecimal floats aside)."""


def syntax_error(kind: str, text: str, detail: str | None = None) -> DataError:
    return DataError(
        f'[SQLSTATE 22P02] invalid input syntax for type {kind}: "{text}"', sqlstate="22P02", detail=detail
    )


def check_elements(values: np.ndarray, kind: str) -> np.ndarray:
    """pgvector's CheckElement over all values: NaN, then infinity, are refused."""
    if np.isnan(values).any():
        raise DataError(f"[SQLSTATE 22000] NaN not allowed in {kind}", sqlstate="22000")
    if np.isinf(values).any():
        raise DataError(f"[SQLSTATE 22000] infinite value not allowed in {kind}", sqlstate="22000")
    return values


def check_dimensions(count: int, kind: str) -> None:
    if count < 1:
        raise DataError(f"[SQLSTATE 22000] {kind} must have at least 1 dimension", sqlstate="22000")
    if count > MAX_DIM.get(kind, 16000):
        raise DataError(f"[SQLSTATE 54000] {kind} cannot have more than {MAX_DIM[kind]} dimensions", sqlstate="54000")


def out_of_range(token: str, kind: str) -> DataError:
    return DataError(f'[SQLSTATE 22003] "{token}" is out of range for type {kind}', sqlstate="22003")


_NUMBER = r"[ \t\n\r\v\f]*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\r\v\f]*"
_PLAIN_VECTOR = re.compile(rf"[ \t\n\r\v\f]*\[{_NUMBER}(?:,{_NUMBER})*\][ \t\n\r\v\f]*")
"""A vector of finite decimal numbers and nothing else, as clients print them."""


def parse_dense(text: str, kind: str = "vector") -> np.ndarray:
    """``[1,2,3]`` as pgvector's ``vector_in``/``halfvec_in`` read it: float32 values, or float16
    ones for ``halfvec`` (rounded to nearest even; a finite value beyond float16 is out of range).

    A plain vector of decimal numbers (what every client sends) is converted in one numpy call;
    anything else, and any value out of range, goes through the element-by-element reading that
    finds the fault pgvector reports."""
    if _PLAIN_VECTOR.fullmatch(text):
        values = _plain_values(text, kind)
        if values is not None:
            return values
    return _parse_elements(text, kind)


def _plain_values(text: str, kind: str) -> np.ndarray | None:
    """The values of a text ``_PLAIN_VECTOR`` matched, or None when one is out of range or there
    are too many (the caller's element-by-element reading names the fault)."""
    inner = text.strip(SPACE)[1:-1]
    wide = np.array(inner.split(","), dtype=np.float64)
    if len(wide) > MAX_DIM[kind]:
        return None
    with np.errstate(over="ignore"):
        values = wide.astype(np.float32)
        if kind == "halfvec":
            values = values.astype(np.float16)
    return None if np.isinf(values).any() else values


def _parse_elements(text: str, kind: str) -> np.ndarray:
    pt = text.lstrip(SPACE)
    if not pt.startswith("["):
        raise syntax_error(kind, text, 'Vector contents must start with "[".')
    pt = pt[1:].lstrip(SPACE)
    if pt.startswith("]"):
        check_dimensions(0, kind)
    values: list = []
    while True:
        if len(values) == MAX_DIM[kind]:
            check_dimensions(len(values) + 1, kind)
        pt = pt.lstrip(SPACE)
        match = _STRTOF.match(pt)
        if match is None:
            raise syntax_error(kind, text)
        token = match.group(0)
        wide = float(token)
        with np.errstate(over="ignore"):
            value = np.float32(wide)
            if np.isinf(value) and not np.isinf(wide):
                raise out_of_range(token, kind)
            if kind == "halfvec":
                half = np.float16(value)
                if np.isinf(half) and not np.isinf(value):
                    raise out_of_range(token, kind)
                value = half
        check_elements(np.asarray([value]), kind)
        values.append(value)
        pt = pt[match.end() :].lstrip(SPACE)
        if pt.startswith(","):
            pt = pt[1:]
        elif pt.startswith("]"):
            pt = pt[1:]
            break
        else:
            raise syntax_error(kind, text)
    if pt.strip(SPACE):
        raise syntax_error(kind, text, "Junk after closing right brace.")
    return np.asarray(values, dtype=np.float16 if kind == "halfvec" else np.float32)


def to_half(values: np.ndarray) -> np.ndarray:
    """float4 values as halfvec stores them: pgvector's Float4ToHalf (NaN and infinity are refused
    first, by the caller; a finite value beyond float16 is out of range, named as float4 prints it)."""
    with np.errstate(over="ignore"):
        half = np.asarray(values, dtype=np.float32).astype(np.float16)
    wrong = np.isinf(half) & ~np.isinf(np.asarray(values, dtype=np.float32))
    if wrong.any():
        from .arrays import float4_digits

        raise out_of_range(float4_digits(np.asarray(values, dtype=np.float32)[wrong][0]), "halfvec")
    return half
