"""What the fault benchmark's writers do, and the journal they keep of it.

Each writer process owns a slot: a branch of its own (``w<slot>``, which a writer killed and started
again carries on with, as an agent reconnecting to its branch would) and two lanes, one for rows it writes on that branch and one for rows it writes straight on ``main``. Every
transaction keeps three facts together, so that a half-applied commit shows:

- ``parents (id PRIMARY KEY, lane, email UNIQUE, n CHECK (n >= 0))``: one row per insert;
- ``children (id PRIMARY KEY, parent REFERENCES parents ON DELETE CASCADE, lane)``: the insert's twin
  (same id), plus "adopting" children (negative ids) that point at another lane's parent;
- ``tally (lane PRIMARY KEY, parents)``: how many parents the lane has.

A quarter of the emails come from a pool of 20 and adopted parents get deleted by their owners, so
concurrent writers and merges into ``main`` keep running into UNIQUE and FOREIGN KEY violations that
must be refused (at the statement, at commit replay as 40001, at merge as a conflict; a writer whose
branch cannot merge deletes it and creates it again from ``main``).

Before each COMMIT (or merge, or branch reset) the writer appends ``try`` to its acknowledgement log,
and ``ok`` once it returned, each with the time: one small O_APPEND write each, which a SIGKILL never leaves half done.

:func:`run` writes SQL through ``agentlake.connect`` (and :func:`transaction` also takes a psycopg
connection to a server); :func:`run_catalog` makes the same inserts, deletes and merges through the
catalog's API, for object stores: the engine cannot read Parquet files from one yet (SQL on an
``s3://`` repository fails with XX000 "No suitable object store found").
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import dataclass
from functools import partial

SCHEMA = (
    "CREATE TABLE parents (id bigint PRIMARY KEY, lane text NOT NULL, email text NOT NULL UNIQUE,"
    " n int CHECK (n >= 0))",
    "CREATE TABLE children (id bigint PRIMARY KEY,"
    " parent bigint NOT NULL REFERENCES parents(id) ON DELETE CASCADE, lane text NOT NULL)",
    "CREATE TABLE tally (lane text PRIMARY KEY, parents bigint NOT NULL)",
)
EMAILS = 5000  # most emails are drawn from here and rarely collide ...
HOT_EMAILS = 20  # ... a quarter from here, where concurrent writers and merges keep colliding
IDS_PER_INCARNATION = 1_000_000
REFUSALS = {"23505", "23503", "23514", "40001"}  # what concurrent writers may be told; anything else is an error


@dataclass(frozen=True)
class Writer:
    """One writer process: where it writes, who it is, where it acknowledges."""

    url: str
    slot: int
    incarnation: int  # unique over the whole run: ids never repeat
    acks: str
    seed: int
    durability: str = "full"
    storage_options: dict | None = None
    trace: tuple[str, str] | None = None  # (repository root, epoch folder) to simulate power loss later


def setup(url: str, storage_options: dict | None = None) -> None:
    import agentlake

    with agentlake.connect(url, storage_options=storage_options) as db:
        for statement in SCHEMA:
            db.execute(statement)


class Journal:
    """A writer's acknowledgement log."""

    def __init__(self, path: str, writer: Writer) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._common = {"w": writer.incarnation, "d": writer.durability}

    def __call__(self, state: str, **fields) -> None:
        line = {**self._common, "s": state, "t": time.time(), **fields}
        os.write(self._fd, (json.dumps(line) + "\n").encode())

    def failed(self, kind: str, branch: str, err: Exception) -> None:
        """Log a refusal; any other error ends the writer (exit code 3): it cannot trust what it sees."""
        sqlstate = getattr(err, "sqlstate", None)
        if sqlstate in REFUSALS:
            self("no", k=kind, b=branch, e=sqlstate)
            return
        self("error", k=kind, b=branch, e=f"{sqlstate or type(err).__name__} {err}"[:300])
        raise SystemExit(3)


class Plan:
    """A writer's random choices, the same whichever way it writes."""

    def __init__(self, writer: Writer, kinds: tuple[str, ...], branch_share: float = 0.7) -> None:
        self.writer, self.kinds, self.branch_share = writer, kinds, branch_share
        self.rng = random.Random(writer.seed)
        self.next_id = writer.incarnation * IDS_PER_INCARNATION

    def step(self) -> tuple[str, str, str, int]:
        """(kind, branch to write, lane, a fresh id)."""
        self.next_id += 1
        on_branch = self.rng.random() < self.branch_share
        weights = {"insert": 6, "delete": 3, "adopt": 2, "merge": 1 if on_branch else 0}
        kind = self.rng.choices(self.kinds, [weights[k] for k in self.kinds])[0]
        lane = f"s{self.writer.slot}:{'b' if on_branch else 'm'}"
        return kind, self.branch if on_branch else "main", lane, self.next_id

    def email(self) -> str:
        return f"hot{self.rng.randrange(HOT_EMAILS)}" if self.rng.random() < 0.25 else f"e{self.rng.randrange(EMAILS)}"

    @property
    def branch(self) -> str:
        return f"w{self.writer.slot}"


def run(writer: Writer) -> None:
    """Commit SQL through the embedded API until killed."""
    if writer.trace is not None:
        from power_loss import trace_local_storage

        trace_local_storage(*writer.trace)
    import agentlake

    plan, journal = Plan(writer, ("insert", "delete", "adopt", "merge")), Journal(writer.acks, writer)
    db = agentlake.connect(
        writer.url, plan.branch, storage_options=writer.storage_options, durability=writer.durability
    )
    while True:
        kind, where, lane, new_id = plan.step()
        db.checkout(where)
        try:
            if kind == "merge":
                db.autocommit = True
                _merge_or_reset(
                    journal, plan.branch, partial(db.merge, "main"), agentlake.MergeConflict, partial(_reset_sql, db)
                )
            else:
                transaction(db, plan.rng, kind, lane, where, new_id, journal, plan.email())
        except Exception as err:
            db.rollback()
            journal.failed(kind, where, err)


