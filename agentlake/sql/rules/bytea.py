"""bytea as PostgreSQL reads and converts it, where DataFusion's own casts differ.

DataFusion casts a string to binary as its UTF-8 bytes, so ``'\\x4142'::bytea`` would be six bytes
where PostgreSQL reads two; its ``base64`` encoding drops PostgreSQL's padding; and it has no
``convert_to``/``convert_from``. Literals are decoded here, by PostgreSQL's bytea input rules, into
binary literals; the functions become the casts and encodings that mean the same.
"""

from __future__ import annotations

import re

from sqlglot import exp

from ...errors import DataError, NotSupportedError
from . import transform_up

T = exp.DataType.Type
_HEX_PAIRS = re.compile(r"(?:\s*[0-9A-Fa-f]{2})*\s*")
_UTF8_NAMES = {"utf8", "utf-8", "unicode"}
_TEXT_TYPES = (T.TEXT, T.VARCHAR)
ESCAPE_ENCODE = "bytea_escape_encode"
ESCAPE_DECODE = "bytea_escape_decode"
"""UDFs of encode(bytea, 'escape') and decode(text, 'escape'), which DataFusion does not have."""


def bytea_input(text: str) -> bytes:
    """PostgreSQL's bytea input: ``\\x`` then hex digit pairs (whitespace between pairs), or the escape
    format (``\\\\`` for a backslash, ``\\nnn`` octal, anything else as its UTF-8 bytes)."""
    if text.startswith("\\x"):
        digits = text[2:]
        if not _HEX_PAIRS.fullmatch(digits):
            raise DataError(f'invalid hexadecimal data: "{digits}"', sqlstate="22023")
        return bytes.fromhex("".join(digits.split()))
    return escape_decode(text)


def escape_decode(text: str) -> bytes:
    """The escape format (``decode(text, 'escape')``): ``\\\\`` a backslash, ``\\nnn`` an octal byte,
    anything else its UTF-8 bytes."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] != "\\":
            out += text[i].encode()
            i += 1
        elif text[i + 1 : i + 2] == "\\":
            out.append(0x5C)
            i += 2
        elif re.fullmatch(r"[0-3][0-7]{2}", text[i + 1 : i + 4]):
            out.append(int(text[i + 1 : i + 4], 8))
            i += 4
        else:
            raise DataError("invalid input syntax for type bytea", sqlstate="22P02")
    return bytes(out)


def _encoding(node: exp.Expression, function: str) -> None:
    """Only UTF-8 is stored or served here; PostgreSQL's other encodings are refused by name."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        raise NotSupportedError(f"{function} takes a constant encoding name here")
    if node.this.lower() not in _UTF8_NAMES:
        raise NotSupportedError(f'{function} supports only UTF8 here, not "{node.this}"')


def _is_bytea_array(to: exp.Expression) -> bool:
    return (
        isinstance(to, exp.DataType)
        and to.this == T.ARRAY
        and bool(to.expressions)
        and getattr(to.expressions[0], "this", None) == T.VARBINARY
    )


def bytea(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Cast) and node.to.this == T.VARBINARY:
            value = node.this
            if isinstance(value, exp.Literal) and value.is_string:
                return exp.HexString(this=bytea_input(value.this).hex())
            return node
        if isinstance(node, exp.Cast) and _is_bytea_array(node.to):
            if isinstance(node.this, exp.Array):  # ARRAY['\x01', ...]::bytea[]: each element is bytea input
                node.this.set(
                    "expressions",
                    [
                        exp.HexString(this=bytea_input(e.this).hex())
                        if isinstance(e, exp.Literal) and e.is_string
                        else e
                        for e in node.this.expressions
                    ],
                )
            return node
        if isinstance(node, exp.Cast) and node.to.this in _TEXT_TYPES and isinstance(node.this, exp.HexString):
            return exp.Literal.string("\\x" + node.this.this.lower())  # bytea's text output, as PostgreSQL prints it
        if isinstance(node, (exp.Encode, exp.Decode)):
            charset = node.args.get("charset")
            if isinstance(charset, exp.Literal) and charset.this.lower() == "base64" and isinstance(node, exp.Encode):
                node.set("charset", exp.Literal.string("base64pad"))
            elif isinstance(charset, exp.Literal) and charset.this.lower() == "escape":
                function = ESCAPE_ENCODE if isinstance(node, exp.Encode) else ESCAPE_DECODE
                return exp.Anonymous(this=function, expressions=[node.this])
            return node
        if isinstance(node, exp.Anonymous) and node.name.lower() in ("convert_to", "convert_from"):
            name = node.name.lower()
            if len(node.expressions) != 2:
                return node
            _encoding(node.expressions[1], name)
            if name == "convert_to":
                return exp.Cast(this=node.expressions[0], to=exp.DataType.build("BYTEA", dialect="postgres"))
            return exp.Anonymous(this="arrow_cast", expressions=[node.expressions[0], exp.Literal.string("Utf8")])
        return node

    return transform_up(tree, rewrite)
