"""tsquery values: a tree of lexemes under ``!``, ``<N>`` (phrase), ``&`` and ``|``.

Parsed from PostgreSQL's query syntax (``'a & (b | !c) <-> d:*A'``) for ``::tsquery``, which
takes lexemes as written, and for to_tsquery, which sends each operand through a configuration;
plainto_, phraseto_ and websearch_to_tsquery build the tree from plain text. Operands that were
stop words are placeholders removed afterwards, widening the phrase distances around them as
PostgreSQL's cleanup does (``'fat <-> the <-> rat'`` is ``'fat' <2> 'rat'``). Printed with
PostgreSQL's spacing and the fewest parentheses its operator priorities need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Union

from ....errors import DataError
from .config import config_name, lexemes

AND, OR, PHRASE = "&", "|", "<->"
_PRIORITY = {OR: 1, AND: 2, PHRASE: 3}
_NOT_PRIORITY = 4
_WEIGHT_BITS = {"A": 8, "B": 4, "C": 2, "D": 1}
_SPECIAL = set("!&|()<:")


@dataclass(frozen=True)
class Operand:
    lexeme: str
    weight: int = 0  # bits: A 8, B 4, C 2, D 1; 0 is any weight
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class Op:
    kind: str
    left: "Node"
    right: "Node"
    distance: int = 1  # phrase operators only


@dataclass(frozen=True)
class _Stop:
    """A stop word's place in a query being built; removed before the query is used."""


Node = Union[Operand, Not, Op]


def _syntax_error(text: str) -> DataError:
    return DataError(f'syntax error in tsquery: "{text}"', sqlstate="42601")


# --- output -------------------------------------------------------------------------------


def _operand_text(node: Operand) -> str:
    text = "'" + node.lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
    if node.prefix or node.weight:
        text += ":" + ("*" if node.prefix else "") + "".join(c for c, bit in _WEIGHT_BITS.items() if node.weight & bit)
    return text


def _infix(node: Node, parent: int, right_of_phrase: bool) -> str:
    if isinstance(node, Operand):
        return _operand_text(node)
    if isinstance(node, Not):
        return "!" + _infix(node.child, _NOT_PRIORITY, False)
    priority = _PRIORITY[node.kind]
    operator = node.kind if node.kind != PHRASE or node.distance == 1 else f"<{node.distance}>"
    text = f"{_infix(node.left, priority, False)} {operator} {_infix(node.right, priority, node.kind == PHRASE)}"
    if priority < parent or (node.kind == PHRASE and right_of_phrase):
        return f"( {text} )"
    return text


def format_query(node: Node | None) -> str:
    return "" if node is None else _infix(node, -1, False)


# --- the query syntax ---------------------------------------------------------------------


def _read_operand(text: str, i: int) -> tuple[str, int]:
    out = []
    if text[i] == "'":
        i += 1
        while True:
            if i >= len(text):
                raise _syntax_error(text)
            if text[i] == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif text[i] == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    out.append("'")
                    i += 2
                else:
                    return "".join(out), i + 1
            else:
                out.append(text[i])
                i += 1
    while i < len(text) and not text[i].isspace() and text[i] not in _SPECIAL:
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i


def _read_modifiers(text: str, i: int) -> tuple[int, bool, int]:
    """``:*AB`` after an operand: (weight bits, prefix, next index)."""
    weight, prefix = 0, False
    if i < len(text) and text[i] == ":":
        i += 1
        while i < len(text):
            ch = text[i].upper()
            if ch == "*":
                prefix = True
            elif ch in _WEIGHT_BITS:
                weight |= _WEIGHT_BITS[ch]
            else:
                break
            i += 1
    return weight, prefix, i


