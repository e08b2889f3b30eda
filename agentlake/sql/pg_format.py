"""PostgreSQL's ``format(formatstr, VARIADIC args)`` over its arguments' output texts.

Each specifier is ``%[argpos$][-][width]type``: ``argpos`` and a ``*`` width (``*`` or ``*n$``)
pick arguments by position or take the next one, a negative width argument left-aligns, and the
type is ``s`` (the text; NULL is empty), ``I`` (quote_ident; NULL is 22004) or ``L``
(quote_literal; NULL is ``NULL``). ``%%`` is a ``%``. Errors are PostgreSQL's, with its SQLSTATEs.
"""

from __future__ import annotations

from ..errors import DataError
from .pg_quoting import quote_ident, quote_literal

_TOO_FEW = "too few arguments for format()"
_LEFT = "-"


def _error(message: str, sqlstate: str = "22023") -> DataError:
    return DataError(f"[SQLSTATE {sqlstate}] {message}", sqlstate=sqlstate)


class _Reader:
    """The format string, read one character at a time; running off its end mid-specifier is
    PostgreSQL's "unterminated" error."""

    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    def peek(self) -> str:
        if self.at >= len(self.text):
            raise _error("unterminated format() type specifier")
        return self.text[self.at]

    def advance(self) -> None:
        self.at += 1
        self.peek()

    def digits(self) -> int | None:
        start = self.at
        while self.peek().isdigit():
            self.at += 1
        return int(self.text[start : self.at]) if self.at > start else None


def _position(reader: _Reader, number: int) -> int:
    if number == 0:
        raise _error("format specifies argument 0, but arguments are numbered from 1")
    reader.advance()  # past the "$"
    return number


def _specifier(reader: _Reader) -> tuple[int | None, int | None, bool, int]:
    """(argpos, widthpos (0: the next argument), left-aligned, width) of the specifier at the reader."""
    argpos = widthpos = None
    left, width = False, 0
    number = reader.digits()
    if number is not None:
        if reader.peek() != "$":
            return None, None, False, number
        argpos = _position(reader, number)
    while reader.peek() == _LEFT:
        left = True
        reader.advance()
    if reader.peek() == "*":
        reader.advance()
        number = reader.digits()
        if number is None:
            widthpos = 0
        elif reader.peek() != "$":
            raise _error('width argument position must be ended by "$"')
        else:
            widthpos = _position(reader, number)
    else:
        width = reader.digits() or 0
    return argpos, widthpos, left, width


def _width(text: str | None) -> int:
    if text is None:
        return 0
    try:
        return int(text)
    except ValueError:
        raise _error(f'invalid input syntax for type integer: "{text}"', "22P02") from None


def _pad(text: str, left: bool, width: int) -> str:
    return text.ljust(width) if left else text.rjust(width)


def pg_format(template: str, args: list[str | None]) -> str:
    """``format(template, args...)`` with each argument as its output text (None for NULL)."""
    out: list[str] = []
    reader, last = _Reader(template), 0  # last: the 1-based position of the argument used last
    while reader.at < len(template):
        char = template[reader.at]
        reader.at += 1
        if char != "%":
            out.append(char)
            continue
        if reader.peek() == "%":
            out.append("%")
            reader.at += 1
            continue
        argpos, widthpos, left, width = _specifier(reader)
        kind = reader.peek()
        if kind not in "sIL":
            raise _error(f'unrecognized format() type specifier "{kind}"')
        reader.at += 1
        if widthpos is not None:
            last = widthpos or last + 1
            if last > len(args):
                raise _error(_TOO_FEW)
            width = _width(args[last - 1])
            left, width = left or width < 0, abs(width)
        last = argpos or last + 1
        if last > len(args):
            raise _error(_TOO_FEW)
        value = args[last - 1]
        if value is None and kind == "I":
            raise _error("null values cannot be formatted as an SQL identifier", "22004")
        if kind == "I":
            value = quote_ident(value)
        elif kind == "L":
            value = "NULL" if value is None else quote_literal(value)
        out.append(_pad(value or "", left, width))
    return "".join(out)
