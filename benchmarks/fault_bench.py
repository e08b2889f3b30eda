"""Fault benchmark: SIGKILLed writers, torn journal tails, power loss and a killed server lose nothing.

Run ``python benchmarks/fault_bench.py --seconds 120 --seed 1``. Writer processes
(``fault_workload``: tables with PRIMARY KEY, UNIQUE, CHECK and FOREIGN KEY ... ON DELETE CASCADE,
a branch per writer merging into ``main``, some writers on ``main`` directly, durability ``full`` or
``relaxed``) commit through the embedded API and are SIGKILLed at random moments, each replaced by a
fresh one. Rounds cycle through what happens once a round's writers are all killed:

- ``kill``: nothing more;
- ``torn_tail``: the journals of 1-3 branches get a torn, garbage, bad-CRC or absurd-length tail;
- ``power_loss``: the writers ran traced and every write they had not made durable is dropped or cut
  (``power_loss``);
- ``server``: ``agentlake serve`` takes commits from psycopg clients, is SIGKILLed mid-commit and
  started again;
- ``s3``: the same writers on an S3 repository (a moto server on loopback), killed the same way.

After every round the repository is opened afresh and held against the writers' acknowledgement logs
(``fault_checks``). Prints a table, then one JSON line; ``lost_acknowledged``, ``partial_visible``,
``unreadable_states``, ``constraint_violations_found``, ``open_failures``, ``server_start_failures``
and ``worker_errors`` must all be 0. The process exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import multiprocessing
import os
import random
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fault_workload  # noqa: E402
from fault_checks import Findings, check, read_acks  # noqa: E402
from fault_workload import Writer  # noqa: E402
from power_loss import lose_unsynced_writes, record_epoch_start  # noqa: E402
from wire import free_port, wait_connect  # noqa: E402

from catalog import Repository  # noqa: E402
from catalog.storage.local import read_records  # noqa: E402

SERVER_SLOTS = 100  # server clients' slots start here, so their lanes are their own
CYCLE = ("power_loss", "kill", "torn_tail", "s3", "power_loss", "kill", "torn_tail", "server")
MUST_BE_ZERO = (
    "lost_acknowledged",
    "partial_visible",
    "unreadable_states",
    "constraint_violations_found",
    "open_failures",
    "server_start_failures",
    "worker_errors",
)


@dataclass
class Place:
    """A repository under test and the logs of everyone who wrote to it."""

    url: str
    acks: Path
    storage_options: dict | None = None
    forgiven: set[int] = field(default_factory=set)  # epochs that ended in a power loss


@dataclass
class Results:
    sigkills: Counter = field(default_factory=Counter)
    rounds: Counter = field(default_factory=Counter)
    torn_tails: int = 0
    power_losses: int = 0
    files_cut: int = 0
    names_dropped: int = 0
    server_start_failures: int = 0
    open_failures: int = 0
    recovery_ms: list[float] = field(default_factory=list)
    server_start_ms: list[float] = field(default_factory=list)
    # each problem once, though every later check finds it again: "kind: what" -> how many
    problems: dict[str, int] = field(default_factory=dict)

    def absorb(self, found: Findings) -> None:
        self.open_failures += found.open_failures
        if found.recovery_ms is not None:
            self.recovery_ms.append(found.recovery_ms)
        for kind, count, what in found.problems:
            if kind == "open_failures":  # each failed opening counts, not each distinct one
                what = f"{what} (check {len(self.recovery_ms) + self.open_failures})"
            self.problem(kind, what, count)

    def problem(self, kind: str, what: str, count: int = 1) -> None:
        self.problems.setdefault(f"{kind}: {what}", count)

    def count(self, kind: str) -> int:
        return sum(n for problem, n in self.problems.items() if problem.startswith(f"{kind}:"))


class Bench:
    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work, self.args = work, args
        self.rng = random.Random(args.seed)
        self.results = Results()
        self.epochs = itertools.count()
        self.incarnations = itertools.count(1)
        self.ctx = multiprocessing.get_context("forkserver")
        self.ctx.set_forkserver_preload(["agentlake", "datafusion", "fault_workload", "power_loss"])
        self.local = Place(str(work / "repo"), work / "acks-local")
        self.s3: Place | None = None
        self._moto = None

    # writers ---------------------------------------------------------------
    def _spawn(self, place: Place, slot: int, epoch: int, trace: tuple[str, str] | None):
        incarnation = next(self.incarnations)
        writer = Writer(
            place.url,
            slot,
            incarnation,
            str(place.acks / f"{epoch}.{incarnation}.acks"),
            self.rng.randrange(2**32),
            "relaxed" if self.rng.random() < self.args.relaxed_share else "full",
            place.storage_options,
            trace,
        )
        target = fault_workload.run_catalog if place is self.s3 else fault_workload.run
        proc = self.ctx.Process(target=target, args=(writer,), daemon=True)
        proc.start()
        return proc, writer.acks

    def churn(self, place: Place, epoch: int, trace: tuple[str, str] | None = None) -> None:
        """Keep ``--writers`` writers committing for a round; SIGKILL each at a random moment once it has
        started committing and put a fresh one in its place; at the end SIGKILL them all."""
        label = "s3" if place is self.s3 else "local"
        slots = {slot: self._spawn(place, slot, epoch, trace) for slot in range(self.args.writers)}
        kill_at: dict[int, float] = {}
        end = time.monotonic() + self.args.round_seconds
        while time.monotonic() < end:
            for slot, (proc, acks) in list(slots.items()):
                now = time.monotonic()
                if slot not in kill_at and os.path.exists(acks) and os.path.getsize(acks) > 0:
                    kill_at[slot] = now + self.rng.uniform(0, self.args.kill_window)
                if not proc.is_alive() or kill_at.get(slot, end) <= now:
                    self._kill(proc, label)
                    kill_at.pop(slot, None)
                    slots[slot] = self._spawn(place, slot, epoch, trace)
            time.sleep(0.005)
        for proc, _ in slots.values():
            self._kill(proc, label)

    def _kill(self, proc, label: str) -> None:
        proc.kill()  # SIGKILL, unless it already exited
        proc.join()
        if proc.exitcode == -signal.SIGKILL:
            self.results.sigkills[label] += 1
        else:
            self.results.problem("worker_errors", f"a writer exited by itself with code {proc.exitcode}")

    # rounds ------------------------------------------------------------------
    def round(self, kind: str) -> None:
        self.results.rounds[kind] += 1
        epoch = next(self.epochs)
        place = self.s3 if kind == "s3" else self.local
        if kind == "server":
            self.server_round(epoch)
        elif kind == "power_loss":
            os.sync()  # what was written before the epoch is on disk
            folder = str(self.work / "epochs" / str(epoch))
            record_epoch_start(self.local.url, folder)
            self.churn(place, epoch, (self.local.url, folder))
            loss = lose_unsynced_writes(self.local.url, folder, self.rng)
            place.forgiven.add(epoch)
            self.results.power_losses += 1
            self.results.files_cut += loss.files_cut
            self.results.names_dropped += loss.names_lost + loss.names_reverted
        else:
            self.churn(place, epoch)
            if kind == "torn_tail":
                self.tear_tails()
        self.results.absorb(check(place.url, read_acks(place.acks, place.forgiven), place.storage_options))

    def tear_tails(self) -> None:
        """Give 1-3 branch journals a tail a crash mid-append (or a bad disk) could leave; their values
        must read as before."""
        before = Repository.open(self.local.url, create=False).branches()
        heads = Path(self.local.url, "refs", "heads")
        journals = sorted(p for p in heads.iterdir() if not p.name.endswith((".tmp", ".ckpt")))
        victims = self.rng.sample(journals, min(len(journals), self.rng.randint(1, 3)))
        for journal in victims:
            with open(journal, "r+b") as fh:
                fh.seek(read_records(fh.fileno(), 0)[1])  # where the records end and the padding begins
                fh.write(_bad_tail(self.rng))
            self.results.torn_tails += 1
        after = Repository.open(self.local.url, create=False).branches()
        for name, state in before.items():
            if after.get(name) is None or after[name].commit != state.commit:
                self.results.problem("unreadable_states", f"branch {name} reads differently after a torn tail")

    def server_round(self, epoch: int) -> None:
        """Serve the repository to psycopg clients committing on main, SIGKILL the server mid-commit,
        start it again and ask it something."""
        port = free_port()
        server = self._serve(port)
        if server is None:
            return
        stop = threading.Event()
        clients = [
            threading.Thread(target=self._client, args=(port, epoch, slot, stop), daemon=True)
            for slot in range(self.args.writers)
        ]
        for client in clients:
            client.start()
        time.sleep(self.args.round_seconds * self.rng.uniform(0.5, 1.0))
        server.kill()
        server.wait()
        self.results.sigkills["server"] += 1
        stop.set()
        for client in clients:
            client.join(30)
        again = self._serve(port)
        if again is None:
            return
        try:
            with wait_connect(self._dsn(port), timeout=30) as conn:
                conn.execute("SELECT count(*) FROM parents JOIN children ON children.parent = parents.id").fetchone()
        except Exception as err:
            self._server_failed(f"restarted server does not answer: {err}")
        again.terminate()
        try:
            again.wait(30)
        except subprocess.TimeoutExpired:
            again.kill()
            again.wait()
            self._server_failed("server ignored SIGTERM for 30 s")

    def _dsn(self, port: int) -> str:
        return f"host=127.0.0.1 port={port} dbname=repo user=bench connect_timeout=10"

    def _serve(self, port: int) -> subprocess.Popen | None:
        cmd = [sys.executable, "-m", "agentlake.server.cli", "serve", self.local.url, "--trust", "--port", str(port)]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_connect(self._dsn(port), timeout=60).close()
        except Exception as err:
            proc.kill()
            proc.wait()
            self._server_failed(f"server did not start: {err}")
            return None
        self.results.server_start_ms.append((time.perf_counter() - started) * 1000)
        return proc

    def _server_failed(self, why: str) -> None:
        self.results.server_start_failures += 1
        self.results.problem("server_start_failures", why)

    def _client(self, port: int, epoch: int, slot: int, stop: threading.Event) -> None:
        """A psycopg client committing on main until the server goes away."""
        import psycopg

        incarnation = next(self.incarnations)
        acks = str(self.local.acks / f"{epoch}.{incarnation}.acks")
        writer = Writer(self.local.url, SERVER_SLOTS + slot, incarnation, acks, self.rng.randrange(2**32))
        plan = fault_workload.Plan(writer, ("insert", "delete", "adopt"), branch_share=0)
        journal = fault_workload.Journal(acks, writer)
        try:
            conn = psycopg.connect(self._dsn(port))
        except psycopg.OperationalError:
            return
        while not stop.is_set():
            kind, where, lane, new_id = plan.step()
            try:
                fault_workload.transaction(conn, plan.rng, kind, lane, where, new_id, journal, plan.email())
            except psycopg.OperationalError:
                return  # the server is gone
            except psycopg.Error as err:
                conn.rollback()
                journal.failed(kind, where, err)  # ends this client on an error no client should see

    # S3 ----------------------------------------------------------------------
    def start_s3(self) -> None:
        import s3fs
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request
        port = free_port()
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self._moto.start()
        options = {
            "key": "testing",
            "secret": "testing",
            "client_kwargs": {"endpoint_url": f"http://127.0.0.1:{port}", "region_name": "us-east-1"},
        }
        s3fs.S3FileSystem(skip_instance_cache=True, **options).call_s3("create_bucket", Bucket="faults")
        self.s3 = Place("s3://faults/repo", self.work / "acks-s3", options)

    def setup(self, place: Place) -> None:
        place.acks.mkdir()
        proc = self.ctx.Process(target=fault_workload.setup, args=(place.url, place.storage_options))
        proc.start()
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"setting up {place.url} failed")

    def close(self) -> None:
        if self._moto is not None:
            self._moto.stop()


def _bad_tail(rng: random.Random) -> bytes:
    """What a crash mid-append leaves after the last whole record (FORMAT.md: [u32 length][u32 crc32][JSON])."""
    body = json.dumps({"ref": {"commit": "f" * 32, "created": 0, "expires": None, "meta": {}}}).encode()
    record = struct.pack("<II", len(body), zlib.crc32(body)) + body
    kind = rng.choice(("torn", "garbage", "bad_crc", "huge_length"))
    if kind == "torn":
        return record[: rng.randrange(1, len(record))]
    if kind == "garbage":
        return rng.randbytes(rng.randint(1, 4096))
    if kind == "bad_crc":
        return struct.pack("<II", len(body), zlib.crc32(body) ^ 1) + body
    return struct.pack("<II", 2**31, 0) + rng.randbytes(rng.randint(0, 64))


def _cycle(args: argparse.Namespace) -> list[str]:
    skip = {"s3"} if args.no_s3 else set()
    skip |= {"server"} if args.no_server else set()
    return [kind for kind in args.cycle.split(",") if kind not in skip]


def summarize(bench: Bench, args: argparse.Namespace, elapsed: float) -> tuple[dict, list[str]]:
    r = bench.results
    places = [bench.local] + ([bench.s3] if bench.s3 is not None and r.rounds["s3"] else [])
    acks = [a for p in places for a in read_acks(p.acks, p.forgiven)]
    refusals = Counter(a["e"] for a in acks if a["s"] == "no")
    errors = [a["e"] for a in acks if a["s"] == "error"]
    return {
        "seconds": round(elapsed, 1),
        "seed": args.seed,
        "rounds": sum(r.rounds.values()),
        "sigkills": sum(r.sigkills.values()),
        "sigkills_local": r.sigkills["local"],
        "sigkills_s3": r.sigkills["s3"],
        "sigkills_server": r.sigkills["server"],
        "power_losses": r.power_losses,
        "files_cut_by_power_loss": r.files_cut,
        "names_dropped_by_power_loss": r.names_dropped,
        "torn_tails": r.torn_tails,
        "acknowledged": sum(1 for a in acks if a["s"] == "ok"),
        "merges_acknowledged": sum(1 for a in acks if a["s"] == "ok" and a["k"] == "merge"),
        "merge_conflicts": sum(1 for a in acks if a["s"] == "fail" and a["k"] == "merge"),
        "refused_unique": refusals["23505"],
        "refused_foreign_key": refusals["23503"],
        "refused_check": refusals["23514"],
        "refused_serialization": refusals["40001"],
        "lost_acknowledged": r.count("lost_acknowledged"),
        "partial_visible": r.count("partial_visible"),
        "unreadable_states": r.count("unreadable_states"),
        "constraint_violations_found": r.count("constraint_violations"),
        "open_failures": r.open_failures,
        "server_start_failures": r.server_start_failures,
        "worker_errors": len(errors) + r.count("worker_errors"),
        "recovery_ms_p50": round(statistics.median(r.recovery_ms), 1) if r.recovery_ms else None,
        "recovery_ms_max": round(max(r.recovery_ms), 1) if r.recovery_ms else None,
        "server_start_ms_p50": round(statistics.median(r.server_start_ms), 1) if r.server_start_ms else None,
    }, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120, help="stop starting rounds after this long")
    parser.add_argument("--iterations", type=int, default=None, help="stop after this many rounds")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--writers", type=int, default=3, help="writer processes (or server clients) at a time")
    parser.add_argument("--round-seconds", type=float, default=4.0, help="how long writers churn per round")
    parser.add_argument(
        "--kill-window", type=float, default=0.6, help="a writer dies within this many seconds of its first commit"
    )
    parser.add_argument("--relaxed-share", type=float, default=0.33, help="writers with durability 'relaxed'")
    parser.add_argument(
        "--cycle", default=",".join(CYCLE), help="round kinds, in turn: " + ", ".join(sorted(set(CYCLE)))
    )
    parser.add_argument("--no-s3", action="store_true", help="skip the S3 rounds (they need moto and s3fs)")
    parser.add_argument("--no-server", action="store_true", help="skip the server rounds")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    args = parser.parse_args()
    cycle = _cycle(args)
    work_dir = args.keep or Path(tempfile.mkdtemp(prefix="fault-bench-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    bench = Bench(work_dir, args)
    started = time.monotonic()
    try:
        bench.setup(bench.local)
        if "s3" in cycle:
            bench.start_s3()
            bench.setup(bench.s3)
        for i, kind in enumerate(itertools.cycle(cycle)):
            if (args.iterations is not None and i >= args.iterations) or time.monotonic() - started > args.seconds:
                break
            bench.round(kind)
        results, errors = summarize(bench, args, time.monotonic() - started)
    finally:
        bench.close()
        if args.keep is None:
            shutil.rmtree(work_dir, ignore_errors=True)
    table = Table("metric", "value", title="fault benchmark")
    for key, value in results.items():
        table.add_row(key, str(value))
    console = Console(stderr=False)
    console.print(table)
    for problem in list(bench.results.problems)[:20] + errors[:10]:
        console.print(f"[red]{problem}[/red]")
    print(json.dumps(results), flush=True)
    sys.exit(1 if any(results[k] for k in MUST_BE_ZERO) else 0)


if __name__ == "__main__":
    main()
