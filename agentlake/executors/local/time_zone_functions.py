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

if TYPE_CHECKING:
    from datafusion import SessionContext

_UTC = dt.timezone.utc


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_to_utc(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    later = moment.replace(tzinfo=zone, fold=1)
    if later.astimezone(_UTC).astimezone(zone).replace(tzinfo=None) != moment:  # skipped: no such time
        return moment.replace(tzinfo=zone, fold=0).astimezone(_UTC)
    return later.astimezone(_UTC)


def _local_to_utc(moments: pa.Array, zones: pa.Array) -> pa.Array:
    out = [
        None if m is None or z is None else local_to_utc(m, _zone(z))
        for m, z in zip(moments.to_pylist(), zones.to_pylist())
    ]
    return pa.array(out, pa.timestamp("us", tz="UTC"))


def register_time_zone_functions(ctx: SessionContext) -> None:
    from datafusion import udf

    moment, zoned = pa.timestamp("us"), pa.timestamp("us", tz="UTC")
    ctx.register_udf(udf(_local_to_utc, [moment, pa.utf8()], zoned, "immutable", name="pg_local_to_utc"))
