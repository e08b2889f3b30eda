"""Tables whose stored files cannot be read: an error for the statements that read them, not for all.

A session registers every table of its snapshot before a query runs, and opening a Parquet scan
reads the file's footer; so one damaged or missing file made every statement of the session fail,
whatever it read. A table that cannot be registered is instead registered as a scan with its
columns whose first row raises the error (PostgreSQL's XX001 ``could not read file``, naming the
file), so the statements that read it fail as PostgreSQL's would, and the others run.
"""

from __future__ import annotations

import pyarrow as pa
from datafusion import DataFrame, SessionContext, col, udf

from ...errors import Error, error_for
from ...sql.diagnostics import translate

_MESSAGE = "_agentlake_unreadable"


def read_parquet(ctx: SessionContext, location: str) -> DataFrame:
    """``ctx.read_parquet``, failing with XX001 naming the file (DataFusion's message does not)."""
    try:
        return ctx.read_parquet(location)
    except BaseException as err:  # noqa: BLE001 - every failure to open a committed file is reported with its name
        if not isinstance(err, Exception) and type(err).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit; a Rust panic (some damaged footers) is a read failure too
        error = translate(err)
        if error.sqlstate in ("58P01", "XX001") and location in str(error):
            raise error from err
        detail = str(error).removeprefix("could not read data file: ")
        raise error_for("XX001", f'could not read file "{location}": {detail}') from err


def failing_frame(ctx: SessionContext, schema: pa.Schema, err: Exception) -> DataFrame:
    """A scan with ``schema``'s columns that raises ``err`` (translated) when its row is read."""
    error = translate(err)
    row = {f.name: pa.nulls(1, f.type) for f in schema}
    row[_MESSAGE] = pa.array([f"[SQLSTATE {error.sqlstate}] {error}"])
    raising = udf(_raise, [pa.string()], pa.bool_(), "volatile", name="agentlake_unreadable_table")
    return ctx.from_arrow(pa.table(row)).filter(raising(col(_MESSAGE))).drop(_MESSAGE)


def _raise(messages: pa.Array) -> pa.Array:
    tagged = messages[0].as_py()
    raise Error(tagged, sqlstate=tagged[len("[SQLSTATE ") : len("[SQLSTATE ") + 5])
