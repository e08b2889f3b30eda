"""``to_char(number, template)``: numbers written by PostgreSQL's numeric template patterns.

Supported: digit positions ``9`` (a leading zero left blank) and ``0`` (printed, and so is every
position after it), the decimal point ``.``/``D``, the group separator ``,``/``G``, the fill mode
``FM`` (no padding, no trailing zeros of ``9`` positions), the signs ``S`` (before or after the
digits), ``MI`` (where it is written) and ``PR`` (``<12>``), ``V`` (shift by the digits after it),
``EEEE`` (scientific), ``TH``/``th`` (ordinal suffix), double-quoted text and any other character
as itself. A value with more integer digits than the template has positions prints ``#`` in each.
Without a sign pattern, a minus (or a blank) floats just before the first digit, as PostgreSQL
prints it. Numeric values round half away from zero; float ones as C's printf does (half to even
of the binary value). The locale patterns ``L``, ``RN``, ``PL`` and ``SG`` are refused.

``to_number(text, template)`` reads a number by the same patterns (:func:`read_number`): each
digit position takes a digit where the text has one, the decimal point and group separators are
passed over where the text has them, a sign is read where ``S``/``MI`` stand, before the first
digit, or as ``PR``'s angle brackets, and ``L`` passes over a currency symbol. Digits beyond the
template's positions are not read (``to_number('123', '9')`` is 1). ``EEEE`` is refused for input,
as in PostgreSQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..errors import DataError, NotSupportedError, ProgrammingError

_KEYWORDS = ("FM", "EEEE", "MI", "PR", "PL", "SG", "RN", "rn", "TH", "th", "S", "D", "G", "V", "L", "9", "0", ".", ",")
_UNSUPPORTED = {"PL", "SG", "RN", "rn", "L"}


def _syntax(message: str) -> ProgrammingError:
    return ProgrammingError(message, sqlstate="42601")


@dataclass
class _Template:
    tokens: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    fill: bool = False
    pre: int = 0
    post: int = 0
    shift: int = 0
    point: bool = False
    scientific: bool = False
    zero_from: int | None = None  # the index, among integer positions, of the first 0
    sign: str | None = None  # "S", "MI" or "PR"; None: the floating minus
    sign_leads: bool = False  # S written before the first digit


def _parse(template: str, reading: bool = False) -> _Template:
    parsed = _Template()
    i = 0
    while i < len(template):
        if template[i] == '"':
            end = template.find('"', i + 1)
            end = len(template) if end < 0 else end
            parsed.tokens.append(("text", template[i + 1 : end]))
            i = end + 1
            continue
        word = next((k for k in _KEYWORDS if template.startswith(k, i)), None)
        if word is None:
            parsed.tokens.append(("text", template[i]))
            i += 1
            continue
        i += len(word)
        if reading and word in ("L", "EEEE"):
            if word == "EEEE":
                raise NotSupportedError('"EEEE" not supported for input')
            parsed.tokens.append(("currency", word))
            continue
        _take(parsed, word)
    if parsed.scientific and (parsed.pre + parsed.post == 0 or parsed.fill or parsed.shift or parsed.sign):
        raise _syntax('"EEEE" is incompatible with other formats')
    return parsed


def _take(parsed: _Template, word: str) -> None:
    if word in _UNSUPPORTED:
        raise NotSupportedError(f'to_char of a number with the "{word}" pattern is not supported')
    if word == "FM":
        parsed.fill = True
        return
    if word in ("9", "0", ".", "D") and parsed.sign == "PR":
        raise _syntax(f'"{word}" must be ahead of "PR"')
    if word in ("9", "0"):
        if parsed.point:
            parsed.post += 1
        else:
            if word == "0" and parsed.zero_from is None:
                parsed.zero_from = parsed.pre
            parsed.pre += 1
            if parsed.shift or any(kind == "V" for kind, _ in parsed.tokens):
                parsed.shift += 1
        parsed.tokens.append(("digit", word))
        return
    if word in (".", "D"):
        if parsed.point:
            raise _syntax("multiple decimal points")
        if any(kind == "V" for kind, _ in parsed.tokens):
            raise _syntax('cannot use "V" and decimal point together')
        parsed.point = True
        parsed.tokens.append(("point", "."))
        return
    if word in ("S", "MI", "PR"):
        if parsed.sign is not None:
            raise _syntax(
                f'cannot use "{word}" twice'
                if word == parsed.sign
                else f'cannot use "{word}" and "{parsed.sign}" together'
            )
        parsed.sign = word
        parsed.sign_leads = word == "S" and parsed.pre + parsed.post == 0
        parsed.tokens.append(("sign", word))
        return
    if word == "V":
        if parsed.point:
            raise _syntax('cannot use "V" and decimal point together')
        parsed.tokens.append(("V", ""))
        return
    if word == "EEEE":
        parsed.scientific = True
        return
    if word in ("TH", "th") and not parsed.pre:
        parsed.tokens.append(("text", word))  # an ordinal suffix only follows digits
        return
    parsed.tokens.append({"G": ("group", ","), ",": ("group", ",")}.get(word, (word, word)))


def _digits(value: Decimal | float | int, parsed: _Template) -> tuple[bool, str, str]:
    """Whether the rounded value is negative, its integer digits ("0" for zero) and its
    ``post`` fractional digits."""
    if isinstance(value, float):
        text = f"{value * 10**parsed.shift:.{parsed.post}f}"
    else:
        shifted = Decimal(value).scaleb(parsed.shift)
        text = f"{shifted.quantize(Decimal(1).scaleb(-parsed.post), rounding=ROUND_HALF_UP):f}"
    whole, _, fraction = text.lstrip("-").partition(".")
    # printf keeps the minus of a float that rounds to zero (-0.05 is "-0"); a numeric's is dropped
    negative = text.startswith("-") and (isinstance(value, float) or bool((whole + fraction).strip("0")))
    return negative, whole, fraction


def _ordinal(number: str, upper: bool) -> str:
    value = int(number)
    suffix = "th" if value % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return suffix.upper() if upper else suffix


def _scientific(value: Decimal | float | int, parsed: _Template) -> str:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    exponent = 0 if number == 0 else number.adjusted()
    # rounded after the exponent is chosen: 9.996 is 10.00e+00, as PostgreSQL writes it
    mantissa = number.scaleb(-exponent).quantize(Decimal(1).scaleb(-parsed.post), rounding=ROUND_HALF_UP)
    sign = "-" if mantissa < 0 else " "
    return f"{sign}{abs(mantissa):f}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def format_number(value: Decimal | float | int, template: str) -> str:
    """``value`` written by ``template`` as PostgreSQL's ``to_char`` writes it."""
    parsed = _parse(template)
    if isinstance(value, float) and not math.isfinite(value):
        value = Decimal("Infinity") if value > 0 else Decimal("-Infinity")
    if isinstance(value, Decimal) and not value.is_finite():
        return _overflowed(parsed, negative=value < 0)
    if parsed.scientific:
        return _scientific(value, parsed)
    negative, whole, fraction = _digits(value, parsed)
    if len(whole) > parsed.pre:
        return _overflowed(parsed, negative)
    keep = len(fraction.rstrip("0")) if parsed.fill else parsed.post
    forced = [i for i, (kind, text) in enumerate(_fraction_tokens(parsed)) if text == "0"]
    keep = max([keep, *(i + 1 for i in forced)])
    if whole == "0" and parsed.point and (keep or not parsed.fill):
        whole = ""  # 0.5 is ".5" where the template has a point; in fill mode 0 is "0." all the same
    return _written(parsed, negative, whole, fraction[:keep])


