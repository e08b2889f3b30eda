"""The quoted constants a statement compares with other values: PostgreSQL reads each as the type
of what it is compared with (``u = 'A0EE...'`` a uuid, ``at >= '2024-01-02 12:00'`` a timestamp),
so the typed rewrites for those types start here."""

from __future__ import annotations

from sqlglot import exp

COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ)


def compared_text_constants(
    tree: exp.Expression, kinds: tuple[type, ...]
) -> list[tuple[exp.Expression, list[exp.Literal]]]:
    """(a compared value, the quoted constants it is compared with) for each comparison of
    ``kinds`` in ``tree`` (of COMPARISONS, ``IN`` and ``BETWEEN``) that has such constants."""
    pairs = []
    for node in tree.find_all(*kinds):
        if isinstance(node, exp.In):
            found = [(node.this, node.expressions)]
        elif isinstance(node, exp.Between):
            found = [(node.this, [node.args["low"], node.args["high"]])]
        else:
            found = [(node.this, [node.expression]), (node.expression, [node.this])]
        for value, others in found:
            constants = [n for n in others if isinstance(n, exp.Literal) and n.is_string]
            if constants and not isinstance(value, exp.Literal):
                pairs.append((value, constants))
    return pairs
