"""Errors from the parser and from DataFusion, mapped to PostgreSQL SQLSTATEs."""

from __future__ import annotations

import re

from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from ..errors import Error, error_for
from .stack_depth import stack_depth_exceeded

_ZERO_STEP = re.compile(r"Step cannot be zero|step can't be 0", re.I)  # generate_series
_DATE_FORMAT_MISMATCH = re.compile(r"Error parsing timestamp from '(.*)' using format '.*': (?!input is out)", re.S)
"""to_date and to_timestamp given text their format does not describe: 22007 (out of range is 22008)."""
# "[SQLSTATE 22000] message" raised inside a UDF; DataFusion wraps it as PyErr { value: ValueError('...'), ... }.
_TAGGED = re.compile(r"\[SQLSTATE ([0-9A-Z]{5})\]\s*(.*?)(?:['\"]\)|\n|$)")
_NEGATIVE = re.compile(r"(LIMIT|OFFSET) must be >= ?0")
_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"LIMIT must be >= ?0"), "2201W"),
    (re.compile(r"OFFSET must be >= ?0"), "2201X"),
    (re.compile(r"table function '[^']+' not found", re.I), "42883"),
    (_ZERO_STEP, "22023"),
    (re.compile(r"field position must not be zero", re.I), "22023"),  # split_part
    (re.compile(r"factorial of a negative number is undefined", re.I), "22003"),
    (re.compile(r"table '([^']+)' not found|table \"?([\w.]+)\"? not found|No table named", re.I), "42P01"),
    (re.compile(r"No field named|Schema error: No field|column .* not found|Invalid identifier", re.I), "42703"),
    (re.compile(r"Divide by zero|division by zero", re.I), "22012"),
    (re.compile(r"square root of a negative number|zero raised to a negative power", re.I), "2201F"),
    (re.compile(r"negative count not allowed|negative substring length", re.I), "22011"),
    (re.compile(r"Regular expression did not compile|regex parse error", re.I), "2201B"),
    (re.compile(r"Order by column out of bounds|ORDER BY expressions .*must appear in select list", re.I), "42P10"),
    (re.compile(r"to value of (Date32|Date64|Timestamp)|out of range for (date|timestamp)", re.I), "22008"),
    (re.compile(r"Error parsing timestamp from '.*' using format '.*': input is out of range", re.S), "22008"),
    (re.compile(r"Aggregate functions are not allowed in the WHERE clause", re.I), "42803"),
    (re.compile(r"non-boolean predicate|argument of WHERE must be type boolean", re.I), "42804"),
    (re.compile(r"too large to store in a Decimal|Can't cast value .* to type", re.I), "22003"),
    (re.compile(r"Invalid input syntax for type interval", re.I), "22007"),
    (_DATE_FORMAT_MISMATCH, "22007"),
    (
        re.compile(
            r"Cannot cast string|Cast error|Failed to parse|Error parsing|invalid digit|Can't cast|Unable to parse"
            r"|Invalid input syntax",
            re.I,
        ),
        "22P02",
    ),
    (re.compile(r"overflow|too large to store|out of range for type", re.I), "22003"),
    (
        re.compile(
            r"Invalid function|Unknown function|no function matches|function .* does not exist"
            r"|does not support named arguments",
            re.I,
        ),
        "42883",
    ),
    (re.compile(r"OuterReferenceColumn|Physical plan does not support", re.I), "0A000"),  # correlated LATERAL and kin
    # no operator for the operand types (now() + 1): PostgreSQL's "operator does not exist"
    (re.compile(r"Cannot coerce arithmetic expression|Cannot get result type for temporal operation", re.I), "42883"),
    (re.compile(r"Too many columns! The subquery should only return one column", re.I), "42601"),
    (
        re.compile(
            r"Cannot infer common|Unsupported CAST|type_coercion|cannot be cast|Cannot coerce|does not support|mismatch",
            re.I,
        ),
        "42804",
    ),
    (
        re.compile(r"SQL error: ParserError|sql parser error|Expected:|queries have different number of columns", re.I),
        "42601",
    ),
    (re.compile(r"duplicate qualified field name|specified more than once", re.I), "42712"),
    (re.compile(r"can only be applied to", re.I), "42804"),
    (re.compile(r"Ambiguous reference|ambiguous", re.I), "42702"),
    (re.compile(r"at most one row|more than one row", re.I), "21000"),
    (re.compile(r"must appear in the GROUP BY|must be in GROUP BY", re.I), "42803"),
    (re.compile(r"not implemented|Unsupported|NotImplemented", re.I), "0A000"),
    (re.compile(r"Resources exhausted", re.I), "53200"),
]
# A stored file that is not what was written (PostgreSQL's XX001 data_corrupted), as pyarrow's and
# DataFusion's Parquet readers word it; the first names the file.
# pyarrow's words for a file it opened, or the catalog's for bytes held in memory or in a pack
_UNREADABLE_FILE = re.compile(
    r"Could not open Parquet input source '([^']+)': (.+)|could not read file \"([^\"]+)\": (.+)", re.S
)
_CORRUPT = re.compile(
    r"Parquet magic bytes|Couldn't deserialize thrift|Corrupt footer|Invalid Parquet file|Data corruption detected"
    r"|decompression failed|Corrupt snappy|Parquet (?:argument )?error|Unexpected end of stream",
    re.I,
)
_READER_PREFIXES = re.compile(r"^(?:(?:Parquet (?:argument )?error|External|External error|Arrow error): )+", re.I)
_MISSING_FILE = re.compile(r"Failed to open local file '([^']+)'|Object at location (\S+) not found", re.I)
_TABLE_NAME = re.compile(r"table '(?:[\w]+\.)*([^'.]+)' not found", re.I)
_FUNCTION = re.compile(r"argument types '([^']+)'|Invalid function '([^']+)'|table function '([^']+)'")
_FIELD_NAME = re.compile(r"No field named ([^.\s]+(?:\.[^.\s]+)?)", re.I)
_BAD_INPUT = re.compile(r"Cannot cast string '(.*)' to value of (\w+)(?:\([^)]*\))? type", re.S)
_INPUT_TYPES = {
    "Decimal128": "numeric",
    "Decimal256": "numeric",
    "Int16": "smallint",
    "Int32": "integer",
    "Int64": "bigint",
    "Float32": "real",
    "Float64": "double precision",
    "Boolean": "boolean",
}
"""PostgreSQL's names for the types DataFusion's casts from text name (22P02's message)."""
_UNGROUPED = re.compile(r'column ("[^"]+") must appear in the GROUP BY clause', re.I)


