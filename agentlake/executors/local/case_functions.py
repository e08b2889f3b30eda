"""``upper`` and ``lower`` as PostgreSQL's do them: a character at a time.

PostgreSQL maps each character to the one character its locale names (``towupper``), so
``upper('straße')`` is ``STRAßE`` and ``lower('ΣΑΣ')`` is ``σασ``; DataFusion applies Unicode's
full mappings (``STRASSE``, a final ``ς``). ASCII text, most text, is mapped by Arrow's kernel;
other rows a character at a time, a character whose full mapping is several keeping the first
(``İ`` lowers to ``i``) when lowering and itself when raising (``ß``, ``ﬁ``), as glibc does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import pyarrow as pa
import pyarrow.compute as pc

from ...sql.character_case import LOWER, UPPER

if TYPE_CHECKING:
    from datafusion import SessionContext


def upper_text(text: str) -> str:
    """``text`` raised a character at a time."""
    return "".join(mapped if len(mapped := ch.upper()) == 1 else ch for ch in text)


def lower_text(text: str) -> str:
    """``text`` lowered a character at a time."""
    return "".join(ch.lower()[0] for ch in text)


def _case_mapping(ascii_kernel: Callable, one_row: Callable[[str], str]) -> Callable[[pa.Array], pa.Array]:
    def run(texts: pa.Array) -> pa.Array:
        if pc.all(pc.or_kleene(pc.string_is_ascii(texts), pc.is_null(texts))).as_py() is not False:
            return ascii_kernel(texts)
        return pa.array([None if t is None else one_row(t) for t in texts.to_pylist()], pa.string())

    return run


def register_case_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    for name, kernel, one_row in ((UPPER, pc.utf8_upper, upper_text), (LOWER, pc.utf8_lower, lower_text)):
        ctx.register_udf(udf(_case_mapping(kernel, one_row), [pa.string()], pa.string(), "immutable", name=name))
