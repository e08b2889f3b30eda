"""Integer + - * and negation with PostgreSQL's types and overflow errors; / and %, greatest,
least, coalesce and nullif in PostgreSQL's types; ``to_hex`` of an int4 in its 32 bits; ``sum`` of
bigints a numeric.

DataFusion's integer arithmetic wraps: ``UPDATE t SET n = n + 1`` on a bigint at its maximum stored
-9223372036854775808, silently, and ``int4 + 1`` was computed as int8. PostgreSQL computes
int2/int4/int8 arithmetic in the wider operand's type (a literal that fits is int4) and fails with
22003 ``integer out of range`` (``smallint``/``bigint``). Where both operands are known integers (a
column the catalog types, an integer literal, or such an expression), the operation becomes
``int4_add(a, b)`` and its kin, checked UDFs of that width; between two constants it is computed
here instead (``l_quantity <= 1 + 10`` compares with ``CAST(11 AS INT)``), as PostgreSQL folds
constants when it plans: a function call on every batch would also hide the bound from the
scan's statistics.

Division, modulo, bitwise operators, shifts, ``abs`` and the calls choosing one of their
arguments need no check; their operands are given the width PostgreSQL computes in (``i / 2`` of
an int4 is int4: DataFusion read the constant as int8 and widened the result). So are the integer
constants of array calls beside an integer[] (``array_append(xs, 3)`` is an integer[]), and an
element of one (``xs[1]``) is of its width.
"""

from __future__ import annotations

import pyarrow as pa
from sqlglot import exp

from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME, pg_name

OPERATIONS = {exp.Add: "add", exp.Sub: "sub", exp.Mul: "mul"}
WIDTHS = {16: ("int2", "SMALLINT"), 32: ("int4", "INT"), 64: ("int8", "BIGINT")}
RANGE_NAMES = {16: "smallint", 32: "integer", 64: "bigint"}
"""What PostgreSQL's 22003 calls each width: ``integer out of range``."""
_CAST_WIDTHS = {exp.DataType.Type.SMALLINT: 16, exp.DataType.Type.INT: 32, exp.DataType.Type.BIGINT: 64}


def checked_function(width: int, operation: str) -> str:
    """The name of the checked UDF for an operation at a width (``int4_add``)."""
    return f"{WIDTHS[width][0]}_{operation}"


CHECKED_FUNCTIONS = frozenset(checked_function(w, op) for w in WIDTHS for op in OPERATIONS.values())
"""Every checked UDF's name: each is NULL when an operand is, as the operator it stands for."""