def syntax_error(err: Exception, sql: str) -> Error:
    """42601 with PostgreSQL's 1-based character position of the offending token."""
    position = None
    if isinstance(err, TokenError):
        return error_for("42601", "unterminated quoted string or comment" if "Missing" in str(err) else str(err))
    if err.errors:
        first = err.errors[0]
        line, col = first.get("line"), first.get("col")
        if line and col:
            lines = sql.splitlines(keepends=True)
            position = sum(len(text) for text in lines[: line - 1]) + max(
                col - len(first.get("highlight") or "") + 1, 1
            )
        near = first.get("highlight") or ""
        message = f'syntax error at or near "{near}"' if near else "syntax error at end of input"
        body = sql.rstrip(" \t\r\n;")
        missing = str(first.get("description", "")).startswith(("Required keyword", "Expecting"))
        if missing and position is not None and position - 1 + len(near) >= len(body):
            # the statement stopped early: PostgreSQL points just past its last character
            message, position = "syntax error at end of input", len(body) + 1
    else:
        message = f"syntax error: {err}"
    return error_for("42601", message, position)


def translate(err: Exception) -> Error:
    """Turn any engine exception into an agentlake error with the closest SQLSTATE."""
    if isinstance(err, Error):
        return err
    if isinstance(err, (ParseError, TokenError)):
        return syntax_error(err, "")
    text = str(err)
    if isinstance(err, RecursionError) or "RecursionLimitExceeded" in text:  # Python's, or DataFusion's parser's
        return stack_depth_exceeded()
    tagged = _TAGGED.search(text)
    if tagged:
        message = tagged.group(2).replace("\\'", "'")  # DataFusion shows the exception's repr
        return error_for(tagged.group(1), message.strip() or "error")
    for particular in (
        _stored_file_error,
        _integer_out_of_range,
        _integer_cast_out_of_range,
        _missing_from_entry,
        _unknown_type,
    ):
        error = particular(text)
        if error is not None:
            return error
    for pattern, sqlstate in _PATTERNS:
        if pattern.search(text):
            return error_for(sqlstate, _message(sqlstate, text))
    return error_for("XX000", _clean(text))


_UNKNOWN_TYPE = re.compile(r'Unsupported SQL type "?([^"]+?)"?$', re.M)


def _unknown_type(text: str) -> Error | None:
    """A cast to a type name no one knows (``x::nosuchtype``, an enum type another branch has) is
    PostgreSQL's 42704; PostgreSQL's own types DataFusion lacks stay not supported (0A000)."""
    found = _UNKNOWN_TYPE.search(text)
    if found is None:
        return None
    try:
        known = exp.DataType.build(found.group(1), dialect="postgres").this != exp.DataType.Type.USERDEFINED
    except (ParseError, TokenError, ValueError):
        known = False
    return None if known else error_for("42704", f'type "{found.group(1).lower()}" does not exist')


_QUALIFIED_FIELD = re.compile(r"No field named (\w+)\.\w+")
_VALID_FIELDS = re.compile(r"Valid fields are (.+?)\.?$", re.M)


def _missing_from_entry(text: str) -> Error | None:
    """A column qualified by a name that is no table or alias of the query (``x.id``, or
    ``t.id`` where FROM calls t something else) is 42P01 in PostgreSQL, not an unknown column."""
    column, valid = _QUALIFIED_FIELD.search(text), _VALID_FIELDS.search(text)
    if column is None or valid is None:
        return None
    qualifiers = {field.strip().split(".")[0] for field in valid.group(1).split(",") if "." in field}
    if not qualifiers or column.group(1) in qualifiers:
        return None
    return error_for("42P01", f'missing FROM-clause entry for table "{column.group(1)}"')


