"""Full-text search spellings, decided by operand types: ``@@``, ``||``, ``&&``, ``<->`` on
tsvector and tsquery values, casts to them, and the functions' optional arguments.

``a @@ b`` means tsvector @@ tsquery, but PostgreSQL also accepts text on the left (parsed with
the default configuration), text on the right (``plainto_tsquery``), and the operands the other
way round; ``a || b`` concatenates tsvectors but text too. The type of an operand comes from the
catalog (a tsvector or text column), from what made it (``to_tsvector(...)``, ``'...'::tsquery``),
or from the name it was given in the statement (``FROM plainto_tsquery($1) q``). A function
called in FROM (``FROM docs, plainto_tsquery('cat') q``) becomes a one-row subquery, which is
what DataFusion can join.
"""

from __future__ import annotations

from sqlglot import exp

from ..column_types import SchemaOf, column_fields
from ..jsonb_types import JSONB, JsonTypes
from ..types import TYPE_KEY
from . import transform_up
from .column_names import DUPLICATE_MARK

DEFAULT_CONFIG = "english"
"""PostgreSQL's default_text_search_config (pg_catalog.english)."""

_MAKES_VECTOR = {"to_tsvector", "setweight", "strip", "tsvector_in", "tsvector_concat"}
_MAKES_QUERY = {
    "to_tsquery",
    "plainto_tsquery",
    "phraseto_tsquery",
    "websearch_to_tsquery",
    "tsquery_in",
    "tsquery_and",
    "tsquery_or",
    "tsquery_phrase",
}
_CONFIGURED = {"to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery"}
_RANKS = {"ts_rank", "ts_rank_cd"}
_FUNCTIONS = _MAKES_VECTOR | _MAKES_QUERY | _RANKS | {"numnode", "querytree"}
VECTOR, QUERY, TEXT = "tsvector", "tsquery", "text"


def _call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _cast_type(to: exp.DataType) -> str | None:
    if to.this == exp.DataType.Type.USERDEFINED:
        kind = str(to.args.get("kind", "")).lower()
        return kind if kind in (VECTOR, QUERY) else None
    return TEXT if to.is_type("text", "varchar", "char") else None


class _Types:
    """What the statement's expressions are: tsvector, tsquery, text or unknown (None)."""

    def __init__(self, tree: exp.Expression, schema_of: SchemaOf) -> None:
        self.json = JsonTypes(tree, schema_of)
        """jsonb's ``@@`` (a path predicate) shares the operator with text search."""
        self.columns: dict[str, dict[str, str]] = {}
        for qualifier, fields in column_fields(tree, schema_of).items():
            kinds = {}
            for name, f in fields.items():
                tag = (f.metadata or {}).get(TYPE_KEY, b"").decode()
                kinds[name] = (
                    tag if tag in (VECTOR, QUERY) else TEXT if str(f.type) in ("string", "large_string") else "other"
                )
            self.columns[qualifier] = kinds
        self.named: dict[str, str] = {}
        for node in tree.root().find_all(exp.Alias):
            kind = self.of(node.this)
            if kind in (VECTOR, QUERY):
                self.named[node.alias] = kind
        for node in tree.root().find_all(exp.Table):
            if isinstance(node.this, exp.Anonymous) and node.this.name.lower() in _FUNCTIONS:
                kind = self.of(node.this)
                if kind in (VECTOR, QUERY):
                    self.named[node.alias_or_name] = kind

    def of(self, node: exp.Expression) -> str | None:
        while isinstance(node, exp.Paren):
            node = node.this
        if isinstance(node, exp.Cast):
            return _cast_type(node.to) or "other"
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            return VECTOR if name in _MAKES_VECTOR else QUERY if name in _MAKES_QUERY else None
        if isinstance(node, exp.Column):
            if node.name in self.named and not node.table:
                return self.named[node.name]
            return self.columns.get(node.table, {}).get(node.name) or self.named.get(node.name)
        if isinstance(node, exp.DPipe):
            kinds = {self.of(node.this), self.of(node.expression)}
            return VECTOR if VECTOR in kinds else QUERY if QUERY in kinds else TEXT
        if isinstance(node, exp.Literal) and node.is_string:
            return "unknown"
        if isinstance(node, (exp.Concat, exp.Coalesce, exp.Lower, exp.Upper, exp.Substring, exp.Trim)):
            return TEXT
        return None


