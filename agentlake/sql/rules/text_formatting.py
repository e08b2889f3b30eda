"""``format(...)`` and ``to_char(value, template)``, PostgreSQL functions of arguments of any type,
as calls of the Python functions that implement them.

A Python UDF has fixed argument types, so each value goes over as its text with its
``arrow_typeof`` name, as ``json_construction`` hands values over (``executors/local/value_text``
reads them back); ``format``'s variadic arguments go as two arrays, led by a NULL so that no array
is empty::

    format(f, a, b)  ->  pg_format(f, make_array(NULL::text, a::text, b::text),
                                      make_array('Null', arrow_typeof(a), arrow_typeof(b)))
    to_char(x, t)    ->  pg_to_char(x::text, arrow_typeof(x), t)
"""

from __future__ import annotations

from sqlglot import exp

from . import transform_up

_TEXT = exp.DataType.build("VARCHAR")


def _text(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=_TEXT.copy())


def _type(value: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="arrow_typeof", expressions=[value.copy()])


def _format(template: exp.Expression, args: list[exp.Expression]) -> exp.Expression:
    texts = [_text(exp.Null()), *(_text(a.copy()) for a in args)]
    types = [exp.Literal.string("Null"), *(_type(a) for a in args)]
    return exp.Anonymous(
        this="pg_format",
        expressions=[
            _text(template),
            exp.Anonymous(this="make_array", expressions=texts),
            exp.Anonymous(this="make_array", expressions=types),
        ],
    )


def text_formatting(tree: exp.Expression) -> exp.Expression:
    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Format):
            return _format(node.this, node.expressions)
        if not isinstance(node, exp.Anonymous):
            return node
        name, args = node.name.lower(), node.expressions
        if name == "format" and args:
            return _format(args[0], args[1:])
        if name == "to_char" and len(args) == 2:
            value, template = args
            return exp.Anonymous(this="pg_to_char", expressions=[_text(value.copy()), _type(value), _text(template)])
        return node

    return transform_up(tree, rewrite)
