"""Stored expressions (column defaults, CHECK constraints) printed as PostgreSQL's ruleutils prints
them, so psql's ``\\d``, ``information_schema.columns.column_default`` and ORMs' reflection read
the text PostgreSQL would give.

PostgreSQL stores an expression after analysis and prints it back from that form: an untyped
literal has become a constant of the type it was coerced to (``'x'::text``, ``7`` for an integer
column), a negative number a labelled constant (``'-5'::integer``), ``BETWEEN`` two comparisons,
``IN`` an ``= ANY (ARRAY[...])``, and a ``varchar`` operand is relabelled ``(b)::text``. The plain
form parenthesizes every operator; the pretty form (``pg_get_expr(e, rel, true)``) only where
precedence needs it. Anything this module does not know is printed as the SQL front end writes it.
"""

from __future__ import annotations

import re
from typing import Callable

import sqlglot
from sqlglot import exp

from .character_case import ENGINE_SPELLINGS
from .dialect import WRITTEN_NAME, AgentlakePostgres
from .pg_quoting import quote_ident
from .rules.column_names import pg_name
from .types import INTERNAL_NAMES, SQL_NAMES

TypeOf = Callable[[str], "str | None"]
"""A column's type as format_type prints it (``integer``, ``character varying``), None if unknown."""

