"""tsvector values: sorted lexemes, each with its positions and their weights.

Stored and sent as PostgreSQL's text form (``'fat':2 'rat':3A``), which every client reads;
functions parse it per row. Lexemes sort as PostgreSQL sorts them (by their UTF-8 bytes, a
prefix first), each keeps at most 256 positions, and weight D (the default) is not printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ....errors import DataError
from .config import MAX_POSITION, config_name, lexemes

WEIGHTS = "DCBA"
"""Weight letters by their code: D is 0 (the default), A is 3."""

MAX_POSITIONS_PER_LEXEME = 256


def sort_key(lexeme: str) -> bytes:
    return lexeme.encode("utf-8")


@dataclass
class TsVector:
    entries: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """lexeme -> sorted (position, weight code); an empty list for a lexeme without positions."""

    def lexemes(self) -> list[str]:
        return sorted(self.entries, key=sort_key)

    def __str__(self) -> str:
        out = []
        for lexeme in self.lexemes():
            text = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
            positions = self.entries[lexeme]
            if positions:
                text += ":" + ",".join(f"{p}{WEIGHTS[w] if w else ''}" for p, w in positions)
            out.append(text)
        return " ".join(out)


def _normalized(entries: dict[str, list[tuple[int, int]]]) -> TsVector:
    """Positions sorted, one weight per position (the greatest given), at most 256 per lexeme."""
    out = {}
    for lexeme, positions in entries.items():
        best: dict[int, int] = {}
        for position, weight in positions:
            best[position] = max(weight, best.get(position, 0))
        out[lexeme] = sorted(best.items())[:MAX_POSITIONS_PER_LEXEME]
    return TsVector(out)


def to_tsvector(config: str | None, text: str) -> TsVector:
    entries: dict[str, list[tuple[int, int]]] = {}
    for position, lexeme in lexemes(config_name(config), text):
        entries.setdefault(lexeme, []).append((position, 0))
    return _normalized(entries)


def _syntax_error(text: str) -> DataError:
    return DataError(f'syntax error in tsvector: "{text}"', sqlstate="42601")


def _read_word(text: str, i: int) -> tuple[str, int]:
    """A lexeme at ``i``: quoted (``''`` and backslash escape) or bare (backslash escapes)."""
    out = []
    if text[i] == "'":
        i += 1
        while True:
            if i >= len(text):
                raise _syntax_error(text)
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
            elif ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    out.append("'")
                    i += 2
                else:
                    return "".join(out), i + 1
            else:
                out.append(ch)
                i += 1
    while i < len(text) and not text[i].isspace() and text[i] != ":":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i


def parse_tsvector(text: str) -> TsVector:
    """``'a b'::tsvector``: lexemes as written (no normalization), ``word:1A,2`` positions."""
    entries: dict[str, list[tuple[int, int]]] = {}
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        word, i = _read_word(text, i)
        if not word:
            raise _syntax_error(text)
        positions = entries.setdefault(word, [])
        if i < n and text[i] == ":":
            i += 1
            while True:
                start = i
                while i < n and text[i].isdigit():
                    i += 1
                if start == i:
                    raise _syntax_error(text)
                position = int(text[start:i])
                if position == 0:
                    raise DataError("wrong position info in tsvector", sqlstate="22P02")
                weight = 0
                if i < n and text[i].upper() in ("A", "B", "C", "D"):
                    weight = WEIGHTS.index(text[i].upper())
                    i += 1
                positions.append((min(position, MAX_POSITION), weight))
                if i < n and text[i] == ",":
                    i += 1
                    continue
                break
    return _normalized(entries)


def setweight(vector: TsVector, weight: str, only: list[str] | None = None) -> TsVector:
    code = weight_code(weight)
    keep = None if only is None else set(only)
    return TsVector(
        {
            lexeme: [(p, code if keep is None or lexeme in keep else w) for p, w in positions]
            for lexeme, positions in vector.entries.items()
        }
    )


def weight_code(weight: str) -> int:
    letter = (weight or "").strip().upper()
    if len(letter) != 1 or letter not in WEIGHTS:
        raise DataError(f"unrecognized weight: {weight!r}".replace('"', "'"), sqlstate="22023")
    return WEIGHTS.index(letter)


def strip(vector: TsVector) -> TsVector:
    return TsVector({lexeme: [] for lexeme in vector.entries})


def concat(left: TsVector, right: TsVector) -> TsVector:
    """``a || b``: b's positions move past a's greatest position, as PostgreSQL shifts them."""
    shift = max((p for positions in left.entries.values() for p, _ in positions), default=0)
    entries = {lexeme: list(positions) for lexeme, positions in left.entries.items()}
    for lexeme, positions in right.entries.items():
        moved = [(min(p + shift, MAX_POSITION), w) for p, w in positions]
        if lexeme in entries and not (entries[lexeme] or moved):
            continue
        entries[lexeme] = entries.get(lexeme, []) + moved
    return _normalized(entries)


def length(vector: TsVector) -> int:
    return len(vector.entries)
