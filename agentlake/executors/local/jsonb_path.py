"""SQL/JSON path (PostgreSQL's ``jsonpath``) for jsonb_path_exists, jsonb_path_match,
jsonb_path_query, jsonb_path_query_array and jsonb_path_query_first.

JSONPath libraries for Python (jsonpath-ng, RFC 9535) implement Goessner's JSONPath, whose
filters, comparisons and missing-value rules differ from SQL/JSON path's; so this module parses
SQL/JSON path with a grammar (lark) and evaluates it as PostgreSQL 16 does, in either mode:

- accessors: ``.key``, ``."key"``, ``.*``, ``[*]``, subscripts (``[n]``, ``[last]``,
  ``[last - 1]``, ranges ``[1 to last]``, lists ``[0, 2, 4 to 5]``; each subscript is an
  expression, truncated to an integer), ``.**`` (the item itself and every item below it) and
  ``.**{2}``, ``.**{1 to 3}``, ``.**{last}`` (leaves only), and filters ``? (...)``;
- in ``lax`` mode (the default) accessors and filters unwrap arrays one level, a non-array is a
  one-element array to a subscript, and a missing key, a wrong kind of item or an out-of-range
  subscript gives no item; in ``strict`` mode those are PostgreSQL's errors (2203A, 2203C,
  22039, 22033), as they are to ``.size()`` of a non-array, except below a ``.**``;
- arithmetic ``+ - * / %`` and unary ``+ -`` on numbers (exact decimals, at the scale
  PostgreSQL's numeric gives: a quotient has 16 significant digits or more), with PostgreSQL's
  precedence and errors: an operand that is not one number is 22038, a unary operand that is not
  a number 2203B, a zero divisor 22012;
- item methods ``.size()``, ``.type()``, ``.abs()``, ``.floor()``, ``.ceiling()``, ``.double()``
  (a number is kept as it is, if double precision can hold it; a string becomes the number it
  spells, at double precision's 15 digits) and ``.keyvalue()`` (``{"key", "value", "id"}`` per
  member, the id reckoned from where the object lies in PostgreSQL's binary jsonb);
- comparisons (``== != <> < <= > >=``), ``like_regex``, ``starts with`` and ``exists`` are
  predicates with three values: in lax mode true when any pair of items satisfies them, unknown
  when none does and some pair cannot be compared (items of different kinds, arrays, objects)
  or an operand fails, else false; in strict mode unknown as soon as any pair is; ``null``
  equals only ``null`` and differs from everything else;
- ``&&``, ``||``, ``!`` and ``is unknown`` combine them as SQL does; ``$name`` reads the
  ``vars`` object;
- evaluation is lazy as PostgreSQL's is: jsonb_path_exists and ``exists`` in lax mode stop at
  the first item, so a later item's error goes unseen (strict mode evaluates everything).

PostgreSQL's parse-time rules hold (42601): ``@`` only inside a filter, ``last`` only inside a
subscript, predicates only where a predicate belongs. Everything else (``.datetime()``, other
methods, numeric literals in hexadecimal, octal, binary or with underscores, ``$"quoted"``
variables) is refused with 0A000 rather than guessed, as is any other text the grammar cannot
read (PostgreSQL's own syntax errors among them). One difference remains: PostgreSQL skips
numbering a ``.keyvalue()`` object that ends a path whose existence alone is asked, so an id
below a later ``.keyvalue()`` of such a path's object can differ.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, Context, Decimal
from functools import cached_property, lru_cache
from typing import Iterator

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError, VisitError

from ...errors import DataError, NotSupportedError, ProgrammingError
from ...sql.rules.numeric_division import quotient
from .jsonb_values import JsonValue, kind, storage_order

_GRAMMAR = r"""
start: [MODE] disjunction

?disjunction: conjunction | disjunction "||" conjunction -> or_
?conjunction: negation | conjunction "&&" negation -> and_
?negation: "!" "(" disjunction ")" -> not_
         | "!" exists -> not_
         | predicate