COMPARISON_SYMBOLS: dict[type, str] = {
    exp.EQ: "=",
    exp.NEQ: "<>",
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
}
"""The comparison nodes and the operators PostgreSQL writes for them."""
_COMPARISONS: dict[type, str] = {
    **COMPARISON_SYMBOLS,
    exp.Like: "~~",
    exp.ILike: "~~*",
    exp.DPipe: "||",
    exp.RegexpLike: "~",
    exp.RegexpILike: "~*",
    exp.JSONBContainsTopKey: "?",
    exp.ArrayContainsAll: "@>",
    exp.ArrayContainedBy: "<@",
    exp.ArrayOverlaps: "&&",
}
_DISTINCT: dict[type, str] = {exp.NullSafeNEQ: "IS DISTINCT FROM", exp.NullSafeEQ: "IS NOT DISTINCT FROM"}
_NEGATED = {"~~": "!~~", "~~*": "!~~*", "~": "!~", "~*": "!~*"}
_LOW_ARITHMETIC: dict[type, str] = {exp.Add: "+", exp.Sub: "-"}
_HIGH_ARITHMETIC: dict[type, str] = {exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
_CALL_WORDS: dict[type, str] = {
    exp.Coalesce: "COALESCE",
    exp.Greatest: "GREATEST",
    exp.Least: "LEAST",
    exp.Nullif: "NULLIF",
}
_INTEGER = re.compile(r"\d+")
_FLOAT_LOOKING = re.compile(r"\d[\d.]*(?:[eE][-+]?\d+)?")
_TRUE_WORDS = frozenset({"t", "true", "y", "yes", "on", "1"})
_INT4_MAX, _INT8_MAX = 2**31 - 1, 2**63 - 1
_SQL_VALUE_FUNCTIONS = {
    exp.CurrentDate: "CURRENT_DATE",
    exp.CurrentTime: "CURRENT_TIME",
    exp.CurrentUser: "CURRENT_USER",
}
_ANY_ARGUMENTS = frozenset({"concat"})
"""Functions of ``"any"`` arguments: a string constant passed to them stays untyped (``concat('a', 'b')``)."""
_TEXT_TYPES = frozenset({"text", "character varying", "character", "name"})
_CHECKED = re.compile(r"int[248]_(add|sub|mul)")
"""The engine's checked integer arithmetic (``sql/integer_arithmetic.py``), printed as its operator."""
_FLOAT_TYPES = frozenset({"double precision", "real"})

# What a printed node is, for PostgreSQL's pretty-printing rules (ruleutils' isSimpleNode)
ATOM, AND, OR, NOT, TEST, OPERATOR, LOW, HIGH = "atom", "and", "or", "not", "test", "op", "low", "high"


def deparse(node: exp.Expression, type_of: TypeOf | None = None, *, pretty: bool = False) -> str:
    """``node`` as pg_get_expr / pg_get_constraintdef print it (``pretty``: without needless parentheses)."""
    return _Printer(type_of or (lambda name: None), pretty).top(node)


def default_text(node: exp.Expression, column_type: str) -> str | None:
    """A column default as PostgreSQL stores and prints it: coerced to the column's type
    (``DEFAULT 'x'`` on a text column is ``'x'::text``); None for ``DEFAULT NULL``, which PostgreSQL
    does not store at all."""
    inner = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(inner, exp.Null):
        return None
    printer = _Printer(lambda name: None, pretty=False)
    if isinstance(inner, exp.Literal) and inner.is_string:
        return printer.constant(inner.this, column_type)
    return printer.top(node)


_JOIN_INDENT = "\n     "
_CLAUSES = (("where", "\n  WHERE "), ("group", "\n  GROUP BY "), ("having", "\n HAVING "), ("order", "\n  ORDER BY "))


def view_definition(query: exp.Expression, type_of: TypeOf | None = None, *, pretty: bool = True) -> str:
    """A view's query as pg_get_viewdef lays it out (`` SELECT a,\\n    b\\n   FROM t\\n  WHERE ...;``);
    a query of another shape (a UNION) as the SQL front end writes it."""
    if not isinstance(query, exp.Select) or query.args.get("with_"):
        return " " + query.sql(dialect="postgres") + ";"
    printer = _Printer(type_of or (lambda name: None), pretty)
    items = []
    for item in query.expressions:
        value = item.this if isinstance(item, exp.Alias) else item
        text = printer.top(value)
        name = item.alias if isinstance(item, exp.Alias) else None if isinstance(value, exp.Column) else pg_name(value)
        items.append(text if name is None or name == getattr(value, "name", None) else f"{text} AS {quote_ident(name)}")
    out = " SELECT " + ("DISTINCT " if query.args.get("distinct") else "") + ",\n    ".join(items)
    source = query.args.get("from_") or query.args.get("from")
    if source is not None:
        relations = _relation(source.this)
        for join in query.args.get("joins") or []:
            side = " ".join(part for part in (join.side, join.kind) if part)
            condition = join.args.get("on")
            joined = f"{relations}{_JOIN_INDENT}{side + ' ' if side else ''}JOIN {_relation(join.this)}"
            if condition is not None:
                on = printer.top(condition)
                joined += f" ON {on}" if pretty else f" ON ({on})"
            relations = joined if pretty else f"({joined})"  # the plain form parenthesizes each join
        out += "\n   FROM " + relations
    for key, keyword in _CLAUSES:
        clause = query.args.get(key)
        if clause is None:
            continue
        if key in ("where", "having"):
            out += keyword + printer.top(clause.this)
        else:
            out += keyword + ", ".join(_sort_key(printer, query, part) for part in clause.expressions)
    for key, keyword in (("offset", "\n OFFSET "), ("limit", "\n LIMIT ")):
        clause = query.args.get(key)
        if clause is not None:
            out += keyword + printer.top(clause.expression)
    return out + ";"


def _sort_key(printer: "_Printer", query: exp.Select, part: exp.Expression) -> str:
    """A GROUP BY or ORDER BY key; a position (``ORDER BY 2``) as the expression it names, in
    parentheses, as PostgreSQL stores it."""
    ordered = isinstance(part, exp.Ordered)
    key = part.this if ordered else part
    if isinstance(key, exp.Literal) and not key.is_string and key.this.isdigit():
        chosen = query.expressions[int(key.this) - 1]
        value = chosen.this if isinstance(chosen, exp.Alias) else chosen
        text = printer.top(value) if isinstance(value, exp.Column) else f"({printer.top(value)})"
    else:
        text = printer.top(key)
    if ordered and part.args.get("desc"):
        text += " DESC"
    return text


def _relation(node: exp.Expression) -> str:
    if isinstance(node, exp.Table):
        alias = node.alias
        name = quote_ident(node.name)
        return f"{name} {quote_ident(alias)}" if alias and alias != node.name else name
    return node.sql(dialect="postgres")


def pretty_text(text: str) -> str:
    """The pretty form of a default this module printed (its constants already carry their types);
    the text itself when it does not parse (a default stored by an older version)."""
    tree = parse_expression(text)
    return text if tree is None else deparse(tree, pretty=True)


def parse_expression(text: str) -> exp.Expression | None:
    """A stored expression's tree; None when it does not parse."""
    try:
        return sqlglot.parse_one(text, read=AgentlakePostgres)
    except sqlglot.errors.ParseError:
        return None


class _Printer:
    def __init__(self, type_of: TypeOf, pretty: bool) -> None:
        self.type_of = type_of
        self.pretty = pretty

    def top(self, node: exp.Expression) -> str:
        return self.text(node)[0]

    def text(self, node: exp.Expression, context: str | None = None) -> tuple[str, str]:
        """A node's text and kind; in the plain form every operator comes parenthesized."""
        if isinstance(node, exp.Paren):
            return self.text(node.this, context)
        if isinstance(node, exp.Literal):
            return self.literal(node, context), ATOM
        if isinstance(node, exp.Boolean):
            return ("true" if node.this else "false"), ATOM
        if isinstance(node, exp.Null):
            return "NULL", ATOM
        if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
            return self.literal(node.this, context, sign="-"), ATOM
        if isinstance(node, exp.Column):
            return self.column(node), ATOM
        if isinstance(node, exp.Cast):
            return self.cast(node), ATOM
        if isinstance(node, (exp.And, exp.Or)):
            return self.boolean(node)
        if isinstance(node, exp.Not) and isinstance(node.this.unnest(), exp.In) and node.this.unnest().expressions:
            return self.any_array(node.this.unnest(), negated=True)
        if isinstance(node, exp.Not) and type(node.this.unnest()) in _COMPARISONS:
            symbol = _COMPARISONS[type(node.this.unnest())]
            if symbol in _NEGATED:  # NOT (t ~ 'x') is how the parser reads t !~ 'x'
                return self.binary(node.this.unnest(), _NEGATED[symbol], OPERATOR)
        if isinstance(node, exp.Not):
            return self.wrap(f"NOT {self.operand(node.this, NOT)}", NOT)
        if isinstance(node, exp.Is):
            words = "IS NOT" if node.args.get("negate") else "IS"
            test = "NULL" if isinstance(node.expression, exp.Null) else self.top(node.expression).upper()
            shown = self.column(node.this) if isinstance(node.this, exp.Column) else self.operand(node.this, TEST)
            return self.wrap(f"{shown} {words} {test}", TEST)
        if isinstance(node, exp.Between):
            low = exp.GTE(this=node.this, expression=node.args["low"])
            high = exp.LTE(this=node.this, expression=node.args["high"])
            return self.boolean(exp.And(this=low, expression=high))
        if isinstance(node, exp.In) and node.expressions:
            return self.any_array(node)
        if type(node) in _COMPARISONS:
            symbol = _COMPARISONS[type(node)]
            return self.binary(node, _NEGATED.get(symbol, symbol) if node.args.get("negate") else symbol, OPERATOR)
        if type(node) in _DISTINCT:
            return self.binary(node, _DISTINCT[type(node)], TEST)
        if type(node) in _LOW_ARITHMETIC:
            return self.binary(node, _LOW_ARITHMETIC[type(node)], LOW)
        if type(node) in _HIGH_ARITHMETIC:
            return self.binary(node, _HIGH_ARITHMETIC[type(node)], HIGH)
        if isinstance(node, exp.Neg):
            return self.wrap(f"- {self.operand(node.this, OPERATOR)}", OPERATOR)
        if isinstance(node, exp.Array) and not isinstance(node.parent, exp.In):
            element = context[:-2] if context and context.endswith("[]") else None
            return f"ARRAY[{', '.join(self.operand(e, ATOM, element) for e in node.expressions)}]", ATOM
        checked = _CHECKED.fullmatch(node.name.lower()) if isinstance(node, exp.Anonymous) else None
        if checked is not None and len(node.expressions) == 2:  # int8_mul(a, b), as the engine stores a * b
            left, right = (a.this if isinstance(a, exp.Cast) else a for a in node.expressions)
            operator = {"add": exp.Add, "sub": exp.Sub, "mul": exp.Mul}[checked.group(1)]
            return self.text(operator(this=left.copy(), expression=right.copy()), context)
        if isinstance(node, exp.Func):
            return self.function(node), ATOM
        return node.sql(dialect="postgres"), ATOM

    def wrap(self, text: str, kind: str) -> tuple[str, str]:
        return (text, kind) if self.pretty else (f"({text})", ATOM)

    def operand(self, node: exp.Expression, parent: str, context: str | None = None, left: bool = False) -> str:
        """A child's text. A varchar column is relabelled as text, and a number beside a column of
        another type shows the coercion PostgreSQL applied to it; pretty printing parenthesizes a
        child only where ruleutils does."""
        node = node.unnest() if isinstance(node, exp.Paren) else node
        if isinstance(node, exp.Column) and self.type_of(node.name) == "character varying":
            return self.coerced(self.column(node), "text")
        coerced_to = _number_coercion(node, context)
        if coerced_to is not None:
            return self.coerced(self.text(node)[0], coerced_to)
        text, kind = self.text(node, context)
        return text if _simple(kind, parent, left) else f"({text})"

    def coerced(self, text: str, kind: str) -> str:
        return f"{text}::{kind}" if self.pretty else f"({text})::{kind}"

    def binary(self, node: exp.Binary, symbol: str, kind: str) -> tuple[str, str]:
        left, right = node.this, node.expression
        left_text = self.operand(left, kind, _operand_type(self, right), left=True)
        right_type = "text" if symbol == "?" else _operand_type(self, left)  # jsonb ? text
        right_text = self.operand(right, kind, right_type)
        return self.wrap(f"{left_text} {symbol} {right_text}", kind)

    def boolean(self, node: exp.Connector) -> tuple[str, str]:
        kind = AND if isinstance(node, exp.And) else OR
        parts: list[exp.Expression] = []
        pending: list[exp.Expression] = [node]
        while pending:  # a chain of one connective is one list, as PostgreSQL flattens it
            item = pending.pop()
            inner = item.unnest() if isinstance(item, exp.Paren) else item
            if type(inner) is type(node):
                pending += [inner.expression, inner.this]
            else:
                parts.append(inner)
        return self.wrap(f" {kind.upper()} ".join(self.operand(p, kind) for p in parts), kind)

    def any_array(self, node: exp.In, negated: bool = False) -> tuple[str, str]:
        """``x IN (a, b)`` as PostgreSQL keeps it: ``x = ANY (ARRAY[a, b])`` (NOT IN: ``<> ALL``)."""
        context = _operand_type(self, node.this)
        varchar = isinstance(node.this, exp.Column) and self.type_of(node.this.name) == "character varying"
        items = ", ".join(self.text(e, "character varying" if varchar else context)[0] for e in node.expressions)
        array = self.coerced(f"ARRAY[{items}]", "text[]") if varchar else f"ARRAY[{items}]"  # varchar[] as text[]
        words = "<> ALL" if negated else "= ANY"
        return self.wrap(f"{self.operand(node.this, OPERATOR, left=True)} {words} ({array})", OPERATOR)

    def column(self, node: exp.Column) -> str:
        return f"{quote_ident(node.table)}.{quote_ident(node.name)}" if node.table else quote_ident(node.name)

    def cast(self, node: exp.Cast) -> str:
        target = type_text(node.to)
        value = node.this
        if isinstance(value, exp.Paren):  # (2)::numeric: a coercion shown, as this module prints one
            value = value.this
        elif isinstance(value, exp.Literal):  # a constant is coerced as it is read: it becomes one of the type
            return self.constant(value.this, target)
        elif isinstance(value, exp.Neg) and isinstance(value.this, exp.Literal) and not value.this.is_string:
            return self.constant("-" + value.this.this, target)
        text, kind = self.text(value)
        return self.coerced(text if kind == ATOM or not self.pretty else f"({text})", target)

    def literal(self, node: exp.Literal, context: str | None, sign: str = "") -> str:
        if node.is_string:
            return self.constant(node.this, context or "text")
        number = sign + node.this
        if not _INTEGER.fullmatch(node.this):
            return self.constant(number, "numeric")
        value = int(number)
        kind = "integer" if abs(value) <= _INT4_MAX else "bigint" if abs(value) <= _INT8_MAX else "numeric"
        return self.constant(number, kind)

    def constant(self, value: str, kind: str) -> str:
        """get_const_expr: a non-negative integer and a float-looking numeric are bare, booleans are
        true/false, anything else is quoted and labelled with its type."""
        if kind == "integer" and _INTEGER.fullmatch(value):
            return value
        if kind == "numeric" and _FLOAT_LOOKING.fullmatch(value) and not _INTEGER.fullmatch(value):
            return value
        if kind == "boolean":
            return "true" if value.strip().lower() in _TRUE_WORDS else "false"
        return f"{_quoted(value)}::{kind}"

    def function(self, node: exp.Func) -> str:
        if isinstance(node, exp.CurrentTimestamp) and not node.this:
            return "now()" if node.meta.get(WRITTEN_NAME) == "now" else "CURRENT_TIMESTAMP"
        if type(node) in _SQL_VALUE_FUNCTIONS and not node.args.get("this"):
            return _SQL_VALUE_FUNCTIONS[type(node)]
        if isinstance(node, exp.Uuid):
            return "gen_random_uuid()"
        if isinstance(node, exp.Anonymous):
            name, args = node.name.lower(), node.expressions
            name = ENGINE_SPELLINGS.get(name, name)
        else:
            name = _CALL_WORDS.get(type(node)) or node.meta.get(WRITTEN_NAME)
            if name is None:  # a node not read from SQL text: the front end's own spelling of the call
                written = node.sql(dialect="postgres")
                return (
                    written[: written.index("(")].lower() + written[written.index("(") :] if "(" in written else written
                )
            args = [v for key in node.arg_types for v in _as_list(node.args.get(key))]
        args = [a for a in args if isinstance(a, exp.Expression)]  # flags (Concat's safe) are not arguments
        if name.lower() in _ANY_ARGUMENTS:
            return f"{name}({', '.join(_untyped(a) or self.operand(a, ATOM) for a in args)})"
        return f"{name}({', '.join(self.operand(a, ATOM) for a in args)})"


def _simple(kind: str, parent: str, left: bool) -> bool:
    """ruleutils' isSimpleNode: whether a child of this kind needs no parentheses under ``parent``
    when pretty printing (the plain form parenthesizes every operator itself)."""
    if kind == ATOM or parent == ATOM:
        return True
    if parent in (AND, OR, NOT):
        if kind in (OPERATOR, LOW, HIGH, TEST):
            return True
        if parent == NOT:
            return False
        return kind in (AND, NOT) or (kind == OR and parent == OR)
    if parent in (LOW, HIGH) and kind in (LOW, HIGH):
        return (kind == HIGH and parent == LOW) or (kind == parent and left)
    return False


def _operand_type(printer: _Printer, node: exp.Expression) -> str | None:
    """The type a constant beside ``node`` is coerced to: a column's (a varchar's is text, a
    numeric(p, s)'s is numeric: operators take no type modifier), or a cast's."""
    node = node.unnest() if isinstance(node, exp.Paren) else node
    if isinstance(node, exp.Literal) and not node.is_string:
        return "integer" if _INTEGER.fullmatch(node.this) else "numeric"
    if isinstance(node, exp.Column):
        kind = printer.type_of(node.name)
    elif isinstance(node, exp.Cast):
        kind = type_text(node.to)
    else:
        return None
    if kind is None:
        return None
    kind = re.sub(r"\(.*?\)", "", kind)
    return "text" if kind in _TEXT_TYPES else kind


def _number_coercion(node: exp.Expression, context: str | None) -> str | None:
    """The type a number beside a column is coerced to, where no operator takes both as they are:
    an integer beside numeric, any number beside a float."""
    number = node.this if isinstance(node, exp.Neg) else node
    if not isinstance(number, exp.Literal) or number.is_string or context is None:
        return None
    if context in _FLOAT_TYPES or (context == "numeric" and _INTEGER.fullmatch(number.this)):
        return context
    return None


def _untyped(node: exp.Expression) -> str | None:
    """A string constant that no type was asked of, as PostgreSQL prints one: quoted, unlabelled."""
    return _quoted(node.this) if isinstance(node, exp.Literal) and node.is_string else None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _quoted(value: str) -> str:
    """A constant as ruleutils quotes it: quotes doubled, backslashes as they are (standard
    conforming strings; ``pg_quoting.quote_literal`` writes an ``E''`` string instead)."""
    return "'" + value.replace("'", "''") + "'"


def type_text(to: exp.DataType, *, modifiers: bool = True) -> str:
    """A type as format_type prints it (``character varying``, ``timestamp with time zone``);
    ``modifiers``: with its length or precision, as a cast names it."""
    text = to.sql(dialect="postgres").lower()
    array = text.endswith("[]")
    base = text[:-2] if array else text
    plain = base.split("(")[0].strip()
    internal = INTERNAL_NAMES.get(plain, plain)
    shown = SQL_NAMES.get(internal, internal)
    if modifiers and internal in ("varchar", "bpchar", "numeric") and "(" in base:
        shown += base[base.index("(") :]
    return shown + ("[]" if array else "")
