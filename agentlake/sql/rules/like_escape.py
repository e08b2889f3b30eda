"""``LIKE p ESCAPE 'c'`` with an escape character other than backslash (SQLAlchemy escapes with
'/'): DataFusion takes only backslash, so the pattern is rewritten to say the same with it.

Every backslash in the pattern is literal under another escape character, so it doubles; then
``c`` followed by any character becomes backslash and that character. A literal pattern is
rewritten here; any other expression through ``replace`` and ``regexp_replace`` as it is evaluated.
"""

from __future__ import annotations

import re

from sqlglot import exp

from . import transform_up


def _escaped(pattern: str, escape: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == escape and i + 1 < len(pattern):
            out.append("\\" + pattern[i + 1])
            i += 2
            continue
        out.append("\\\\" if char == "\\" else char)
        i += 1
    return "".join(out)


def like_escape(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Escape) or not isinstance(node.this, (exp.Like, exp.ILike)):
            return node
        escape = node.expression
        if not (isinstance(escape, exp.Literal) and escape.is_string and len(escape.this) == 1) or escape.this == "\\":
            return node
        match = node.this.copy()
        pattern = match.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            match.set("expression", exp.Literal.string(_escaped(pattern.this, escape.this)))
        else:
            doubled = exp.Anonymous(
                this="replace", expressions=[pattern, exp.Literal.string("\\"), exp.Literal.string("\\\\")]
            )
            match.set(
                "expression",
                exp.Anonymous(
                    this="regexp_replace",
                    expressions=[
                        doubled,
                        exp.Literal.string(re.escape(escape.this) + "(.)"),
                        exp.Literal.string("\\${1}"),
                        exp.Literal.string("g"),
                    ],
                ),
            )
        return match

    return transform_up(tree, rewrite)