?predicate: sum COMPARISON sum -> compare
          | exists
          | "(" disjunction ")" "is"i "unknown"i -> is_unknown
          | sum "like_regex"i STRING ["flag"i STRING] -> like_regex
          | sum "starts"i "with"i prefix -> starts_with
          | sum
exists: "exists"i "(" sum ")"

?prefix: STRING -> string
       | VARIABLE -> variable

?sum: product | sum "+" product -> add | sum "-" product -> subtract
?product: unary | product "*" unary -> multiply | product "/" unary -> divide | product "%" unary -> modulo
?unary: "-" unary -> minus | "+" unary -> plus | chain
?chain: primary accessor*
?primary: "$" -> root
        | "@" -> current
        | "last"i -> last
        | VARIABLE -> variable
        | STRING -> string
        | NUMBER -> number
        | "true"i -> true
        | "false"i -> false
        | "null"i -> null
        | "(" disjunction ")"

?accessor: "." KEY -> member
         | "." STRING -> member
         | "." "*" -> any_member
         | "." "**" -> any_level
         | "." "**" "{" level ["to"i level] "}" -> any_level
         | "[" "*" "]" -> any_element
         | "[" subscript ("," subscript)* "]" -> subscripts
         | "?" "(" disjunction ")" -> filter
         | "." METHOD "(" ")" -> method
subscript: sum ["to"i sum]
level: LEVEL | "last"i

