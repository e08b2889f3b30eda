"""A small sqllogictest runner for agentlake.

Records (blank-line separated):

    statement ok | statement error [SQLSTATE]
    <sql>

    query <types> [nosort|rowsort]
    <sql>
    ----
    <row: values separated by a tab or two spaces>

    branch <name>        -- run what follows on this branch (created from main on first use)

    skipif agentlake: <reason>   -- first line of a record PostgreSQL answers and agentlake does not yet
    skipif dask: <reason>        -- ... that the Dask executor does not yet (skipped on that run only)

Values: NULL, (empty) for '', floats with 3 decimals (type R), booleans as t/f.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import agentlake

_SPLIT = re.compile(r"\t| {2,}")


@dataclass
class Record:
    kind: str
    sql: str
    line: int
    expect_error: str | None = None
    types: str = ""
    sort: str = "nosort"
    expected: list[list[str]] | None = None
    branch: str | None = None


def parse(text: str, dask: bool = False) -> list[Record]:
    records: list[Record] = []
    blocks = re.split(r"\n\s*\n", text)
    line = 1
    for block in blocks:
        lines = [text for text in block.splitlines() if not text.startswith("#")]
        start = line
        line += block.count("\n") + 2
        if not lines:
            continue
        if lines[0].startswith("skipif agentlake"):
            continue  # a documented divergence from PostgreSQL (the reason follows on the same line)
        if lines[0].startswith("skipif dask"):
            if dask:
                continue
            lines = lines[1:]
        head = lines[0].split()
        if head[0] == "branch":
            records.append(Record("branch", "", start, branch=head[1]))
        elif head[0] == "statement":
            error = head[2] if len(head) > 2 else ("" if head[1] == "error" else None)
            records.append(Record("statement", "\n".join(lines[1:]), start, expect_error=error))
        elif head[0] == "query":
            body = lines[1:]
            sep = body.index("----") if "----" in body else len(body)
            expected = [_SPLIT.split(row.strip()) if row.strip() else [""] for row in body[sep + 1 :]]
            records.append(
                Record(
                    "query",
                    "\n".join(body[:sep]),
                    start,
                    types=head[1],
                    sort=head[2] if len(head) > 2 else "nosort",
                    expected=expected,
                )
            )
        else:
            raise ValueError(f"line {start}: unknown record {head[0]!r}")
    return records


def format_value(value, kind: str) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if kind == "R" or isinstance(value, float):
        if isinstance(value, float) and math.isnan(value):
            return "NaN"
        return f"{float(value):.3f}"
    if isinstance(value, Decimal):
        return str(value)
    if value == "":
        return "(empty)"
    return str(value)


def run_file(path: Path, repo_url: str, failures: list[str] | None = None, dask: bool = False) -> int:
    """Run every record of a file against a fresh repository; returns how many records ran.

    The first wrong record raises AssertionError, unless ``failures`` is given: then
    every failure is appended to it and the run goes on (for triage, see ``__main__``).
    With ``dask`` every query the router may send to Dask goes there (the caller makes a
    cluster visible), falling back to the local engine where the Dask compiler declines.
    """
    connections: dict[str, agentlake.Connection] = {}
    current = "main"

    def conn() -> agentlake.Connection:
        if current not in connections:
            connections[current] = agentlake.connect(repo_url, branch=current)
            if dask:
                connections[current].execute("SET agentlake.dask_threshold_rows = 1")  # any rows at all
        return connections[current]

    records = parse(path.read_text(), dask)
    for record in records:
        if record.kind == "branch":
            current = record.branch
            continue
        where = f"{path.name}:{record.line}"
        try:
            _check(record, conn(), where)
        except Exception as failure:  # not only AssertionError: an error without a SQLSTATE is a failure too
            if failures is None:
                raise
            failures.append(
                str(failure)
                if isinstance(failure, AssertionError)
                else f"{where}: raised {type(failure).__name__} (no SQLSTATE): {failure}\n{record.sql}"
            )
    return len(records)


def _check(record: Record, conn: agentlake.Connection, where: str) -> None:
    if record.kind == "statement":
        if record.expect_error is None:
            try:
                conn.execute(record.sql)
            except agentlake.Error as err:
                raise AssertionError(f"{where}: statement failed: {err} [{err.sqlstate}]\n{record.sql}") from err
        else:
            try:
                conn.execute(record.sql)
            except agentlake.Error as err:
                if record.expect_error and err.sqlstate != record.expect_error:
                    raise AssertionError(
                        f"{where}: expected SQLSTATE {record.expect_error}, got {err.sqlstate}: {err}\n{record.sql}"
                    ) from err
            else:
                raise AssertionError(f"{where}: statement should have failed\n{record.sql}")
        return
    try:
        rows = conn.execute(record.sql).fetchall()
    except agentlake.Error as err:
        raise AssertionError(f"{where}: query failed: {err} [{err.sqlstate}]\n{record.sql}") from err
    actual = [
        [format_value(v, record.types[i] if i < len(record.types) else "T") for i, v in enumerate(row)] for row in rows
    ]
    expected = record.expected
    if record.sort == "rowsort":
        actual, expected = sorted(actual), sorted(expected)
    if actual != expected:
        raise AssertionError(f"{where}: wrong result for\n{record.sql}\nexpected {expected}\nactual   {actual}")


if __name__ == "__main__":  # triage: python -m tests.sqllogic.runner tests/sqllogic/cases/*.test
    import sys
    import tempfile

    total = 0
    for name in sys.argv[1:]:
        found: list[str] = []
        with tempfile.TemporaryDirectory() as tmp:
            ran = run_file(Path(name), str(Path(tmp) / "repo"), found)
        total += len(found)
        print(f"== {name}: {ran} records, {len(found)} failures")
        for failure in found:
            print(failure, end="\n\n")
    sys.exit(1 if total else 0)