def integer_arithmetic(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, integer + - * into checked functions, and give / and % operands of the
    width PostgreSQL computes them in; True when any was."""
    nodes = list(
        tree.find_all(
            *OPERATIONS, *_DIVISIONS, *_BITWISE, *_SHIFTS, *_CHOICES, *_ARRAY_CALLS, exp.Neg, exp.Hex, exp.Sum, exp.Abs
        )
    )
    if not nodes:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for node in reversed(nodes):  # the deepest first, so an outer operation sees its rewritten operands
        if isinstance(node, _CHOICES):
            changed = _same_width(node, fields) or changed
            continue
        if isinstance(node, exp.Neg):
            changed = _checked_negation(node, fields) or changed
            continue
        if isinstance(node, exp.Hex):
            changed = _hex_of_int4(node, fields) or changed
            continue
        if isinstance(node, exp.Sum):
            changed = _numeric_sum_of_int8(node, fields) or changed
            continue
        if isinstance(node, (exp.Abs, *_SHIFTS)):
            changed = _kept_width(node, fields) or changed
            continue
        if isinstance(node, _ARRAY_CALLS):
            changed = _array_elements_width(node, fields) or changed
            continue
        changed = _typed_text_operand(node, fields) or changed
        left, right = _width(node.this, fields), _width(node.expression, fields)
        if left is None or right is None:
            continue
        width = max(left, right)
        if isinstance(node, (*_DIVISIONS, *_BITWISE)):  # int4 / int4 is int4 (DataFusion widened it to int8)
            if left != right or _constant(node.this) is not None or _constant(node.expression) is not None:
                node.set("this", _cast(node.this, width))
                node.set("expression", _cast(node.expression, width))
                changed = True
            continue
        call = _folded(node, width) or _checked(OPERATIONS[type(node)], width, node.this, node.expression)
        call.meta[PG_NAME] = pg_name(node)
        node.replace(call)
        changed = True
    return changed


_DIVISIONS = (exp.Div, exp.Mod)
_BITWISE = (exp.BitwiseAnd, exp.BitwiseOr, exp.BitwiseXor)
"""& | #: computed in the wider operand's width, as / and % are."""
_SHIFTS = (exp.BitwiseLeftShift, exp.BitwiseRightShift)
"""<< >>: of the shifted operand's width (a constant count is given it too)."""
_CHOICES = (exp.Greatest, exp.Least, exp.Coalesce, exp.Nullif)
"""Calls whose result is one of their integer arguments, in the widest argument's type."""


def _arguments(node: exp.Expression) -> list[exp.Expression]:
    if isinstance(node, (exp.Nullif, *_BITWISE)):
        return [node.this, node.expression]
    return [node.this, *node.expressions]


def _checked_negation(node: exp.Neg, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``-n`` of an integer that is no constant is ``0 - n``, checked: the smallest int4 negated is
    22003 in PostgreSQL, where DataFusion's negation wrapped back to itself; True when rewritten."""
    width = _width(node.this, fields)
    if width is None or _constant(node) is not None:
        return False
    call = _checked("sub", width, exp.Literal.number(0), node.this)
    call.meta[PG_NAME] = pg_name(node)
    node.replace(call)
    return True


def _numeric_sum_of_int8(node: exp.Sum, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``sum`` of bigints is a numeric in PostgreSQL, which holds what int8 cannot; DataFusion's
    wrapped past the largest bigint, silently. True when the argument was made a numeric."""
    argument = node.this.expressions[0] if isinstance(node.this, exp.Distinct) else node.this
    if _width(argument, fields) != 64:
        return False
    # arrow_cast, not CAST: DataFusion names an aggregate by its argument without the casts in it,
    # so sum(a) beside sum(a::int8) would be two columns named sum(a) (XX000)
    argument.replace(
        exp.Anonymous(this="arrow_cast", expressions=[argument.copy(), exp.Literal.string("Decimal128(38, 0)")])
    )
    return True


_ARRAY_CALLS = (exp.ArrayAppend, exp.ArrayPrepend, exp.ArrayRemove, exp.ArrayConcat, exp.DPipe, exp.Anonymous)
"""Calls mixing an integer array with integers (``array_append(xs, 3)``, ``ARRAY[1, 2] || 3``,
``array_replace``): in PostgreSQL the constants take the array's element type."""
_ARRAY_FUNCTIONS = frozenset({"array_replace", "array_fill", "array_position", "array_positions"})


def _array_elements_width(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``array_remove(ARRAY[1, 2], 2)`` is an integer[] (DataFusion read the constants as int8 and
    widened the array): when the call's arrays are of int2 or int4 elements, its integer constants,
    alone or in ARRAY[...], are cast to that width; True when any was."""
    if isinstance(node, exp.Anonymous) and node.name.lower() not in _ARRAY_FUNCTIONS:
        return False
    arguments = list(node.iter_expressions())
    widths = {_element_width(a, fields) for a in arguments if isinstance(a, (exp.Array, exp.Column))}
    if len(widths) != 1 or None in widths or 64 in widths:
        return False
    width = widths.pop()
    changed = False
    for argument in arguments:
        for constant in list(argument.expressions) if isinstance(argument, exp.Array) else [argument]:
            if _constant(constant) is not None and fits_width(_constant(constant), width):
                constant.replace(_cast(constant, width))
                changed = True
    return changed


def _element_width(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> int | None:
    """The integer width of an array's elements: an ARRAY[...] of integers (its constants int4, as
    PostgreSQL types them) or an integer array column; None for anything else."""
    if isinstance(node, exp.Array):
        widths = [_width(e, fields) for e in node.expressions if not isinstance(e, exp.Null)]
        return max(widths) if widths and None not in widths else None
    if isinstance(node, exp.Column):
        kind = _column_type(node, fields)
        return _integer_bits(kind.value_type) if kind is not None and pa.types.is_list(kind) else None
    return None


def _column_type(node: exp.Column, fields: dict[str, dict[str, pa.Field]]) -> pa.DataType | None:
    field = fields.get(node.table, {}).get(node.name)
    return field.type if field is not None else None


def _integer_bits(kind: pa.DataType | None) -> int | None:
    """The width of a PostgreSQL integer type's Arrow type (int2, int4, int8); None for any other."""
    return kind.bit_width if kind is not None and pa.types.is_signed_integer(kind) and kind.bit_width >= 16 else None


def _kept_width(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``abs(-3)`` and ``1 << 2`` are int4, as their integer operand is (DataFusion read the
    constant as int8): a constant operand is cast to its width, and so is a shift's constant count
    (the operands' common width is the result's); True when any was."""
    width = _width(node.this, fields)
    if width is None:
        return False
    changed = False
    if _constant(node.this) is not None:
        node.set("this", _cast(node.this, width))
        changed = True
    count = node.args.get("expression")
    if count is not None and _constant(count) is not None and fits_width(_constant(count), width):
        node.set("expression", _cast(count, width))
        changed = True
    return changed


def _hex_of_int4(node: exp.Hex, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``to_hex`` of an int2 or int4 writes its 32 bits (``to_hex(-1)`` is ffffffff), where
    DataFusion widened it to 64; True when the argument was masked to them."""
    width = _width(node.this, fields)
    if width is None or width > 32:
        return False
    node.set("this", exp.BitwiseAnd(this=_cast(node.this, 64), expression=exp.Literal.number(2**32 - 1)))
    return True


def _typed_text_operand(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``n + '1'``: a quoted constant beside an integer is read as one of its width, as PostgreSQL
    types an unknown literal by the other operand (``1 + 'a'`` is 22P02); True when one was."""
    for text, other in ((node.this, node.expression), (node.expression, node.this)):
        width = _width(other, fields) if isinstance(text, exp.Literal) and text.is_string else None
        if width is not None:
            text.replace(_cast(text, width))
            return True
    return False


def _same_width(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> bool:
    """``greatest(n, 0)`` of an int4 column is int4 (DataFusion widened it to int8 for the
    constant): the arguments are given the widest one's width; True when any was cast."""
    arguments = _arguments(node)
    widths = [_width(argument, fields) for argument in arguments]
    if None in widths or (len(set(widths)) == 1 and all(_constant(a) is None for a in arguments)):
        return False
    width = max(widths)
    for argument in arguments:
        argument.replace(_cast(argument, width))
    return True


_FOLD = {exp.Add: lambda a, b: a + b, exp.Sub: lambda a, b: a - b, exp.Mul: lambda a, b: a * b}


def _folded(node: exp.Expression, width: int) -> exp.Expression | None:
    """The value of an operation on two integer constants, as a constant of its width; None when an
    operand is not a constant, or when the value is out of range (the checked function then raises
    22003 as the statement runs)."""
    left, right = _constant(node.this), _constant(node.expression)
    if left is None or right is None:
        return None
    value = _FOLD[type(node)](left, right)
    if not fits_width(value, width):
        return None
    return exp.Cast(this=exp.Literal.number(value), to=exp.DataType.build(WIDTHS[width][1]))


def fits_width(value: int, width: int) -> bool:
    """Whether a signed integer of ``width`` bits holds ``value`` (32: PostgreSQL's int4)."""
    return -(2 ** (width - 1)) <= value < 2 ** (width - 1)


def _constant(node: exp.Expression) -> int | None:
    """An integer literal's value (signs and parentheses included), or a folded constant's."""
    sign = 1
    while isinstance(node, (exp.Paren, exp.Neg)):
        sign = -sign if isinstance(node, exp.Neg) else sign
        node = node.this
    if isinstance(node, exp.Cast) and not node.to.expressions and node.to.this in _CAST_WIDTHS:
        value = _constant(node.this)  # one folded here before, or written as CAST(5 AS int)
        fits = value is not None and fits_width(value, _CAST_WIDTHS[node.to.this])
        return sign * value if fits else None  # else the cast itself fails as the statement runs
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return sign * int(node.this)
        except ValueError:
            return None  # 1.5, 1e3: not an integer
    return None


def _width(node: exp.Expression, fields: dict[str, dict[str, pa.Field]]) -> int | None:
    """The PostgreSQL integer width of an operand, or None when it is not known to be an integer."""
    while isinstance(node, (exp.Paren, exp.Neg, exp.Abs)):  # abs(x) is of x's width
        node = node.this
    if isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit():
        value = int(node.this)
        return 32 if value <= 2**31 - 1 else 64 if value <= 2**63 - 1 else None
    if isinstance(node, exp.Column):
        return _integer_bits(_column_type(node, fields))
    if isinstance(node, exp.Cast) and not node.to.expressions:
        return _CAST_WIDTHS.get(node.to.this)
    if isinstance(node, (*_CHOICES, *_BITWISE)):
        widths = [_width(argument, fields) for argument in _arguments(node)]
        return None if None in widths else max(widths)
    if isinstance(node, _SHIFTS):
        return _width(node.this, fields)
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and not isinstance(node.expressions[0], exp.Slice):
        return _element_width(node.this, fields)  # xs[1] of an integer[] column
    if isinstance(node, exp.Anonymous):
        for width, (prefix, _) in WIDTHS.items():
            if node.name.startswith(prefix + "_") and node.name[len(prefix) + 1 :] in OPERATIONS.values():
                return width
    return None


def _checked(operation: str, width: int, left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """The checked UDF of ``operation`` (``add``, ``sub``, ``mul``) over both operands at ``width``."""
    return exp.Anonymous(this=checked_function(width, operation), expressions=[_cast(left, width), _cast(right, width)])


def _cast(node: exp.Expression, width: int) -> exp.Expression:
    return exp.Cast(this=node.copy(), to=exp.DataType.build(WIDTHS[width][1]))
