"""ts_rank and ts_rank_cd, computed as PostgreSQL computes them so scores compare across engines.

ts_rank weighs how often and how close the query's lexemes occur; ts_rank_cd (cover density)
scores the shortest spans of the document that satisfy the whole query. Weights are
``{D, C, B, A}`` (default ``{0.1, 0.2, 0.4, 1.0}``); ``normalization`` is PostgreSQL's bit mask
(1: divide by 1 + log of the length, 2: by the length, 4: by the mean distance between covers
(ts_rank_cd only), 8: by the number of unique lexemes, 16: by 1 + log of it, 32: rank/(rank+1)).
Values PostgreSQL keeps in single precision are rounded to it (``_f``) where it stores them.
"""

from __future__ import annotations

import math

import numpy as np

from ....errors import DataError
from .match import NO, YES, evaluate
from .tsquery import AND, PHRASE, Node, Op, Operand, operands
from .tsvector import TsVector, sort_key

DEFAULT_WEIGHTS = (0.1, 0.2, 0.4, 1.0)
_NO_POSITION = 16382  # where PostgreSQL puts a lexeme without positions in ts_rank


def _f(value: float) -> float:
    """``value`` stored in a C float, as PostgreSQL's float4 variables hold it."""
    return float(np.float32(value))


_DEFAULT = tuple(_f(w) for w in DEFAULT_WEIGHTS)


def weights_from(array: list | None) -> tuple[float, ...]:
    """A weights argument checked as PostgreSQL checks it; negative entries take the default."""
    if array is None:
        return _DEFAULT
    if len(array) < 4:
        raise DataError("array of weight is too short", sqlstate="2202E")
    if any(v is None for v in array):
        raise DataError("array of weight must not contain nulls", sqlstate="22004")
    out = tuple(_f(v) if v >= 0 else _DEFAULT[i] for i, v in enumerate(array[:4]))
    if any(v > 1.0 for v in out):
        raise DataError("weight out of range", sqlstate="22023")
    return out


def _entries(vector: TsVector, operand: Operand) -> list[str]:
    target = sort_key(operand.lexeme)
    keys = vector.lexemes()
    if operand.prefix:
        return [k for k in keys if sort_key(k).startswith(target)]
    return [k for k in keys if sort_key(k) == target]


def _unique_operands(query: Node) -> list[Operand]:
    """Operands sorted by lexeme with repeated lexemes once (PostgreSQL's SortAndUniqItems)."""
    seen: dict[bytes, Operand] = {}
    for operand in operands(query):
        seen.setdefault(sort_key(operand.lexeme), operand)
    return [seen[k] for k in sorted(seen)]


def _word_distance(distance: int) -> float:
    if distance > 100:
        return 1e-30
    return _f(1.0 / (1.005 + 0.05 * math.exp(distance / 1.5 - 2)))


def _length(vector: TsVector) -> int:
    return sum(len(p) or 1 for p in vector.entries.values())


def _rank_or(weights, vector: TsVector, query: Node) -> float:
    items = _unique_operands(query)
    res = 0.0
    for operand in items:
        for lexeme in _entries(vector, operand):
            positions = vector.entries[lexeme] or [(0, 0)]
            resj, wjm, jm = 0.0, -1.0, 0
            for j, (_, weight) in enumerate(positions):
                w = weights[weight]
                resj = _f(resj + _f(w / ((j + 1) * (j + 1))))
                if w > wjm:
                    wjm, jm = w, j
            res = _f(res + _f(wjm + resj - _f(wjm / ((jm + 1) * (jm + 1)))) / 1.64493406685)
    if items:
        res = _f(res / len(items))
    return res


def _rank_and(weights, vector: TsVector, query: Node) -> float:
    items = _unique_operands(query)
    if len(items) < 2:
        return _rank_or(weights, vector, query)
    found: list[list[tuple[int, int]] | None] = [None] * len(items)
    stripped = [False] * len(items)
    res = -1.0
    for i, operand in enumerate(items):
        for lexeme in _entries(vector, operand):
            positions = vector.entries[lexeme]
            stripped[i] = not positions
            found[i] = positions or [(_NO_POSITION, 0)]
            for k in range(i):
                if found[k] is None:
                    continue
                for position, weight in found[i]:
                    for other, other_weight in found[k]:
                        distance = abs(position - other)
                        if distance or stripped[i] or stripped[k]:
                            distance = distance or 16383
                            product = _f(_f(weights[weight] * weights[other_weight]) * _word_distance(distance))
                            current = _f(math.sqrt(product))
                            res = current if res < 0 else _f(1.0 - (1.0 - res) * (1.0 - current))
    return res