MODE: /lax|strict/i
METHOD.2: /(?i:size|type|abs|floor|ceiling|double|keyvalue)(?=\s*\()/
COMPARISON: "==" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
VARIABLE: /\$[A-Za-z_][A-Za-z0-9_]*/
KEY: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /"(?:[^"\\]|\\.)*"/
NUMBER: /(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/
LEVEL: /\d+/
%import common.WS
%ignore WS
"""
_PARSER = Lark(_GRAMMAR, parser="lalr")
_PREDICATES = {"or_", "and_", "not_", "compare", "exists", "is_unknown", "like_regex", "starts_with"}
_LOGIC = {"or_", "and_", "not_", "is_unknown"}
"""The predicates whose operands are predicates too (the others' operands are expressions)."""
_UNKNOWN = None
"""A predicate's third value."""
_CONSTANTS = {"true": True, "false": False, "null": None}
_UNBOUNDED = math.inf
"""``.**``'s level ``last``: no bound on the depth."""
_INT4_MAX = 2**31 - 1
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Sums, differences, products and remainders of numerics are exact, as PostgreSQL's are."""


@dataclass(frozen=True)
class _Path:
    """A parsed path: its mode and its expression (nested tuples: (operation, *operands))."""

    lax: bool
    root: tuple


class _Tree(Transformer):
    """lark's tree as nested tuples: (operation, *operands)."""

    def start(self, items):
        mode, root = items
        return _Path(lax=mode is None or mode.lower() == "lax", root=root)

    def chain(self, items):
        return ("path", items[0], tuple(items[1:]))

    def add(self, items):
        return ("arith", "+", *items)

    def subtract(self, items):
        return ("arith", "-", *items)

    def multiply(self, items):
        return ("arith", "*", *items)

    def divide(self, items):
        return ("arith", "/", *items)

    def modulo(self, items):
        return ("arith", "%", *items)

    def minus(self, items):
        return ("unary", "-", items[0])

    def plus(self, items):
        return ("unary", "+", items[0])

    def subscripts(self, items):
        return ("subscripts", tuple(items))

    def subscript(self, items):
        return tuple(items)

    def level(self, items):
        return items[0] if items else _UNBOUNDED

    def any_level(self, items):
        """``.**`` is every level from the item itself (0) down; ``{n}`` one level; ``{m to n}`` a range."""
        if not items:
            return ("any_level", 0, _UNBOUNDED)
        first, last = items
        return ("any_level", first, first if last is None else last)

    def __default__(self, data, children, meta):
        return (str(data), *children)

    def __default_token__(self, token: Token):
        convert = {
            "STRING": json.loads,
            "NUMBER": Decimal,
            "LEVEL": _level,
            "METHOD": str.lower,
            "VARIABLE": lambda t: str(t)[1:],
            "COMPARISON": lambda t: "!=" if t == "<>" else str(t),
        }.get(token.type, str)
        return convert(str(token))


def _level(text: str) -> int:
    """A ``.**`` level, an integer to PostgreSQL (a larger one is 22003 as it parses the path)."""
    if int(text) > _INT4_MAX:
        raise DataError(f'[SQLSTATE 22003] value "{text}" is out of range for type integer', sqlstate="22003")
    return int(text)


@lru_cache(maxsize=512)
def compile_path(text: str) -> _Path:
    """The parsed path (cached by its text); a path outside the supported subset is 0A000."""
    try:
        path = _Tree().transform(_PARSER.parse(text.strip()))
    except VisitError as err:
        raise err.orig_exc from None
    except LarkError:
        raise NotSupportedError(
            f"[SQLSTATE 0A000] jsonpath expression is not supported (agentlake reads accessors, subscripts, .**, "
            f"arithmetic, the methods size, type, abs, floor, ceiling, double and keyvalue, comparisons, "
            f"like_regex, starts with, exists, &&, ||, ! and filters over $, @ and $variables): {text}",
            sqlstate="0A000",
        ) from None
    _check(path.root, filtered=False, subscripted=False)
    return path


def _check(node: tuple, *, filtered: bool, subscripted: bool) -> None:
    """PostgreSQL's rules as it parses a path, which the grammar leaves to this walk (42601): ``@``
    only inside a filter, ``last`` only inside a subscript, predicates (not expressions) as the
    operands of ``&& || !``, ``is unknown`` and filters, and expressions (not a parenthesized
    predicate) as the operands of arithmetic, comparisons and subscripts."""
    op = node[0]
    if op == "current" and not filtered:
        raise ProgrammingError("[SQLSTATE 42601] @ is not allowed in root expressions", sqlstate="42601")
    if op == "last" and not subscripted:
        raise ProgrammingError("[SQLSTATE 42601] LAST is allowed only in array subscripts", sqlstate="42601")
    if op == "path":
        _check(node[1], filtered=filtered, subscripted=subscripted)  # (predicate).method() is allowed
        for accessor in node[2]:
            if accessor[0] == "filter":
                _check_operand(accessor[1], True, filtered=True, subscripted=subscripted)
            elif accessor[0] == "subscripts":
                for bound in (bound for pair in accessor[1] for bound in pair if bound is not None):
                    _check_operand(bound, False, filtered=filtered, subscripted=True)
        return
    for operand in node[1:]:
        if isinstance(operand, tuple):
            _check_operand(operand, op in _LOGIC, filtered=filtered, subscripted=subscripted)


def _check_operand(node: tuple, predicate: bool, *, filtered: bool, subscripted: bool) -> None:
    if (node[0] in _PREDICATES) != predicate:
        expected = "a predicate" if predicate else "an expression"
        raise ProgrammingError(
            f"[SQLSTATE 42601] syntax error in jsonpath input: {expected} is expected", sqlstate="42601"
        )
    _check(node, filtered=filtered, subscripted=subscripted)


class _ItemError(DataError):
    """An error PostgreSQL raises only when the path's errors are not suppressed: a predicate's
    operand failing makes the predicate unknown, and the silent flag suppresses it (a missing
    variable, by contrast, is always an error)."""


def _fail(sqlstate: str, message: str) -> _ItemError:
    return _ItemError(f"[SQLSTATE {sqlstate}] {message}", sqlstate=sqlstate)


def _numeric(number: int | Decimal) -> Decimal:
    """A number as PostgreSQL's numeric holds it: digits and a scale of zero or more (``1e2`` is
    100, scale 0), the scale arithmetic reckons with."""
    value = Decimal(number)
    return value.quantize(Decimal(1), context=_EXACT) if value.as_tuple().exponent > 0 else value


def _scale(number: Decimal) -> int:
    return -number.as_tuple().exponent


class _Base:
    """A jsonb value an item was read from (the document, the ``vars`` object, an object
    ``.keyvalue()`` made), and its number: ``.keyvalue()`` ids an object by that number times
    10^10 plus the object's offset in the base's binary jsonb, as PostgreSQL does."""

    def __init__(self, number: int, value: JsonValue) -> None:
        self.number = number
        self.value = value

    @cached_property
    def offsets(self) -> dict[int, int]:
        """Each container's offset from the base's outermost one, by ``id()``."""
        offsets: dict[int, int] = {}
        _lay_out(self.value, _VARLENA_HEADER, offsets)
        return offsets

    def object_id(self, value: dict) -> int:
        return self.number * 10_000_000_000 + self.offsets[id(value)]


_VARLENA_HEADER = 4


def _aligned(position: int) -> int:
    return (position + 3) & ~3


def _lay_out(value: JsonValue, position: int, offsets: dict[int, int]) -> int:
    """Where ``value`` ends when written at ``position`` of a binary jsonb (PostgreSQL's
    convertJsonbValue), recording where each container starts: containers and numbers start
    4-byte aligned; a container is a header word, a word per element (per key and per value of
    an object), then the keys' bytes (in storage order), then the values."""
    if isinstance(value, (dict, list)):
        position = _aligned(position)
        offsets[id(value)] = position - _VARLENA_HEADER
        if isinstance(value, dict):
            keys = sorted(value, key=storage_order)
            position += 4 + 8 * len(keys) + sum(len(key.encode("utf-8")) for key in keys)
            children = [value[key] for key in keys]
        else:
            position += 4 + 4 * len(value)
            children = value
        for child in children:
            position = _lay_out(child, position, offsets)
        return position
    if isinstance(value, str):
        return position + len(value.encode("utf-8"))
    if kind(value) == "number":
        return _aligned(position) + _numeric_size(value)
    return position


def _numeric_size(number: int | Decimal) -> int:
    """A numeric's bytes in a jsonb: a 4-byte length, a 2-byte header (4 when the scale or the
    weight is out of the short form's range), and 2 bytes per base-10000 digit (leading and
    trailing zero digits dropped)."""
    value = _numeric(number)
    scale = _scale(value)
    padded = -(-scale // 4) * 4  # the fraction in whole base-10000 digits
    whole = int("".join(map(str, value.as_tuple().digits))) * 10 ** (padded - scale)
    digits = []
    while whole:
        whole, digit = divmod(whole, 10000)
        digits.append(digit)
    weight = len(digits) - 1 - padded // 4 if digits else 0
    while digits and digits[0] == 0:
        digits.pop(0)
    short = scale <= 63 and -64 <= weight <= 63
    return 4 + (2 if short else 4) + 2 * len(digits)


@dataclass(frozen=True)
class _Scope:
    """What PostgreSQL keeps in its context as it goes down a path: the item a filter tests (``@``),
    the last subscript of the array being subscripted (``last``), and whether a structural error
    (missing key, wrong kind of item, subscript out of bounds) gives no item instead (lax mode,
    and everything below a ``.**``)."""

    lenient: bool
    current: tuple | None = None
    last: int | None = None


_Item = tuple
"""(value, its _Base)."""


class _Evaluation:
    """One evaluation of a path over a document, as PostgreSQL's executeItem goes: each step hands
    its items on to the rest of the path (so that an item's errors come after the items before
    it, and a search for one item stops there)."""

    def __init__(self, path: _Path, document: JsonValue, variables: JsonValue) -> None:
        if variables is None:
            variables = {}
        if not isinstance(variables, dict):
            raise DataError('[SQLSTATE 22023] "vars" argument is not an object', sqlstate="22023")
        self.lax = path.lax
        self.root = path.root
        self.document = (document, _Base(0, document))
        self.variables = variables
        self.variables_base = _Base(1, variables)
        self.next_object = 2
        """The number of the next object ``.keyvalue()`` makes (0 is the document, 1 ``vars``)."""

    def results(self) -> list[JsonValue]:
        """Every item the path yields, in order."""
        return [value for value, _ in self.items(self.root, _Scope(lenient=self.lax))]

    def yields_any(self) -> bool:
        """Whether the path yields an item; lax mode stops at the first, strict mode evaluates all."""
        return self.exists(self.root, _Scope(lenient=True)) if self.lax else bool(self.results())

    def exists(self, node: tuple, scope: _Scope) -> bool:
        """Whether ``node`` yields any item, as lax mode finds out: at its first item, except that a
        unary operator there skips non-numeric operands rather than failing on them."""
        if node[0] == "unary":
            return any(kind(value) == "number" for value in self.operand(node[2], scope))
        return next(self.items(node, scope), None) is not None

    def items(self, node: tuple, scope: _Scope) -> Iterator[_Item]:
        op = node[0]
        if op in _PREDICATES:
            yield self.predicate(node, scope), None
        elif op == "path":
            for value, base in self.items(node[1], scope):
                yield from self.follow(node[2], value, base, scope)
        elif op == "arith":
            yield self.arithmetic(node, scope), None
        elif op == "unary":
            yield from self.unary(node, scope)
        else:
            yield self.primary(node, scope)

    def primary(self, node: tuple, scope: _Scope) -> _Item:
        op = node[0]
        if op == "root":
            return self.document
        if op == "current":
            return scope.current
        if op == "last":
            return scope.last, None
        if op == "variable":
            if node[1] not in self.variables:
                raise ProgrammingError(
                    f'[SQLSTATE 42704] could not find jsonpath variable "{node[1]}"', sqlstate="42704"
                )
            return self.variables[node[1]], self.variables_base
        return (_CONSTANTS[op] if op in _CONSTANTS else node[1]), None

    def operand(self, node: tuple, scope: _Scope, unwrap: bool = True) -> list[JsonValue]:
        """An operand's items, all of them, arrays among them unwrapped in lax mode."""
        values = [value for value, _ in self.items(node, scope)]
        if unwrap and self.lax:
            return [item for value in values for item in (value if isinstance(value, list) else [value])]
        return values

    # Arithmetic

    def arithmetic(self, node: tuple, scope: _Scope) -> Decimal:
        """A binary operator: both operands are evaluated, then each must be one number."""
        sign, left, right = node[1:]
        lefts, rights = self.operand(left, scope), self.operand(right, scope)
        a = _single_number(lefts, f"left operand of jsonpath operator {sign}")
        b = _single_number(rights, f"right operand of jsonpath operator {sign}")
        if sign in "/%" and not b:
            raise _fail("22012", "division by zero")
        if sign == "+":
            return _EXACT.add(a, b)
        if sign == "-":
            return _EXACT.subtract(a, b)
        if sign == "*":
            return _EXACT.multiply(a, b)
        if sign == "/":
            return quotient(a, _scale(a), b, _scale(b))
        return _EXACT.remainder(a, b)  # the dividend's sign, the larger scale: PostgreSQL's mod

    def unary(self, node: tuple, scope: _Scope) -> Iterator[_Item]:
        """Unary ``-`` and ``+`` apply to each item (not only to a single one, as binary operators do)."""
        sign = node[1]
        for value in self.operand(node[2], scope):
            if kind(value) != "number":
                raise _fail("2203B", f"operand of unary jsonpath operator {sign} is not a numeric value")
            yield (_numeric(value).copy_negate() if sign == "-" else value), None

    # Accessors

    def follow(self, steps: tuple, value: JsonValue, base: _Base, scope: _Scope) -> Iterator[_Item]:
        """The items the rest of a path (``steps``) yields from one item."""
        if not steps:
            yield value, base
            return
        yield from self.step(steps[0], steps[1:], value, base, scope, self.lax)

    def step(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope, unwrap: bool):
        """One accessor applied to one item; in lax mode the accessors that read an object or a
        number apply to an array's elements instead (one level: the elements are not unwrapped)."""
        if unwrap and isinstance(value, list) and _unwraps(accessor):
            for element in value:
                yield from self.step(accessor, rest, element, base, scope, False)
            return
        yield from self._ACCESSORS[accessor[0]](self, accessor, rest, value, base, scope)

    def member(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        key = accessor[1]
        if isinstance(value, dict) and key in value:
            yield from self.follow(rest, value[key], base, scope)
        elif not scope.lenient:
            message = (
                f'JSON object does not contain key "{key}"'
                if isinstance(value, dict)
                else "jsonpath member accessor can only be applied to an object"
            )
            raise _fail("2203A", message)

    def any_member(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        if isinstance(value, dict):
            for child in _children(value):
                yield from self.follow(rest, child, base, scope)
        elif not scope.lenient:
            raise _fail("2203C", "jsonpath wildcard member accessor can only be applied to an object")

    def any_element(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        if isinstance(value, list):
            for element in value:
                yield from self.follow(rest, element, base, scope)
        elif self.lax:
            yield from self.follow(rest, value, base, scope)
        elif not scope.lenient:
            raise _fail("22039", "jsonpath wildcard array accessor can only be applied to an array")

    def subscripts(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        """Each subscript (or range) in turn; ``last`` is the array's last index, in the subscripts
        and in the rest of the path. Lax mode clips ranges to the array; strict mode fails."""
        if not isinstance(value, list) and not self.lax:
            if not scope.lenient:
                raise _fail("22039", "jsonpath array accessor can only be applied to an array")
            return
        array = value if isinstance(value, list) else [value]
        inner = replace(scope, last=len(array) - 1)
        for low_node, high_node in accessor[1]:
            low = self.subscript(low_node, inner)
            high = low if high_node is None else self.subscript(high_node, inner)
            if not scope.lenient and not 0 <= low <= high < len(array):
                raise _fail("22033", "jsonpath array subscript is out of bounds")
            for index in range(max(low, 0), min(high, len(array) - 1) + 1):
                yield from self.follow(rest, array[index], base, inner)

    def subscript(self, node: tuple, scope: _Scope) -> int:
        """A subscript's value: one number, truncated toward zero to an integer."""
        found = [value for value, _ in self.items(node, scope)]
        if len(found) != 1 or kind(found[0]) != "number":
            raise _fail("22033", "jsonpath array subscript is not a single numeric value")
        index = int(found[0])
        if not -_INT4_MAX - 1 <= index <= _INT4_MAX:
            raise _fail("22033", "jsonpath array subscript is out of integer range")
        return index

    def any_level(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        """``.**``: the item itself (level 0) and the items below it, depth first, objects' members
        in storage order; lax mode's unwrapping still applies below, so an item can come twice."""
        first, last = accessor[1], accessor[2]
        below = replace(scope, lenient=True)
        if first == 0:
            yield from self.follow(rest, value, base, below)
        yield from self.descendants(value, 1, first, last, rest, base, below)

    def descendants(self, value, level: int, first, last, rest: tuple, base: _Base, scope: _Scope):
        """The members or elements of ``value`` at ``level`` and below, those in [first, last]
        handed on; ``{last}`` alone (both bounds unbounded) hands on the leaves only."""
        if level > last:
            return
        for child in _children(value):
            nested = isinstance(child, (dict, list))
            if level >= first or (first == last == _UNBOUNDED and not nested):
                yield from self.follow(rest, child, base, scope)
            if level < last and nested:
                yield from self.descendants(child, level + 1, first, last, rest, base, scope)

    def filtered(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        """``? (...)``: the item goes on when the predicate about it (as ``@``) is true."""
        if self.predicate(accessor[1], _Scope(scope.lenient, (value, base), scope.last)) is True:
            yield from self.follow(rest, value, base, scope)

    def method(self, accessor: tuple, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        name = accessor[1]
        if name == "keyvalue":
            yield from self.keyvalue(rest, value, base, scope)
            return
        if name == "size":
            if not isinstance(value, list) and not self.lax:
                if not scope.lenient:
                    raise _fail("22039", "jsonpath item method .size() can only be applied to an array")
                return
            result = len(value) if isinstance(value, list) else 1
        elif name == "type":
            result = kind(value)
        elif name == "double":
            result = _double(value)
        else:
            result = _rounded(name, value)
        yield from self.follow(rest, result, base, scope)

    def keyvalue(self, rest: tuple, value: JsonValue, base: _Base, scope: _Scope):
        """An object's members as ``{"key", "value", "id"}`` objects, in storage order; each made
        object is a base of its own, numbered in the order they are made."""
        if not isinstance(value, dict):
            raise _fail("2203C", "jsonpath item method .keyvalue() can only be applied to an object")
        object_id = base.object_id(value)
        for key in sorted(value, key=storage_order):
            pair = {"key": key, "value": value[key], "id": object_id}
            made = _Base(self.next_object, pair)
            self.next_object += 1
            yield from self.follow(rest, pair, made, scope)

    _ACCESSORS = {
        "member": member,
        "any_member": any_member,
        "any_element": any_element,
        "subscripts": subscripts,
        "any_level": any_level,
        "filter": filtered,
        "method": method,
    }

    # Predicates

    def predicate(self, node: tuple, scope: _Scope) -> bool | None:
        op = node[0]
        if op == "or_":
            left = self.predicate(node[1], scope)
            if left is True:
                return True
            right = self.predicate(node[2], scope)
            return True if right is True else (_UNKNOWN if _UNKNOWN in (left, right) else False)
        if op == "and_":
            left = self.predicate(node[1], scope)
            if left is False:
                return False
            right = self.predicate(node[2], scope)
            return False if right is False else (_UNKNOWN if _UNKNOWN in (left, right) else True)
        if op == "not_":
            inner = self.predicate(node[1], scope)
            return _UNKNOWN if inner is _UNKNOWN else not inner
        if op == "is_unknown":
            return self.predicate(node[1], scope) is _UNKNOWN
        try:
            if op == "exists":
                return self.exists(node[1], scope) if self.lax else bool(list(self.items(node[1], scope)))
            left = self.operand(node[1], scope)
            if op == "compare":
                rights = self.operand(node[3], scope)
                return self.verdict(_compare(node[2], a, b) for a in left for b in rights)
            if op == "like_regex":
                pattern = _regex(node[2], node[3])
                return self.verdict(bool(pattern.search(a)) if isinstance(a, str) else _UNKNOWN for a in left)
            prefixes = self.operand(node[2], scope, unwrap=False)
        except _ItemError:
            return _UNKNOWN
        return self.verdict(
            a.startswith(p) if isinstance(a, str) and isinstance(p, str) else _UNKNOWN for a in left for p in prefixes
        )

    def verdict(self, results) -> bool | None:
        """A predicate over every pair of its operands' items: lax mode is true at the first true
        pair, else unknown if any pair was; strict mode is unknown at the first unknown pair."""
        unknown = found = False
        for result in results:
            if result is True and self.lax:
                return True
            if result is _UNKNOWN and not self.lax:
                return _UNKNOWN
            unknown |= result is _UNKNOWN
            found |= result is True
        return True if found else (_UNKNOWN if unknown else False)


def _children(value: JsonValue) -> list:
    """An object's member values, in the order jsonb keeps its keys, or an array's elements; a
    scalar has none."""
    if isinstance(value, dict):
        return [value[key] for key in sorted(value, key=storage_order)]
    return value if isinstance(value, list) else []


def _unwraps(accessor: tuple) -> bool:
    """Whether lax mode applies ``accessor`` to an array's elements rather than to the array."""
    if accessor[0] == "method":
        return accessor[1] not in ("size", "type")
    return accessor[0] in ("member", "any_member", "filter")


def _single_number(values: list, operand: str) -> Decimal:
    """A binary operator's operand: exactly one number (22038 otherwise, an empty one too)."""
    if len(values) != 1 or kind(values[0]) != "number":
        raise _fail("22038", f"{operand} is not a single numeric value")
    return _numeric(values[0])


def _rounded(name: str, value: JsonValue) -> Decimal:
    """``.abs()`` (keeping the scale), ``.floor()`` and ``.ceiling()`` (scale 0) of a number."""
    if kind(value) != "number":
        raise _fail("22036", f"jsonpath item method .{name}() can only be applied to a numeric value")
    number = _numeric(value)
    if name == "abs":
        return number.copy_abs()
    return number.to_integral_value(ROUND_FLOOR if name == "floor" else ROUND_CEILING)


_FLOAT_TEXT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?)"
)
"""What PostgreSQL's float8 input (C's strtod) reads as a finite number: decimal or hexadecimal."""


def _double(value: JsonValue) -> JsonValue:
    """``.double()``: a number stays as it is if a double can hold it; a string spelling a double
    (surrounding white space allowed) becomes that double, as numeric prints it (15 digits)."""
    if kind(value) == "number":
        if _as_double(str(value)) is None:
            raise _fail(
                "22036", "numeric argument of jsonpath item method .double() is out of range for type double precision"
            )
        return value
    if isinstance(value, str):
        double = _as_double(value.strip(" \t\n\r\v\f"))
        if double is None:
            raise _fail(
                "22036",
                "string argument of jsonpath item method .double() is not a valid representation of a double "
                "precision number",
            )
        return _numeric(Decimal(format(double, ".15g")))
    raise _fail("22036", "jsonpath item method .double() can only be applied to a string or numeric value")


def _as_double(text: str) -> float | None:
    """The double ``text`` spells, or None when it is not one or is out of range (too large, or
    so small it rounds to zero)."""
    if not _FLOAT_TEXT.fullmatch(text):
        return None
    hexadecimal = "x" in text.lower()
    try:
        double = float.fromhex(text) if hexadecimal else float(text)
    except OverflowError:
        return None
    mantissa = re.split("[pP]" if hexadecimal else "[eE]", text)[0]
    if math.isinf(double) or (double == 0 and mantissa.strip("+-0.xX")):  # nonzero digits underflowed
        return None
    return double


def path_exists(document: JsonValue, text: str, variables: JsonValue) -> bool:
    """jsonb_path_exists: whether the path yields any item."""
    return _Evaluation(compile_path(text), document, variables).yields_any()


def path_query(document: JsonValue, text: str, variables: JsonValue) -> list[JsonValue]:
    """jsonb_path_query and jsonb_path_query_array: every item the path yields, in order (a
    predicate at the top yields its one truth value, None for unknown)."""
    return _Evaluation(compile_path(text), document, variables).results()


def path_query_first(document: JsonValue, text: str, variables: JsonValue) -> tuple[JsonValue, ...]:
    """jsonb_path_query_first: the path's first item, as a one-item tuple (empty when it yields
    none, which is SQL NULL; a JSON null item is ``(None,)``). PostgreSQL evaluates the whole
    path, so a later item's error is still an error."""
    return tuple(path_query(document, text, variables)[:1])


def path_match(document: JsonValue, text: str, variables: JsonValue) -> bool | None:
    """jsonb_path_match: the path's single boolean (None for SQL NULL)."""
    items = path_query(document, text, variables)
    if len(items) != 1 or not (items[0] is None or isinstance(items[0], bool)):
        raise DataError("[SQLSTATE 22038] single boolean result is expected", sqlstate="22038")
    return items[0]


@lru_cache(maxsize=256)
def _regex(pattern: str, flags: str | None) -> re.Pattern:
    options = 0
    for flag in flags or "":
        if flag not in "ismxq":
            raise ProgrammingError(
                f"[SQLSTATE 42601] invalid input syntax for type jsonpath: unrecognized flag "
                f'character "{flag}" in LIKE_REGEX predicate',
                sqlstate="42601",
            )
        options |= {"i": re.I, "s": re.S, "m": re.M, "x": re.X, "q": 0}[flag]
    return re.compile(re.escape(pattern) if "q" in (flags or "") else pattern, options)


def _compare(op: str, a: JsonValue, b: JsonValue) -> bool | None:
    """PostgreSQL's compareItems: null against a non-null is only unequal; other kinds differ: unknown."""
    ka, kb = kind(a), kind(b)
    if ka != kb:
        if "null" in (ka, kb):
            return op == "!="
        return _UNKNOWN
    if ka in ("array", "object"):
        return _UNKNOWN
    if ka == "string":
        a, b = a.encode("utf-8"), b.encode("utf-8")  # code point order, as PostgreSQL under UTF-8
    elif ka == "null":
        a = b = 0
    order = (a > b) - (a < b)
    return {"==": order == 0, "!=": order != 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[op]
