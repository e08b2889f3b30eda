"""``pg_local_to_utc(timestamp, zone)``: a wall-clock timestamp of a named zone as the instant it
is (``sql/time_zones`` turns ``timestamp AT TIME ZONE 'zone'`` into it).

Arrow's cast to a zoned timestamp fails on a wall-clock time the zone skips or repeats, and a
whole statement failed with it. PostgreSQL reads a skipped time (02:30 on the night clocks jump
from 02:00 to 03:00) with the offset before the jump, and a repeated one as standard time (the
later of the two); so does this."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pyarrow as pa

from .strict_rows import strict_rows

if TYPE_CHECKING:
    from datafusion import SessionContext

_UTC = dt.timezone.utc


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_to_utc(moment: dt.datetime, name: str) -> dt.datetime:
    zone = _zone(name)
    later = moment.replace(tzinfo=zone, fold=1)
    if later.astimezone(_UTC).astimezone(zone).replace(tzinfo=None) != moment:  # skipped: no such time
        return moment.replace(tzinfo=zone, fold=0).astimezone(_UTC)
    return later.astimezone(_UTC)


def register_time_zone_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    moment, zoned = pa.timestamp("us"), pa.timestamp("us", tz="UTC")
    to_utc = strict_rows(local_to_utc, zoned)
    ctx.register_udf(udf(to_utc, [moment, pa.utf8()], zoned, "immutable", name="pg_local_to_utc"))
