"""What must hold after any fault: read a repository afresh and hold it against the writers' logs.

- every acknowledged commit is there: an acknowledged insert's row on its branch (unless a later delete
  of it was tried), an acknowledged delete's row gone, an acknowledged adopting child there (unless a
  delete of its parent, which takes it along, was tried anywhere: merges carry deletes into main), an
  acknowledged merge's commit in main's history, and no branch with acknowledged commits missing; what
  a branch held before its writer deleted it (to create it again from main) is not expected any more;
- nothing half-applied is visible: every parent has its twin child, every lane's tally counts its
  parents;
- every constraint holds on every branch: keys and UNIQUE emails distinct, every child's parent there,
  no negative n, no NULL where NOT NULL;
- every branch and tag reads, and the repository opens without any repair.

Acknowledgements written with ``durability='relaxed'`` during an epoch that ended in a power loss are
not expected to survive it (that mode promises to survive a process crash only).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from catalog import Repository


@dataclass
class Findings:
    acknowledged: int = 0
    lost_acknowledged: int = 0
    partial_visible: int = 0
    constraint_violations: int = 0
    unreadable_states: int = 0
    open_failures: int = 0
    recovery_ms: float | None = None
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, how many, what)

    def add(self, kind: str, count: int, what: str) -> None:
        if count:
            setattr(self, kind, getattr(self, kind) + count)
            self.problems.append((kind, count, what))


def read_acks(folder: Path, forgiven_epochs: set[int]) -> list[dict]:
    """Every log line of every writer under ``folder`` (files ``<epoch>.<anything>.acks``). A relaxed
    acknowledgement from an epoch that ended in a power loss counts as tried, not acknowledged."""
    out = []
    for path in sorted(folder.glob("*.acks")):
        epoch = int(path.name.split(".")[0])
        for line in path.read_text().splitlines():
            entry = json.loads(line)
            if epoch in forgiven_epochs and entry["d"] == "relaxed" and entry["s"] == "ok":
                entry["s"] = "try"
            out.append(entry)
    return out


def check(url: str, acks: list[dict], storage_options: dict | None = None) -> Findings:
    found = Findings()
    started = time.perf_counter()
    try:
        repo = Repository.open(url, create=False, storage_options=storage_options)
        repo.snapshot("main").read("parents")
    except Exception as err:  # what a crash left must never need repair
        found.add("open_failures", 1, f"{type(err).__name__}: {err}")
        return found
    found.recovery_ms = (time.perf_counter() - started) * 1000
    states = _read_refs(repo, found)
    _check_acks(repo, states, acks, found)
    for branch, tables in states.items():
        _check_constraints(branch, tables, found)
    return found


def _read_refs(repo: Repository, found: Findings) -> dict[str, dict[str, pa.Table]]:
    """Every table of every branch (tags are read, not kept)."""
    states = {}
    refs = [("branch", name) for name in repo.branches()] + [("tag", name) for name in repo.tags()]
    for kind, name in refs:
        try:
            snapshot = repo.snapshot(name)
            tables = {table: snapshot.read(table) for table in snapshot.tables}
        except Exception as err:
            found.add("unreadable_states", 1, f"{kind} {name}: {type(err).__name__}: {err}"[:300])
            continue
        if kind == "branch":
            states[name] = tables
    return states


def _check_acks(repo: Repository, states: dict, acks: list[dict], found: Findings) -> None:
    tried = [a for a in acks if a["s"] in ("try", "ok")]
    tried_deletes = {(a["b"], a["id"]) for a in tried if a["k"] == "delete"}
    deleted_anywhere = {a["id"] for a in tried if a["k"] == "delete"}
    last_reset: dict[str, float] = {}  # a branch deleted and created again forgets what it held
    for a in tried:
        if a["k"] == "reset":
            last_reset[a["b"]] = max(a["t"], last_reset.get(a["b"], 0.0))
    ok = [a for a in tried if a["s"] == "ok" and a["k"] != "reset" and a["t"] > last_reset.get(a["b"], 0.0)]
    found.acknowledged = len(ok)
    ids = {branch: set(tables["parents"].column("id").to_pylist()) for branch, tables in states.items()}
    child_ids = {branch: set(tables["children"].column("id").to_pylist()) for branch, tables in states.items()}
    missing_branches = Counter(a["b"] for a in ok if a["b"] not in states)
    for branch, count in missing_branches.items():
        found.add("lost_acknowledged", count, f"branch {branch} with {count} acknowledged commits is gone")
    main_history = None
    for a in ok:
        branch = a["b"]
        if branch not in states:
            continue
        if a["k"] == "insert" and (branch, a["id"]) not in tried_deletes and a["id"] not in ids[branch]:
            found.add("lost_acknowledged", 1, f"insert of parent {a['id']} on {branch}")
        elif a["k"] == "delete" and a["id"] in ids[branch]:
            found.add("lost_acknowledged", 1, f"delete of parent {a['id']} on {branch}")
        elif a["k"] == "adopt" and a["id"] not in child_ids[branch] and a["parent"] not in deleted_anywhere:
            found.add("lost_acknowledged", 1, f"adopting child {a['id']} on {branch}")
        elif a["k"] == "merge":
            if main_history is None:
                main_history = {commit_id for commit_id, _ in repo.log("main")}
            if a["commit"] not in main_history:
                found.add("lost_acknowledged", 1, f"merge {a['commit']} of {a['src']} not in main's history")


def _check_constraints(branch: str, tables: dict[str, pa.Table], found: Findings) -> None:
    parents, children, tally = (tables[name].to_pylist() for name in ("parents", "children", "tally"))
    for name, rows, key in (("parents", parents, "id"), ("children", children, "id"), ("tally", tally, "lane")):
        _distinct(found, branch, f"{name}.{key}", [r[key] for r in rows])
    _distinct(found, branch, "parents.email", [r["email"] for r in parents])
    nulls = sum(
        r[c] is None
        for rows, columns in (
            (parents, ("id", "lane", "email")),
            (children, ("id", "parent", "lane")),
            (tally, ("lane", "parents")),
        )
        for r in rows
        for c in columns
    )
    found.add("constraint_violations", nulls, f"{branch}: {nulls} NULLs in NOT NULL columns")
    negative = sum(r["n"] is not None and r["n"] < 0 for r in parents)
    found.add("constraint_violations", negative, f"{branch}: {negative} rows break CHECK (n >= 0)")
    parent_ids = {r["id"] for r in parents}
    orphans = [r["id"] for r in children if r["parent"] not in parent_ids]
    found.add("constraint_violations", len(orphans), f"{branch}: children {orphans[:5]} reference missing parents")
    twins = {r["id"] for r in children if r["id"] > 0}
    alone = sorted(parent_ids - twins)
    found.add("partial_visible", len(alone), f"{branch}: parents {alone[:5]} without the child written with them")
    counted = Counter(r["lane"] for r in parents)
    tallied = {r["lane"]: r["parents"] for r in tally}
    off = {lane for lane in set(counted) | set(tallied) if counted.get(lane, 0) != tallied.get(lane, 0)}
    found.add("partial_visible", len(off), f"{branch}: lanes {sorted(off)[:5]} whose tally disagrees with their rows")


def _distinct(found: Findings, branch: str, column: str, values: list) -> None:
    repeats = len(values) - len(set(values))
    found.add("constraint_violations", repeats, f"{branch}: {repeats} repeated values in {column}")
