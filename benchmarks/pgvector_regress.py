"""pgvector's own regression suite against ``agentlake serve``: the conformance measure of issue 16.

    python benchmarks/pgvector_regress.py --pgvector DIR [--only FILE ...] [--diff]

DIR is a checkout of github.com/pgvector/pgvector (its files are read, never copied here).
Each ``test/sql/*.sql`` runs through psql as pg_regress runs it (``psql -X -a -q`` reading
the file on stdin, pg_regress's environment, one database for the whole run with
``CREATE EXTENSION IF NOT EXISTS vector`` first, as ``--load-extension=vector`` does), and its
output is compared with ``test/expected/*.out`` statement by statement: psql's
``psql:FILE:LINE:`` prefixes stripped, whitespace collapsed. Prints a table per file, then one
JSON line.

``pgvector_equal_ratio`` is equal / (statements - intentional differences); each intentional
difference is listed in ``INTENTIONAL`` with the reason agentlake answers otherwise and a check
that the difference is that one (a statement that differs in any other way counts as unequal).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from wire import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "contrib_regression"
PSQL_PREFIX = re.compile(r"^psql:[^:]*:\d+: ", re.MULTILINE)
CRASH_MARKS = (
    "server closed the connection unexpectedly",
    "connection to server was lost",
    "could not connect to server",
    "connection to server at",
)

EXACT = (
    "agentlake answers ORDER BY distance exactly, over every row; pgvector's index scan leaves out rows "
    "its index does not hold (NULL vectors, zero vectors under cosine) and, with few probes, rows of "
    "unvisited lists. Checked: pgvector's rows appear in agentlake's answer in the same order."
)
WIDER = (
    "agentlake indexes wider columns than pgvector's page-bound limits (2,000 vector / 4,000 halfvec / "
    "64,000 bit dimensions, 1,000 non-zeros per sparsevec): its index files are not PostgreSQL pages, and "
    "sparsevec and bit columns are answered exactly. Checked: pgvector refuses with its limit message."
)
_ORDER_BY = [
    f"SELECT * FROM t ORDER BY val {op} {q};"
    for op in ("<->", "<#>", "<=>", "<+>")
    for q in ("'[3,3,3]'", "'{1:3,2:3,3:3}/3'")
] + ["SELECT * FROM t ORDER BY val <~> B'111';", "SELECT * FROM t ORDER BY val <%> B'1111';"]
_COUNTS = [
    f"SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val {op} {q}) t2;"
    for op in ("<->", "<#>", "<=>", "<+>", "<~>", "<%>")
    for q in (
        "(SELECT NULL::vector)",
        "(SELECT NULL::halfvec)",
        "(SELECT NULL::sparsevec)",
        "(SELECT NULL::bit)",
        "'[0,0,0]'",
        "'{}/3'",
    )
]
_WIDE_INDEXES = [
    "CREATE INDEX ON t USING hnsw (val vector_l2_ops);",
    "CREATE INDEX ON t USING ivfflat (val vector_l2_ops);",
    "CREATE INDEX ON t USING hnsw (val halfvec_l2_ops);",
    "CREATE INDEX ON t USING ivfflat (val halfvec_l2_ops);",
    "CREATE INDEX ON t USING hnsw (val bit_hamming_ops);",
    "CREATE INDEX ON t USING ivfflat (val bit_hamming_ops);",
    "CREATE INDEX ON t USING hnsw (val sparsevec_l2_ops);",
]


def _rows(block: list[str]) -> list[str]:
    """The data lines of a result block (after the header's ``---`` line, before ``(n rows)``)."""
    start = next((i for i, line in enumerate(block) if set(line.strip()) <= {"-", "+"} and line.strip()), None)
    if start is None:
        return []
    return [" ".join(line.split()) for line in block[start + 1 :] if not line.startswith("(")]


def _exact_superset(want: list[str], got: list[str]) -> bool:
    """pgvector's rows (or count) are contained, in order, in agentlake's exact answer."""
    want_rows, got_rows = [r for r in _rows(want) if r], [r for r in _rows(got) if r]
    if len(want_rows) == 1 and want_rows[0].isdigit() and len(got_rows) == 1 and got_rows[0].isdigit():
        return int(got_rows[0]) >= int(want_rows[0])
    remaining = iter(got_rows)
    return bool(want_rows) and all(row in remaining for row in want_rows)


def _refused_for_width(want: list[str], got: list[str]) -> bool:
    text = " ".join(want)
    return ("cannot have more than" in text and "index" in text) and not any(line.startswith("ERROR") for line in got)


INTENTIONAL: dict[str, tuple[str, Callable[[list[str], list[str]], bool]]] = {
    **{statement: (EXACT, _exact_superset) for statement in _ORDER_BY + _COUNTS},
    **{statement: (WIDER, _refused_for_width) for statement in _WIDE_INDEXES},
}
"""Statement as written -> (why agentlake's answer differs from pgvector's on purpose, the check that
the difference is that one and no other)."""


@dataclass
class Statement:
    text: str
    echo: list[str]


@dataclass
class FileResult:
    name: str
    statements: int = 0
    equal: int = 0
    intentional: int = 0
    crashed: bool = False


def split_statements(sql: str) -> list[Statement]:
    """The file's statements as psql reads them: ends at a ``;`` outside quotes and comments, or a
    meta-command line;
    ``echo`` is the lines psql -a prints for it (blank lines are not echoed)."""
    statements, buffer = [], []
    quote = None
    for line in sql.splitlines():
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        if not buffer and line.startswith("\\"):  # a psql meta-command (\copy) is one line
            statements.append(Statement(line.strip(), [line]))
            continue
        buffer.append(line)
        i = 0
        while i < len(line):
            ch = line[i]
            if quote:
                if ch == quote:
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif line.startswith("--", i):
                break
            elif ch == ";":
                text = "\n".join(buffer).strip()
                statements.append(Statement(text, [b for b in buffer if b.strip()]))
                buffer = []
                break
            i += 1
    return statements


def _normalize(block: list[str]) -> str:
    return " ".join(" ".join(block).split())


def _is_comment(line: str) -> bool:
    """An echoed ``-- comment`` line (psql -a prints them), not a result's ``----+----`` rule."""
    text = line.strip()
    return text.startswith("--") and not set(text) <= {"-", "+"}


def blocks(output: str, statements: list[Statement]) -> list[list[str] | None]:
    """The output lines that belong to each statement: from its echo to the next statement's echo
    (None when its echo is not found, as when the server went away)."""
    lines = PSQL_PREFIX.sub("", output).splitlines()
    starts: list[int | None] = []
    at = 0
    for statement in statements:
        found = None
        n = len(statement.echo)
        for i in range(at, len(lines) - n + 1):
            if lines[i : i + n] == statement.echo:
                found = i
                break
        starts.append(found)
        if found is not None:
            at = found + n
    out: list[list[str] | None] = []
    for k, start in enumerate(starts):
        if start is None:
            out.append(None)
            continue
        end = next((s for s in starts[k + 1 :] if s is not None), len(lines))
        body = [line for line in lines[start:end] if not _is_comment(line)]
        out.append(body)
    return out


class Server:
    """``agentlake serve`` on a repository of the run, restarted if it dies."""

    def __init__(self, repo: Path, log: Path) -> None:
        self.repo, self.log, self.port = repo, log, free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [
            sys.executable,
            "-m",
            "agentlake.server.cli",
            "serve",
            str(self.repo),
            "--trust",
            "--port",
            str(self.port),
            "--database",
            DATABASE,
        ]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(cmd, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agentlake serve exited with {self.process.returncode}; see {self.log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("agentlake serve did not start")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            self.process.wait(timeout=30)


def run_file(server: Server, sql_file: Path, expected_file: Path, out_dir: Path, show_diff: bool) -> FileResult:
    name = sql_file.stem
    statements = split_statements(sql_file.read_text())
    output = _run_psql(server.port, sql_file, out_dir.parent)
    (out_dir / f"{name}.out").write_text(output)
    result = FileResult(name, statements=len(statements))
    result.crashed = not server.alive() or any(mark in output for mark in CRASH_MARKS)
    expected_blocks = blocks(expected_file.read_text(), statements)
    actual_blocks = blocks(output, statements)
    for statement, want, got in zip(statements, expected_blocks, actual_blocks):
        same = want is not None and got is not None and _normalize(want) == _normalize(got)
        if same:
            result.equal += 1
        elif (
            statement.text in INTENTIONAL
            and want is not None
            and got is not None
            and INTENTIONAL[statement.text][1](want, got)
        ):
            result.intentional += 1
        elif show_diff:
            print(
                f"--- {name}: {statement.text}\n    expected: {_normalize(want or [])}\n"
                f"    actual:   {_normalize(got or [])}"
            )
    return result


def _run_psql(port: int, sql_file: Path, cwd: Path) -> str:
    """stdout and stderr of psql in the order written (pg_regress sends both to one file), run in
    ``cwd`` holding ``results/`` as pg_regress's output folder (``\\copy ... 'results/x.bin'``)."""
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(port),
        "PGUSER": "postgres",
        "PGTZ": "PST8PDT",
        "PGDATESTYLE": "Postgres, MDY",
        "LC_MESSAGES": "C",
        "PGAPPNAME": "pg_regress",
    }
    env.pop("PGOPTIONS", None)
    args = ["psql", "-X", "-a", "-q", "-d", DATABASE, "-v", "HIDE_TABLEAM=on", "-v", "HIDE_TOAST_COMPRESSION=on"]
    with sql_file.open("rb") as stdin:
        done = subprocess.run(
            args, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=900, cwd=cwd
        )
    return done.stdout.decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pgvector", required=True, type=Path, help="a checkout of github.com/pgvector/pgvector")
    parser.add_argument("--only", nargs="*", default=None, help="test names to run (default: all)")
    parser.add_argument("--diff", action="store_true", help="print each differing statement")
    parser.add_argument("--keep", type=Path, default=None, help="write actual outputs here")
    args = parser.parse_args()
    tests = sorted((args.pgvector / "test" / "sql").glob("*.sql"))
    if args.only:
        tests = [t for t in tests if t.stem in args.only]
    with tempfile.TemporaryDirectory(prefix="pgvector-regress-") as tmp:
        work = Path(tmp)
        out_dir = (args.keep or work) / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        server = Server(work / "repo", work / "server.log")
        server.start()
        crashes = 0
        results = []
        try:
            _run_psql_command(server.port, "CREATE EXTENSION IF NOT EXISTS vector")
            for sql_file in tests:
                if not server.alive():
                    server.start()
                result = run_file(
                    server, sql_file, args.pgvector / "test" / "expected" / f"{sql_file.stem}.out", out_dir, args.diff
                )
                crashes += result.crashed
                results.append(result)
                if not server.alive():
                    server.start()
        finally:
            server.stop()
    print(f"{'file':<18} {'statements':>10} {'equal':>6} {'intent.':>7} {'ratio':>6}")
    for r in results:
        ratio = r.equal / max(r.statements - r.intentional, 1)
        print(
            f"{r.name:<18} {r.statements:>10} {r.equal:>6} {r.intentional:>7} {ratio:>6.2f}"
            + ("  CRASHED" if r.crashed else "")
        )
    statements = sum(r.statements for r in results)
    equal = sum(r.equal for r in results)
    intentional = sum(r.intentional for r in results)
    print(
        json.dumps(
            {
                "pgvector_statements": statements,
                "pgvector_equal": equal,
                "pgvector_equal_ratio": round(equal / max(statements - intentional, 1), 4),
                "intentional_differences": intentional,
                "server_crashes": crashes,
            }
        )
    )


def _run_psql_command(port: int, command: str) -> None:
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres"}
    subprocess.run(["psql", "-X", "-q", "-d", DATABASE, "-c", command], env=env, check=True, capture_output=True)


if __name__ == "__main__":
    main()
