"""``x AT TIME ZONE 'zone'`` as PostgreSQL means it, for a named zone (``UTC``, ``Europe/Paris``).

PostgreSQL turns a timestamptz (or a date, the timestamptz of its midnight) into the wall-clock
timestamp (without time zone) of that zone, and a timestamp read as wall-clock time there into a
timestamptz; DataFusion's AT TIME ZONE kept a timestamptz a timestamptz, so ``at AT TIME ZONE
'America/New_York'`` came back as the same instant with an offset. Where the catalog or the text tells the operand's type:

    timestamptz AT TIME ZONE z  ->  to_local_time(arrow_cast(x, 'Timestamp(Microsecond, Some("z"))'))
    timestamp AT TIME ZONE z    ->  pg_local_to_utc(x, z)  (times the zone skips or repeats read as
                                    PostgreSQL reads them)

A zone the time zone database does not know is 22023, as in PostgreSQL. A zone written as an
offset (``'+05:30'``, POSIX-style in PostgreSQL, west of Greenwich) or by an expression is left to
DataFusion.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import lru_cache

from sqlglot import exp

from ..errors import DataError
from .column_types import SchemaOf, column_fields
from .rules.column_names import PG_NAME
from .text_casts import value_kind

_NAMED_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_/+\-]*")


def _arrow_cast(node: exp.Expression, arrow_type: str) -> exp.Expression:
    return exp.Anonymous(this="arrow_cast", expressions=[node, exp.Literal.string(arrow_type)])


def _zoned(zone: str) -> str:
    return f'Timestamp(Microsecond, Some("{zone}"))'


def _named_zone(node: exp.AtTimeZone) -> str | None:
    zone = node.args.get("zone")
    if not (isinstance(zone, exp.Literal) and zone.is_string and _NAMED_ZONE.fullmatch(zone.this)):
        return None
    if zone.this not in _known_zones():
        raise DataError(f'time zone "{zone.this}" not recognized', sqlstate="22023")
    return zone.this


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


_CONVERTED = {"timestamptz": "timestamp", "timestamp": "timestamptz", "date": "timestamp"}
"""The operand's kind -> what AT TIME ZONE makes of it."""


def converted_kind(node: exp.AtTimeZone, fields: dict) -> str | None:
    """What an AT TIME ZONE this module rewrites gives: timestamptz and date become timestamp,
    timestamp becomes timestamptz (None: one it leaves to DataFusion)."""
    return None if _named_zone(node) is None else _CONVERTED.get(value_kind(node.this, fields))


def time_zones(tree: exp.Expression, schema_of: SchemaOf) -> bool:
    """Rewrite, in place, AT TIME ZONE of timestamps with a named zone; True when any was."""
    nodes = list(tree.find_all(exp.AtTimeZone))
    if not nodes:
        return False
    fields = column_fields(tree, schema_of)
    changed = False
    for node in reversed(nodes):  # the innermost first
        zone = _named_zone(node)
        operand = value_kind(node.this, fields) if zone is not None else None
        kind = _CONVERTED.get(operand)
        value = node.this.copy()
        if operand == "date":  # a date is read as the timestamptz of its midnight
            value = _arrow_cast(value, _zoned("UTC"))
        if kind == "timestamp":
            out = exp.Anonymous(this="to_local_time", expressions=[_arrow_cast(value, _zoned(zone))])
        elif kind == "timestamptz":
            local = _arrow_cast(value, "Timestamp(Microsecond, None)")
            out = exp.Anonymous(this="pg_local_to_utc", expressions=[local, exp.Literal.string(zone)])
        else:
            continue
        out.meta[PG_NAME] = "timezone"
        node.replace(out)
        changed = True
    return changed