def _fraction_tokens(parsed: _Template) -> list[tuple[str, str]]:
    tokens = [t for t in parsed.tokens if t[0] in ("digit", "point")]
    point = next((i for i, t in enumerate(tokens) if t[0] == "point"), len(tokens))
    return tokens[point + 1 :]


def _written(parsed: _Template, negative: bool, whole: str, fraction: str) -> str:
    out: list[str] = []
    blank = "" if parsed.fill else " "
    floating = {None: "-" if negative else blank, "PR": "<" if negative else blank}.get(parsed.sign)
    if parsed.sign == "S" and parsed.sign_leads:
        floating = "-" if negative else "+"
    started = False
    position = 0  # integer positions seen
    fraction_index = 0

    def start() -> None:
        nonlocal started
        if not started and floating is not None:
            out.append(floating)
        started = True

    for kind, text in parsed.tokens:
        if kind == "digit" and position < parsed.pre:
            from_right = parsed.pre - 1 - position
            forced = parsed.zero_from is not None and position >= parsed.zero_from
            position += 1
            if from_right < len(whole):
                start()
                out.append(whole[len(whole) - 1 - from_right])
            elif forced:
                start()
                out.append("0")
            else:
                out.append(blank)
        elif kind == "digit":
            if fraction_index < len(fraction):
                out.append(fraction[fraction_index])
            fraction_index += 1
        elif kind == "point" and parsed.post:  # a point with no digit positions after it is not written
            start()
            out.append(".")
        elif kind == "group":
            out.append("," if started else blank)
        elif kind == "sign":
            out.append(_sign_text(parsed, text, negative, blank))
        elif kind in ("TH", "th"):
            ordinal = not (negative or parsed.point or "#" in whole)  # of a whole, non-negative number
            out.append(_ordinal(whole or "0", kind == "TH") if ordinal else "")
        elif kind == "text":
            out.append(text)
    if not started and parsed.pre + parsed.post:
        start()
    return "".join(out)