def _as_vector(node: exp.Expression, kind: str | None) -> exp.Expression:
    if kind in (TEXT, "unknown", "other"):
        return _call("to_tsvector", exp.Literal.string(DEFAULT_CONFIG), node)
    return node


def _as_query(node: exp.Expression, kind: str | None) -> exp.Expression:
    if kind == "unknown":
        return _call("tsquery_in", node)
    if kind in (TEXT, "other"):
        return _call("plainto_tsquery", exp.Literal.string(DEFAULT_CONFIG), node)
    return node


def _literal_as(node: exp.Expression, kind: str | None, into: str) -> exp.Expression:
    """A text literal beside a tsvector or tsquery is one (``tsv || 'a:1'``, ``q && 'b'``)."""
    return _call(into, node) if kind == "unknown" else node


def _config_argument(node: exp.Expression) -> exp.Expression:
    """``'english'::regconfig`` is the configuration's name."""
    if isinstance(node, exp.Cast) and str(node.to.args.get("kind", "") or node.to.sql()).lower() == "regconfig":
        return node.this
    return node


def _weights_first(args: list[exp.Expression]) -> bool:
    first = args[0]
    if isinstance(first, exp.Array) or (isinstance(first, exp.Cast) and first.to.is_type("array")):
        return True
    return len(args) == 4 or (isinstance(first, exp.Literal) and first.is_string and first.this.startswith("{"))


def _weights(node: exp.Expression) -> exp.Expression:
    """A weights array as float8 values (``'{0.1,0.2,0.4,1.0}'`` is PostgreSQL's array literal)."""
    if isinstance(node, exp.Literal) and node.is_string:
        items = [v.strip() for v in node.this.strip("{}").split(",") if v.strip()]
        node = exp.Array(expressions=[exp.Null() if v.upper() == "NULL" else exp.Literal.number(v) for v in items])
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Array):
        node = node.this
    if isinstance(node, exp.Array):
        return exp.Array(expressions=[exp.Cast(this=e, to=exp.DataType.build("DOUBLE")) for e in node.expressions])
    return exp.Cast(this=node, to=exp.DataType.build("ARRAY<DOUBLE>"))


def _function(node: exp.Anonymous) -> exp.Expression:
    name, args = node.name.lower(), list(node.expressions)
    if name in _CONFIGURED:
        if len(args) == 1:
            return _call(name, exp.Literal.string(DEFAULT_CONFIG), args[0])
        return _call(name, _config_argument(args[0]), *args[1:])
    if name in _RANKS and args:
        if _weights_first(args):
            method = args[3] if len(args) > 3 else exp.Literal.number(0)
            return _call(f"{name}_weighted", _weights(args[0]), args[1], args[2], method)
        return _call(name, args[0], args[1], args[2] if len(args) > 2 else exp.Literal.number(0))
    return node


def _from_function(node: exp.Table) -> exp.Expression:
    """``FROM f(args) q``: a one-row subquery whose column is named like the alias, as in PostgreSQL."""
    name = node.alias_or_name or node.this.name.lower()
    select = exp.select(exp.alias_(node.this.copy(), name, quoted=True))
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)))


def _mentions_text_search(tree: exp.Expression) -> bool:
    for node in tree.walk():
        if isinstance(node, exp.MatchAgainst):
            return True
        if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
            return True
        if isinstance(node, exp.Cast) and _cast_type(node.to) in (VECTOR, QUERY):
            return True
    return False


def _has_text_search_columns(types: _Types) -> bool:
    return any(kind in (VECTOR, QUERY) for kinds in types.columns.values() for kind in kinds.values())


