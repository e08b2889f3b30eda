"""``chr(code)`` as PostgreSQL's (UTF-8) answers it: the character of a Unicode code point, and its
errors where DataFusion's chr gives a NUL character or an internal error: 0 is 54000 (text holds no
NUL), a negative code 22023, a surrogate or a code past U+10FFFF 54000."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from ...errors import function_error
from ...sql.rules.postgres_functions import CHR
from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

_LAST_CODE_POINT = 0x10FFFF
_SURROGATES = range(0xD800, 0xE000)


def character(code: int) -> str:
    if code == 0:
        raise function_error("54000", "null character not permitted")
    if code < 0:
        raise function_error("22023", "character number must be positive")
    if code > _LAST_CODE_POINT:
        raise function_error("54000", f"requested character too large for encoding: {code}")
    if code in _SURROGATES:
        raise function_error("54000", f"requested character not valid for encoding: {code}")
    return chr(code)


def register_character_codes(ctx: SessionContext) -> None:
    from datafusion import udf

    ctx.register_udf(udf(strict_rows(character, pa.utf8()), [pa.int64()], pa.utf8(), "immutable", CHR))
