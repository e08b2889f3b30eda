"""How a view is kept in the catalog: the DataFusion SQL of its query, which the executors
register as it is, followed by its CHECK OPTION, if it has one, as a trailing block comment.

The catalog stores a view as one text (``catalog/FORMAT.md``: ``"views": {name: sql}``) and every
reader hands that text to DataFusion, which skips comments; keeping the option inside the text
keeps the format, merges (a changed option is a changed view) and the readers as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from . import frontend

CHECK_OPTIONS = ("local", "cascaded")
_OPTION = re.compile(r"\s*/\* WITH (LOCAL|CASCADED) CHECK OPTION \*/\s*$")


@dataclass(frozen=True)
class ViewDefinition:
    """A stored view read back: the DataFusion SQL of its query, that query parsed, and its
    CHECK OPTION (None, ``local`` or ``cascaded``)."""

    name: str
    sql: str
    check_option: str | None

    def query(self) -> exp.Expression:
        """The query, parsed afresh (callers rewrite it)."""
        return frontend.parse_unbound(self.sql)[0]


def stored_text(sql: str, check_option: str | None) -> str:
    """The catalog's text for a view whose query is ``sql``."""
    if check_option is None:
        return sql
    return f"{sql} /* WITH {check_option.upper()} CHECK OPTION */"


def read(name: str, text: str) -> ViewDefinition:
    """The catalog's text of view ``name``, read back."""
    match = _OPTION.search(text)
    if match is None:
        return ViewDefinition(name, text, None)
    return ViewDefinition(name, text[: match.start()], match.group(1).lower())