def ts_rank(vector: TsVector, query: Node | None, weights=_DEFAULT, method: int = 0) -> float:
    if not vector.entries or query is None:
        return 0.0
    use_and = isinstance(query, Op) and query.kind in (AND, PHRASE)
    res = _rank_and(weights, vector, query) if use_and else _rank_or(weights, vector, query)
    if res < 0:
        res = _f(1e-20)
    if method & 1:
        res = _f(res / (math.log(_length(vector) + 1) / math.log(2.0)))
    if method & 2:
        res = _f(res / _length(vector))
    if method & 8:
        res = _f(res / len(vector.entries))
    if method & 16:
        res = _f(res / (math.log(len(vector.entries) + 1) / math.log(2.0)))
    if method & 32:
        res = _f(res / (res + 1))
    return res


def _doc_representation(vector: TsVector, query: Node) -> list[tuple[int, int, str, list[Operand]]]:
    """(position, weight, lexeme, operands) of every query lexeme's occurrence, in position order."""
    found: dict[tuple[int, str], tuple[int, list[Operand]]] = {}
    for operand in operands(query):
        for lexeme in _entries(vector, operand):
            for position, weight in vector.entries[lexeme]:  # lexemes without positions take no part
                if not operand.weight or operand.weight & (1 << weight):
                    found.setdefault((position, lexeme), (weight, []))[1].append(operand)
    ordered = sorted(found, key=lambda key: (key[0], sort_key(key[1])))
    return [
        (position, found[(position, lexeme)][0], lexeme, found[(position, lexeme)][1]) for position, lexeme in ordered
    ]


def _satisfies(query: Node, seen: dict[Operand, list[int]]) -> bool:
    def check(operand: Operand, want_positions: bool):
        positions = seen.get(operand)
        return (NO, []) if positions is None else (YES, sorted(positions))

    return evaluate(query, check) != NO


def _covers(doc: list, query: Node):
    """The covers PostgreSQL's Cover() finds: (first index, last index, first position, last position)."""
    start = 0
    while start < len(doc):
        seen: dict[Operand, set[int]] = {}
        end = None
        for index in range(start, len(doc)):
            for operand in doc[index][3]:
                seen.setdefault(operand, set()).add(doc[index][0])
            if _satisfies(query, {k: list(v) for k, v in seen.items()}):
                end = index
                break
        if end is None:
            return
        seen, begin = {}, None
        for index in range(end, start - 1, -1):
            for operand in doc[index][3]:
                seen.setdefault(operand, set()).add(doc[index][0])
            if _satisfies(query, {k: list(v) for k, v in seen.items()}):
                begin = index
                break
        if begin is not None and doc[begin][0] <= doc[end][0]:
            yield begin, end, doc[begin][0], doc[end][0]
            start = begin + 1
        else:
            start += 1


def ts_rank_cd(vector: TsVector, query: Node | None, weights=_DEFAULT, method: int = 0) -> float:
    if query is None:
        return 0.0
    inverse = [1.0 / _f(w) for w in weights]
    doc = _doc_representation(vector, query)
    if not doc:
        return 0.0
    wdoc, sum_dist, previous, extents = 0.0, 0.0, 0.0, 0
    for begin, end, p, q in _covers(doc, query):
        inverse_sum = sum(inverse[doc[i][1]] for i in range(begin, end + 1))
        cpos = (end - begin + 1) / inverse_sum
        noise = (q - p) - (end - begin)
        if noise < 0:
            noise = (end - begin) // 2
        wdoc += cpos / (1 + noise)
        current = (q + p) / 2.0
        if extents > 0 and current > previous:
            sum_dist += 1.0 / (current - previous)
        previous = current
        extents += 1
    if method & 1 and vector.entries:
        wdoc /= math.log(_length(vector) + 1)
    if method & 2:
        length = _length(vector)
        if length > 0:
            wdoc /= length
    if method & 4 and extents > 0 and sum_dist > 0:
        wdoc /= extents / sum_dist
    if method & 8 and vector.entries:
        wdoc /= len(vector.entries)
    if method & 16 and vector.entries:
        wdoc /= math.log(len(vector.entries) + 1) / math.log(2.0)
    if method & 32:
        wdoc /= wdoc + 1
    return _f(wdoc)