def _standard_tokens(text: str) -> Iterator[tuple]:
    """("val", word, weight, prefix) | ("op", kind, distance) | ("not",) | ("(",) | (")",)."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            yield (ch,)
            i += 1
        elif ch == "!":
            yield ("not",)
            i += 1
        elif ch in "&|":
            yield ("op", AND if ch == "&" else OR, 0)
            i += 1
        elif ch == "<":
            end = text.find(">", i)
            inner = text[i + 1 : end] if end > 0 else ""
            if inner == "-":
                yield ("op", PHRASE, 1)
            elif inner.strip().isdigit() and int(inner) <= 16384:
                yield ("op", PHRASE, int(inner))
            else:
                raise _syntax_error(text)
            i = end + 1
        elif ch == ":":
            raise _syntax_error(text)
        else:
            word, i = _read_operand(text, i)
            if not word:
                raise _syntax_error(text)
            weight, prefix, i = _read_modifiers(text, i)
            yield ("val", word, weight, prefix)


class _Builder:
    """Operator-precedence parsing of a token stream into a tree (``!`` > ``<->`` > ``&`` > ``|``)."""

    def __init__(self, items: list, text: str, operand) -> None:
        self.items, self.text, self.operand, self.at = items, text, operand, 0

    def parse(self):
        if not self.items:
            return None
        node = self._expression(1)
        if self.at != len(self.items):
            raise _syntax_error(self.text)
        return node

    def _peek(self):
        return self.items[self.at] if self.at < len(self.items) else None

    def _expression(self, minimum: int):
        left = self._unary()
        while (item := self._peek()) is not None and item[0] == "op" and _PRIORITY[item[1]] >= minimum:
            self.at += 1
            right = self._expression(_PRIORITY[item[1]] + 1)
            left = Op(item[1], left, right, max(item[2], 1) if item[1] == PHRASE else 1)
        return left

    def _unary(self):
        item = self._peek()
        if item is None:
            raise _syntax_error(self.text)
        self.at += 1
        if item[0] == "not":
            return Not(self._unary())
        if item[0] == "(":
            node = self._expression(1)
            if self._peek() != (")",):
                raise _syntax_error(self.text)
            self.at += 1
            return node
        if item[0] == "val":
            return self.operand(item)
        raise _syntax_error(self.text)


def parse_tsquery(text: str) -> Node | None:
    """``'...'::tsquery``: operands are lexemes as written."""
    return _Builder(list(_standard_tokens(text)), text, lambda item: Operand(item[1], item[2], item[3])).parse()


# --- building queries from text ------------------------------------------------------------


def _morph(config: str, text: str, weight: int, prefix: bool, joiner: str):
    """An operand's text through the configuration: its lexemes joined by ``joiner`` in position
    order, stop words between them kept as placeholders (PostgreSQL's pushval_morph)."""
    words = lexemes(config, text)
    if not words:
        return _Stop()
    node, last = None, 0
    for position, lexeme in words:
        operand = Operand(lexeme, weight, prefix)
        if node is None:
            node = operand
        elif position == last:  # variants at one position (not made by these dictionaries)
            node = Op(OR, node, operand)
        else:
            for _ in range(position - last - 1):
                node = Op(joiner, node, _Stop())
            node = Op(joiner, node, operand)
        last = position
    return node


def _clean(node) -> tuple[Node | None, int, int]:
    """Remove stop-word placeholders: (node or None, distance to add on its left, on its right)."""
    if isinstance(node, _Stop):
        return None, 0, 0
    if isinstance(node, Operand):
        return node, 0, 0
    if isinstance(node, Not):
        child, ladd, radd = _clean(node.child)
        return (None, ladd, radd) if child is None else (Not(child), ladd, radd)
    left, lladd, lradd = _clean(node.left)
    right, rladd, rradd = _clean(node.right)
    phrase = node.kind == PHRASE
    distance = node.distance if phrase else 0
    if left is None and right is None:
        total = lladd + distance + rladd if phrase else 0
        return None, total, total
    if left is None:
        return right, (lladd + distance + rladd if phrase else rladd), rradd
    if right is None:
        return left, lladd, (lradd + distance + rradd if phrase else lradd)
    if phrase:
        return Op(PHRASE, left, right, distance + lradd + rladd), lladd, rradd
    return Op(node.kind, left, right), 0, 0


def _finish(node) -> Node | None:
    return None if node is None else _clean(node)[0]


def to_tsquery(config: str | None, text: str) -> Node | None:
    name = config_name(config)
    return _finish(
        _Builder(
            list(_standard_tokens(text)), text, lambda item: _morph(name, item[1], item[2], item[3], PHRASE)
        ).parse()
    )


def plainto_tsquery(config: str | None, text: str) -> Node | None:
    return _finish(_morph(config_name(config), text, 0, False, AND))


def phraseto_tsquery(config: str | None, text: str) -> Node | None:
    return _finish(_morph(config_name(config), text, 0, False, PHRASE))


def _or_operator(text: str, i: int) -> bool:
    """``or`` between operands (not part of a word, something after it)."""
    if text[i : i + 2].lower() != "or":
        return False
    j = i + 2
    if j >= len(text) or text[j] in "-_" or text[j].isalnum():
        return False
    return bool(text[j:].strip())


def _web_tokens(text: str) -> Iterator[tuple]:
    """websearch syntax as PostgreSQL's state machine reads it: words and "quoted phrases" joined by
    an implicit AND, ``or`` as OR, ``-`` before an operand as NOT, other operator characters skipped."""
    last = None
    for item in _web_items(text):
        last = item
        yield item
    if last is not None and last[0] in ("op", "not"):
        yield ("val", "", 0, False)  # an operator with nothing after it: PostgreSQL's stop placeholder


def _web_items(text: str) -> Iterator[tuple]:
    i, n = 0, len(text)
    waiting_operand = True
    while i < n:
        ch = text[i]
        if waiting_operand:
            if ch == "-":
                yield ("not",)
                i += 1
            elif ch == '"':
                end = text.find('"', i + 1)
                end = n if end < 0 else end
                yield ("val", text[i + 1 : end], 0, False)
                i = end + 1
                waiting_operand = False
            elif ch in "!&|()<" or ch.isspace():
                i += 1
            else:
                j = i
                while j < n and not text[j].isspace() and text[j] not in '!&|()<"':
                    j += 1
                yield ("val", text[i:j], 0, False)
                i = j
                waiting_operand = False
        else:
            if ch == '"':
                yield ("op", AND, 0)
                waiting_operand = True
            elif _or_operator(text, i):
                yield ("op", OR, 0)
                i += 2
                waiting_operand = True
            elif not ch.isspace():
                yield ("op", AND, 0)
                waiting_operand = True
            else:
                i += 1


def websearch_to_tsquery(config: str | None, text: str) -> Node | None:
    name = config_name(config)
    return _finish(
        _Builder(list(_web_tokens(text)), text, lambda item: _morph(name, item[1], item[2], item[3], PHRASE)).parse()
    )


# --- functions over queries --------------------------------------------------------------


def numnode(node: Node | None) -> int:
    if node is None:
        return 0
    if isinstance(node, Operand):
        return 1
    if isinstance(node, Not):
        return 1 + numnode(node.child)
    return 1 + numnode(node.left) + numnode(node.right)


def _without_not(node: Node) -> Node | None:
    if isinstance(node, Operand):
        return node
    if isinstance(node, Not):
        return None
    left, right = _without_not(node.left), _without_not(node.right)
    if left is None or right is None:
        return left or right
    return Op(node.kind, left, right, node.distance)


def querytree(node: Node | None) -> str:
    """The part of a query an index can search: its negations removed ('T' when nothing is left)."""
    if node is None:
        return ""
    kept = _without_not(node)
    return "T" if kept is None else format_query(kept)


def combine(kind: str, left: Node | None, right: Node | None, distance: int = 1) -> Node | None:
    """``a && b``, ``a || b``, ``a <-> b``: an empty side gives the other."""
    if left is None or right is None:
        return left or right
    return Op(kind, left, right, distance if kind == PHRASE else 1)


def operands(node: Node | None) -> list[Operand]:
    """Every operand, in the order PostgreSQL stores them (operator, right, left)."""
    if node is None:
        return []
    if isinstance(node, Operand):
        return [node]
    if isinstance(node, Not):
        return operands(node.child)
    return operands(node.right) + operands(node.left)