def _reset_sql(db, branch: str) -> None:
    db.checkout("main")
    db.execute("SELECT agentlake.delete_branch(%s)", (branch,))
    db.branch(branch, from_="main")


def transaction(
    db, rng: random.Random, kind: str, lane: str, branch: str, new_id: int, journal: Journal, email: str
) -> None:
    """One insert, delete or adopt on ``db`` (an agentlake or a psycopg connection: the same DB-API calls)."""
    db.autocommit = False
    facts: dict = {"k": kind, "b": branch}
    if kind == "insert":
        n = rng.randint(-1, 20)  # -1 breaks the CHECK
        db.execute("INSERT INTO parents VALUES (%s, %s, %s, %s)", (new_id, lane, email, n))
        db.execute("INSERT INTO children VALUES (%s, %s, %s)", (new_id, new_id, lane))
        db.execute(
            "INSERT INTO tally VALUES (%s, 1) ON CONFLICT (lane) DO UPDATE SET parents = tally.parents + 1", (lane,)
        )
        facts["id"] = new_id
    elif kind == "delete":
        ids = [r[0] for r in db.execute("SELECT id FROM parents WHERE lane = %s", (lane,)).fetchall()]
        if not ids:
            db.rollback()
            return
        victim = rng.choice(ids)
        db.execute("DELETE FROM parents WHERE id = %s", (victim,))
        db.execute("UPDATE tally SET parents = parents - 1 WHERE lane = %s", (lane,))
        facts["id"] = victim
    else:
        ids = [r[0] for r in db.execute("SELECT id FROM parents WHERE lane <> %s LIMIT 200", (lane,)).fetchall()]
        if not ids:
            db.rollback()
            return
        parent = rng.choice(ids)
        db.execute("INSERT INTO children VALUES (%s, %s, %s)", (-new_id, parent, lane))
        facts.update(id=-new_id, parent=parent)
    journal("try", **facts)
    db.commit()
    journal("ok", **facts)


def _merge_or_reset(journal: Journal, branch: str, merge, conflict, reset) -> None:
    """Merge the slot's branch into main; a ``conflict`` retires it: deleted and created again from main."""
    journal("try", k="merge", b="main", src=branch)
    try:
        commit = merge()
    except conflict:
        journal("fail", k="merge", b="main", src=branch)
        journal("try", k="reset", b=branch)
        reset(branch)
        journal("ok", k="reset", b=branch)
        return
    journal("ok", k="merge", b="main", src=branch, commit=commit)


def run_catalog(writer: Writer) -> None:
    """Commit the same inserts, deletes and merges through the catalog's API until killed (no adopting
    children: a delete removes its parent's twin itself, as the cascade would)."""
    import pyarrow.compute as pc

    from catalog import MergeConflict, Repository
    from catalog.merge import merge as merge_refs

    plan, journal = Plan(writer, ("insert", "delete", "merge")), Journal(writer.acks, writer)
    repo = Repository.open(
        writer.url, create=False, durability=writer.durability, storage_options=writer.storage_options
    )
    repo.create_branch(plan.branch, from_="main", exist_ok=True)
    while True:
        kind, where, lane, new_id = plan.step()
        try:
            if kind == "merge":
                merge = partial(merge_refs, repo, plan.branch, "main", check_evaluator=_n_not_negative)
                _merge_or_reset(journal, plan.branch, merge, MergeConflict, partial(_reset, repo))
                continue
            tx = repo.begin(where)
            tx.check_evaluator = _n_not_negative
            tally = tx.snapshot.read("tally").filter(pc.field("lane") == lane).column("parents").to_pylist()
            count = tally[0] if tally else 0
            if kind == "insert":
                tx.append("parents", _row(tx, "parents", {"id": new_id, "lane": lane, "email": plan.email(), "n": 1}))
                tx.append("children", _row(tx, "children", {"id": new_id, "parent": new_id, "lane": lane}))
                tx.upsert("tally", _row(tx, "tally", {"lane": lane, "parents": count + 1}))
                facts = {"k": kind, "b": where, "id": new_id}
            else:
                ids = tx.snapshot.read("parents").filter(pc.field("lane") == lane).column("id").to_pylist()
                if not ids:
                    tx.rollback()
                    continue
                victim = plan.rng.choice(ids)
                tx.delete_keys("children", [victim])
                tx.delete_keys("parents", [victim])
                tx.upsert("tally", _row(tx, "tally", {"lane": lane, "parents": count - 1}))
                facts = {"k": kind, "b": where, "id": victim}
            journal("try", **facts)
            tx.commit()
            journal("ok", **facts)
        except Exception as err:
            journal.failed(kind, where, err)


def _reset(repo, branch: str) -> None:
    repo.delete_branch(branch)
    repo.create_branch(branch, from_="main")


def _row(tx, table: str, row: dict):
    import pyarrow as pa

    return pa.Table.from_pylist([row], schema=tx.manifest(table).schema)


def _n_not_negative(sql: str, rows):
    """The schema's one CHECK, ``n >= 0``, evaluated without an engine (the catalog asks its caller)."""
    import pyarrow.compute as pc

    return pc.greater_equal(rows.column("n"), 0)