def _sign_text(parsed: _Template, word: str, negative: bool, blank: str) -> str:
    if word == "S":
        return "" if parsed.sign_leads else "-" if negative else "+"
    if word == "MI":
        return "-" if negative else blank
    return ">" if negative else blank  # PR's closing; its "<" floats before the digits


def _overflowed(parsed: _Template, negative: bool) -> str:
    """Every digit position as ``#``, as PostgreSQL prints a value too wide for the template."""
    return _written(parsed, negative, "#" * parsed.pre, "#" * parsed.post)


def read_number(text: str, template: str) -> Decimal:
    """``text`` read by ``template`` as PostgreSQL's ``to_number`` reads it (see the module)."""
    parsed = _parse(template, reading=True)
    negative, at = False, 0
    if parsed.sign == "PR" and text.strip().startswith("<") and text.strip().endswith(">"):
        text, negative = text.strip()[1:-1], True
    whole, fraction, in_fraction = "", "", False

    def ahead(characters: str) -> bool:
        return at < len(text) and text[at] in characters

    for kind, word in parsed.tokens:
        if kind == "digit":
            if not (whole or fraction):  # blanks, and a sign no pattern places, before the first digit
                while ahead(" "):
                    at += 1
                if parsed.sign is None and ahead("+-"):
                    negative, at = text[at] == "-", at + 1
            if ahead("0123456789"):
                if in_fraction:
                    fraction += text[at]
                else:
                    whole += text[at]
                at += 1
        elif kind == "point":
            in_fraction = True
            at += ahead(".")
        elif kind == "group":
            at += ahead(",")
        elif kind == "sign" and word in ("S", "MI"):
            while ahead(" ") and word == "S" and not (whole or fraction):
                at += 1
            if ahead("+-"):
                negative, at = text[at] == "-", at + 1
        elif kind == "currency":
            while ahead(" "):
                at += 1
            at += at < len(text) and not text[at].isdigit() and text[at] not in "+-.,"
        elif kind == "text":
            at += len(word)
    if not (whole or fraction):
        raise DataError('invalid input syntax for type numeric: " "', sqlstate="22P02")
    number = Decimal(f"{whole or '0'}.{fraction}" if fraction else whole)
    return -number if negative else number
