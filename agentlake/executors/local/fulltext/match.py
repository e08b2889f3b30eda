"""``tsvector @@ tsquery``: PostgreSQL's three-valued query execution, phrases by positions.

A lexeme without positions (a stripped vector) matches "maybe": true for ``&``, ``|`` and
``!``, false under a phrase operator, as in PostgreSQL. Phrase operators work on the match
positions of their operands: ``a <N> b`` holds where b starts N positions after a ends, and a
negated operand inside a phrase matches everywhere except its positions.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable

from .tsquery import AND, OR, PHRASE, Node, Not, Operand
from .tsvector import TsVector, sort_key

YES, NO, MAYBE = "yes", "no", "maybe"

Check = Callable[[Operand, bool], "tuple[str, list[int]]"]
"""An operand's result, with its sorted positions when asked for them."""


@dataclass
class _Positions:
    positions: list[int] = field(default_factory=list)
    width: int = 0
    negate: bool = False


def vector_check(vector: TsVector) -> Check:
    """The operand test against a tsvector (exact or prefix lexemes, weights, positions)."""
    keys = vector.lexemes()
    encoded = [sort_key(k) for k in keys]

    def entries(operand: Operand) -> list[str]:
        target = sort_key(operand.lexeme)
        start = bisect.bisect_left(encoded, target)
        if not operand.prefix:
            return [keys[start]] if start < len(keys) and encoded[start] == target else []
        end = start
        while end < len(keys) and encoded[end].startswith(target):
            end += 1
        return keys[start:end]

    def check(operand: Operand, want_positions: bool) -> tuple[str, list[int]]:
        result, found = NO, set()
        for lexeme in entries(operand):
            positions = vector.entries[lexeme]
            if not positions:
                if want_positions:
                    return MAYBE, []
                result = YES
                continue
            kept = [p for p, w in positions if not operand.weight or operand.weight & (1 << w)]
            if kept:
                result = YES
                found.update(kept)
        return result, sorted(found)

    return check


def execute(node: Node | None, check: Check) -> bool:
    """Whether the query matches; an empty query matches nothing."""
    return node is not None and evaluate(node, check) != NO


def evaluate(node: Node, check: Check) -> str:
    """Three-valued: yes, no, or maybe (a stripped lexeme under a weight or inside a phrase)."""
    if isinstance(node, Operand):
        return check(node, False)[0]
    if isinstance(node, Not):
        return {YES: NO, NO: YES, MAYBE: MAYBE}[evaluate(node.child, check)]
    if node.kind == PHRASE:
        result = _phrase(node, check, None)
        return NO if result == MAYBE else result
    left = evaluate(node.left, check)
    if node.kind == AND:
        if left == NO:
            return NO
        right = evaluate(node.right, check)
        return NO if right == NO else (left if right == YES else MAYBE)
    if left == YES:
        return YES
    right = evaluate(node.right, check)
    return left if right == NO else (YES if right == YES else MAYBE)


def _merge(
    out: _Positions | None,
    left: _Positions,
    right: _Positions,
    emit_left: bool,
    emit_both: bool,
    emit_right: bool,
    loffset: int,
    roffset: int,
) -> str:
    """PostgreSQL's TS_phrase_output: walk both position lists, keeping the kinds asked for."""
    result: list[int] = []
    i = j = 0
    lp, rp = left.positions, right.positions
    while i < len(lp) or j < len(rp):
        lpos = lp[i] + loffset if i < len(lp) else None
        rpos = rp[j] + roffset if j < len(rp) else None
        if rpos is None or (lpos is not None and lpos < rpos):
            if emit_left:
                result.append(lpos)
            i += 1
        elif lpos is None or rpos < lpos:
            if emit_right:
                result.append(rpos)
            j += 1
        else:
            if emit_both:
                result.append(rpos)
            i += 1
            j += 1
        if result and out is None:
            return YES
    if out is not None:
        out.positions = result
    return YES if result else NO


def _phrase(node: Node, check: Check, out: _Positions | None) -> str:
    if isinstance(node, Operand):
        result, positions = check(node, True)
        if out is not None and result == YES:
            out.positions = positions
        return result
    data = out if out is not None else _Positions()
    if isinstance(node, Not):
        result = _phrase(node.child, check, data)
        if result == NO:
            data.positions, data.negate = [], True
            return YES
        if result == YES:
            if data.positions:
                data.negate = not data.negate
                return YES
            if data.negate:
                data.negate = False
                return NO
        return result
    left, right = _Positions(), _Positions()
    lmatch = _phrase(node.left, check, left)
    if node.kind != OR and lmatch == NO:
        return NO
    rmatch = _phrase(node.right, check, right)
    if node.kind != OR:
        if rmatch == NO:
            return NO
        if MAYBE in (lmatch, rmatch):
            return MAYBE
        if node.kind == PHRASE:
            loffset, roffset = node.distance + right.width, 0
            data.width = node.distance + left.width + right.width
        else:
            data.width = max(left.width, right.width)
            loffset, roffset = data.width - left.width, data.width - right.width
        if left.negate and right.negate:
            _merge(data, left, right, True, True, True, loffset, roffset)
            data.negate = True
            return YES
        if left.negate:
            return _merge(out, left, right, False, False, True, loffset, roffset)
        if right.negate:
            return _merge(out, left, right, True, False, False, loffset, roffset)
        return _merge(out, left, right, False, True, False, loffset, roffset)
    if lmatch == NO and rmatch == NO:
        return NO
    if MAYBE in (lmatch, rmatch):
        return MAYBE
    if lmatch == NO:
        left = _Positions()
    if rmatch == NO:
        right = _Positions()
    data.width = max(left.width, right.width)
    loffset, roffset = data.width - left.width, data.width - right.width
    if left.negate and right.negate:
        _merge(data, left, right, False, True, False, loffset, roffset)
        data.negate = True
        return YES
    if left.negate:
        _merge(data, left, right, True, False, False, loffset, roffset)
        data.negate = True
        return YES
    if right.negate:
        _merge(data, left, right, False, False, True, loffset, roffset)
        data.negate = True
        return YES
    return _merge(out, left, right, True, True, True, loffset, roffset)