_INTEGER_TEXT = re.compile(r"\s*[+-]?\d+\s*")


def _integer_out_of_range(text: str) -> Error | None:
    """Text of an integer too big for its type is 22003 in PostgreSQL, not invalid input (22P02)."""
    found = _BAD_INPUT.search(text)
    if found is None or not found.group(2).startswith("Int") or not _INTEGER_TEXT.fullmatch(found.group(1)):
        return None
    value, kind = found.group(1), _INPUT_TYPES.get(found.group(2))
    return None if kind is None else error_for("22003", f'value "{value}" is out of range for type {kind}')


_CAST_OUT_OF_RANGE = re.compile(r"Cast error: value of \S+ is out of range (Int16|Int32|Int64)\b")


def _integer_cast_out_of_range(text: str) -> Error | None:
    """A number too big for the integer type it is cast to (``99999999999999999999::int8``) is
    PostgreSQL's 22003 ``bigint out of range``."""
    found = _CAST_OUT_OF_RANGE.search(text)
    return None if found is None else error_for("22003", f"{_INPUT_TYPES[found.group(1)]} out of range")


_DATE_TEXT = re.compile(r"Error parsing timestamp from '(.*)' using format", re.S)


def _stored_file_error(text: str) -> Error | None:
    """A data file that is missing (58P01) or unreadable (XX001), named as PostgreSQL names a
    relation file it cannot open or read."""
    missing = _MISSING_FILE.search(text)
    if missing:
        path = missing.group(1) or missing.group(2)
        return error_for("58P01", f'could not open file "{path}": No such file or directory')
    named = _UNREADABLE_FILE.search(text)
    if named:
        path, what = named.group(1) or named.group(3), named.group(2) or named.group(4)
        return error_for("XX001", f'could not read file "{path}": {_reader_message(what)}')
    if _CORRUPT.search(text):
        return error_for("XX001", f"could not read data file: {_reader_message(text)}")
    return None


def _reader_message(text: str) -> str:
    """What a Parquet reader said, without DataFusion's repeated prefixes or the damaged bytes it quotes."""
    message = _READER_PREFIXES.sub("", _clean(text))
    return "".join(ch for ch in message if ch.isprintable()).strip()


def _message(sqlstate: str, text: str) -> str:
    negative = _NEGATIVE.search(text) if sqlstate in ("2201W", "2201X") else None
    if negative:
        return f"{negative.group(1)} must not be negative"
    if sqlstate == "42P01":
        found = _TABLE_NAME.search(text)
        if found:
            return f'relation "{found.group(1)}" does not exist'
    if sqlstate == "42703":
        found = _FIELD_NAME.search(text)
        if found:
            name = found.group(1).strip(",")  # PostgreSQL quotes a bare name, not a qualified one
            return f"column {name} does not exist" if "." in name else f'column "{name}" does not exist'
    if sqlstate == "22012":
        return "division by zero"
    if sqlstate == "22007" and _DATE_FORMAT_MISMATCH.search(text):  # to_date, to_timestamp
        return f'invalid value "{_DATE_FORMAT_MISMATCH.search(text).group(1)}" for the format'
    if sqlstate == "22008" and _DATE_TEXT.search(text):
        return f'date/time field value out of range: "{_DATE_TEXT.search(text).group(1)}"'
    if sqlstate == "42803" and "not allowed in the WHERE" in text:
        return "aggregate functions are not allowed in WHERE"
    if sqlstate == "22023" and _ZERO_STEP.search(text):
        return "step size cannot equal zero"
    if sqlstate == "42803":
        found = _UNGROUPED.search(text)
        if found:
            return f"column {found.group(1)} must appear in the GROUP BY clause or be used in an aggregate function"
    if sqlstate == "22P02":
        found = _BAD_INPUT.search(text)
        if found and found.group(2) in _INPUT_TYPES:
            return f'invalid input syntax for type {_INPUT_TYPES[found.group(2)]}: "{found.group(1)}"'
    if sqlstate == "2201B":
        reasons = re.findall(r"^error: (.+)$", text, re.M)  # the regex crate's reason, after its caret
        return "invalid regular expression" + (f": {reasons[-1].strip()}" if reasons else "")
    if sqlstate == "42883":
        found = _FUNCTION.search(text)
        if found:
            return f"function {found.group(1) or found.group(2) or found.group(3)} does not exist"
    return _clean(text)


def _clean(text: str) -> str:
    text = text.strip()
    for prefix in (
        "DataFusion error: ",
        "Execution error: ",
        "Error during planning: ",
        "Arrow error: ",
        "Internal error: ",
    ):
        text = text.replace(prefix, "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "internal error"
    # DataFusion wraps the root cause ("Optimizer rule ... failed / caused by / Cast error: ..."): report the cause.
    causes = [i for i, line in enumerate(lines) if line == "caused by"]
    return lines[causes[-1] + 1] if causes and causes[-1] + 1 < len(lines) else lines[0]