def text_search(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, the text-search expressions of ``tree``; True when any was."""
    types = _Types(tree, schema_of)
    if not _mentions_text_search(tree) and not _has_text_search_columns(types):
        return False  # most statements stop here
    _keep_column_names(tree, types)
    changed = False

    def rewrite(node: exp.Expression) -> exp.Expression:
        nonlocal changed
        replacement = _rewrite(node, types)
        if replacement is not node:
            changed = True
        return replacement

    result = transform_up(tree, rewrite)
    if result is not tree:
        _become(tree, result)
    return changed


def _become(node: exp.Expression, new: exp.Expression) -> None:
    """Turn ``node`` itself into ``new``: callers rewrite a statement's parts (a WHERE condition,
    a SET value) in place and keep generating SQL from the object they hold."""
    node.__class__ = new.__class__
    node.args = {}
    node._hash = None
    for key, value in new.args.items():
        node.set(key, value)


def _column_name(node: exp.Expression, types: _Types) -> str | None:
    """PostgreSQL's name for a select item this rule respells (None: the respelling keeps it)."""
    if isinstance(node, exp.Cast) and _cast_type(node.to) in (VECTOR, QUERY):
        return node.this.name if isinstance(node.this, exp.Column) else _cast_type(node.to)
    if isinstance(node, exp.MatchAgainst) or (
        isinstance(node, (exp.DPipe, exp.ArrayOverlaps, exp.Distance))
        and {types.of(node.this), types.of(node.expression)} & {VECTOR, QUERY}
    ):
        return "?column?"
    if isinstance(node, exp.Length) and types.of(node.this) == VECTOR:
        return "length"
    if isinstance(node, exp.Cast) and _cast_type(node.to) == TEXT and types.of(node.this) in (VECTOR, QUERY):
        inner = node.this
        return inner.name if isinstance(inner, (exp.Column, exp.Anonymous)) else "text"
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RANKS:
        return node.name.lower()
    return None


def _keep_column_names(tree: exp.Expression, types: _Types) -> None:
    """Name select items by what was written (``'a'::tsvector`` is ``tsvector``, ``a @@ b`` is
    ``?column?``) before they become function calls, numbering repeats as the column-name rule does."""
    for select in tree.find_all(exp.Select):
        names = [_column_name(node, types) for node in select.expressions]
        if not any(names):
            continue
        seen: dict[str, int] = {}
        for index, (node, name) in enumerate(zip(list(select.expressions), names)):
            taken = node.alias_or_name if not name else name
            count = seen.get(taken, 0)
            seen[taken] = count + 1
            if name and not isinstance(node, exp.Alias):
                select.expressions[index].replace(
                    exp.alias_(node.copy(), name if not count else f"{name}{DUPLICATE_MARK}{count}", quoted=True)
                )


def _rewrite(node: exp.Expression, types: _Types) -> exp.Expression:
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous) and node.this.name.lower() in _FUNCTIONS:
        return _from_function(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() in _CONFIGURED | _RANKS:
        return _function(node)
    if isinstance(node, exp.Length) and types.of(node.this) == VECTOR:
        return _call("tsvector_length", node.this)
    if isinstance(node, exp.Cast):
        target, inner = _cast_type(node.to), types.of(node.this)
        if target in (VECTOR, QUERY):
            return node.this if inner == target else _call(f"{target}_in", node.this)
        return _call("ts_text", node.this) if target == TEXT and inner in (VECTOR, QUERY) else node
    if isinstance(node, exp.Tuple) and isinstance(node.parent, exp.Values):
        node.set(
            "expressions", [_call("ts_text", e) if types.of(e) in (VECTOR, QUERY) else e for e in node.expressions]
        )
        return node
    if isinstance(node, exp.MatchAgainst) and node.expressions and types.json.of(node.expressions[0]) == JSONB:
        # jsonb @@ jsonpath: the path's predicate, its errors suppressed as the operator's are
        path = node.this
        return _call("jsonb_path_match", node.expressions[0], path, exp.Literal.string("{}"), exp.true())
    if isinstance(node, exp.MatchAgainst) and node.expressions:
        left, right = node.expressions[0], node.this
        lkind, rkind = types.of(left), types.of(right)
        if lkind == QUERY or rkind == VECTOR:
            left, right, lkind, rkind = right, left, rkind, lkind
        if rkind == "unknown" and lkind in (TEXT, "unknown", "other"):
            rkind = TEXT  # text @@ 'words' is PostgreSQL's text @@ text: plainto_tsquery
        return _call("ts_match", _as_vector(left, lkind), _as_query(right, rkind))
    binary = {
        exp.DPipe: (VECTOR, "tsvector_concat", QUERY, "tsquery_or"),
        exp.ArrayOverlaps: (None, None, QUERY, "tsquery_and"),
        exp.Distance: (None, None, QUERY, "tsquery_phrase"),
    }.get(type(node))
    if binary is not None:
        lkind, rkind = types.of(node.this), types.of(node.expression)
        for kind, function in ((binary[0], binary[1]), (binary[2], binary[3])):
            if kind is not None and kind in (lkind, rkind):
                into = f"{kind}_in"
                return _call(function, _literal_as(node.this, lkind, into), _literal_as(node.expression, rkind, into))
    return node
