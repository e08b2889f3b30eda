"""The README demo: a fleet of agents, one branch each, writing and searching at once.

Run with ``python -m agentlake.demo [--agents N] [--steps S] [--repo URL]``. It builds a
fresh repository holding WordNet glosses with their embeddings, then lets N agents
explore it concurrently, each on its own branch: every step is a filtered vector
search in SQL (``ORDER BY embedding <-> %s LIMIT 5``) followed by a write of what the
agent found. It shows each agent's timings, that main saw none of it, a diff, and a
merge of every branch into main in which agents that claimed the same topic conflict
and the conflict is settled with a strategy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

import agentlake
from agentlake.errors import Error

GLOSSES = Path(__file__).resolve().parents[1] / "tests" / "data" / "wordnet_glosses.parquet"
FAMILIAR = ["river", "book", "star", "dance", "milk", "train", "light", "walk", "think", "play", "dog", "music"]
SEARCH = (
    "SELECT id, lemma, gloss, embedding, embedding <-> %s AS distance FROM glosses "
    "WHERE pos = %s ORDER BY embedding <-> %s LIMIT 5"
)


@dataclass
class AgentRun:
    """What one agent did and how long each kind of step took."""

    name: str
    topic: str
    path: list[str] = field(default_factory=list)
    branch_ms: float = 0.0
    search_ms: list[float] = field(default_factory=list)
    write_ms: list[float] = field(default_factory=list)
    total_s: float = 0.0
    error: str | None = None


def load_corpus(path: Path = GLOSSES) -> pa.Table:
    """The committed WordNet subset; outside a source checkout, a synthetic stand-in of the same shape."""
    if path.exists():
        return pq.read_table(path, columns=["id", "synset", "pos", "lemma", "gloss", "embedding"])
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(len(FAMILIAR), 64)).astype(np.float32)
    rows = 2000
    which = np.arange(rows) % len(FAMILIAR)
    vectors = centres[which] + 0.6 * rng.normal(size=(rows, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    lemmas = [FAMILIAR[w] if i < len(FAMILIAR) else f"{FAMILIAR[w]}-{i}" for i, w in enumerate(which)]
    return pa.table(
        {
            "id": pa.array(range(rows), pa.int64()),
            "synset": [f"{i:08d}-n" for i in range(rows)],
            "pos": ["n"] * rows,
            "lemma": lemmas,
            "gloss": [f"synthetic concept {i} near '{FAMILIAR[w]}'" for i, w in enumerate(which)],
            "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), vectors.shape[1]),
        }
    )


def pick_topics(corpus: pa.Table, count: int) -> list[tuple[str, str]]:
    """(lemma, part of speech) pairs to explore: familiar words the corpus has, then evenly spaced entries."""
    first_pos: dict[str, str] = {}
    for lemma, pos in zip(corpus.column("lemma").to_pylist(), corpus.column("pos").to_pylist()):
        first_pos.setdefault(lemma, pos)
    topics = {word: first_pos[word] for word in FAMILIAR if word in first_pos}
    lemmas = list(first_pos)
    for lemma in lemmas[:: max(1, len(lemmas) // (count + 1))]:
        topics.setdefault(lemma, first_pos[lemma])
    return list(topics.items())[:count]


def setup(repo: str, corpus: pa.Table, topics: list[str]) -> agentlake.Connection:
    main = agentlake.connect(repo)
    dim = corpus.schema.field("embedding").type.list_size
    main.execute(
        f"CREATE TABLE glosses (id bigint PRIMARY KEY, synset text, pos text, lemma text, gloss text, "
        f"embedding vector({dim}))"
    )
    main.execute(
        f"CREATE TABLE findings (id bigserial PRIMARY KEY, agent text, step int, lemma text, gloss text, "
        f"distance double precision, embedding vector({dim}))"
    )
    main.execute("CREATE TABLE claims (topic text PRIMARY KEY, agent text, best text)")
    main.executemany("INSERT INTO claims VALUES (%s, NULL, NULL)", [(t,) for t in topics])
    main.load_arrow("glosses", corpus)  # bulk load: one Parquet file, one commit
    return main


def explore(repo: str, run: AgentRun, pos: str, steps: int, rank: int) -> None:
    """Walk through meaning: search near the current point, write what was found, move there.

    ``rank`` picks which of the unvisited hits to follow, so agents sharing a topic diverge.
    """
    started = time.perf_counter()
    try:
        db = agentlake.connect(repo, branch=run.name)
        run.branch_ms = (time.perf_counter() - started) * 1000
        row = db.execute("SELECT embedding FROM glosses WHERE lemma = %s ORDER BY id LIMIT 1", [run.topic]).fetchone()
        point = np.asarray(row[0], dtype=np.float32)
        seen: set[int] = set()
        for step in range(steps):
            t = time.perf_counter()
            hits = db.execute(SEARCH, [point, pos, point]).fetchall()
            run.search_ms.append((time.perf_counter() - t) * 1000)
            fresh = [h for h in hits if h[0] not in seen] or hits
            gloss_id, lemma, gloss, embedding, distance = fresh[min(rank, len(fresh) - 1)]
            seen.add(gloss_id)
            run.path.append(lemma)
            t = time.perf_counter()
            db.execute(
                "INSERT INTO findings (agent, step, lemma, gloss, distance, embedding) VALUES (%s, %s, %s, %s, %s, %s)",
                [run.name, step, lemma, gloss, distance, embedding],
            )
            run.write_ms.append((time.perf_counter() - t) * 1000)
            point = np.asarray(embedding, dtype=np.float32)
        nearest = run.path[1] if len(run.path) > 1 else run.path[0]  # the first hop away from the topic itself
        db.execute("UPDATE claims SET agent = %s, best = %s WHERE topic = %s", [run.name, nearest, run.topic])
    except Error as err:
        run.error = f"{type(err).__name__} ({err.sqlstate}): {err}"
    run.total_s = time.perf_counter() - started


def _p50(values: list[float]) -> str:
    return f"{statistics.median(values):.1f}" if values else "-"


def timings_table(runs: list[AgentRun], elapsed: float) -> Table:
    table = Table(title=f"{len(runs)} agents worked at once for {elapsed:.2f} s (wall clock)")
    for column in ("agent", "topic", "branch\nms", "search\np50 ms", "write\np50 ms", "total\ns"):
        table.add_column(column, justify="left" if column in ("agent", "topic") else "right", no_wrap=True)
    table.add_column("walked through (first hops)")
    for run in runs:
        walked = " → ".join(list(dict.fromkeys(run.path))[1:4]) + " …"
        table.add_row(
            run.name,
            run.topic,
            f"{run.branch_ms:.2f}",
            _p50(run.search_ms),
            _p50(run.write_ms),
            f"{run.total_s:.2f}",
            f"[red]{run.error}[/]" if run.error else walked,
        )
    return table


def merge_all(console: Console, repo: str, runs: list[AgentRun]) -> tuple[int, int]:
    """Merge every agent in order; a claim conflict is shown as data, then settled: the first claim stands."""
    merged = conflicted = 0
    for run in runs:
        if run.error:
            continue
        agent = agentlake.connect(repo, branch=run.name, create=False)
        try:
            agent.merge("main")
        except Error as err:
            conflicted += 1
            for conflict in getattr(err, "conflicts", []):
                ours, theirs = conflict["ours"] or {}, conflict["theirs"] or {}
                console.print(
                    f"[yellow]conflict[/] ({err.sqlstate}) {run.name} → main: {conflict['table']} "
                    f"[bold]{conflict['key']}[/] is claimed by {ours.get('agent')} ({ours.get('best')}) "
                    f"on main and by {theirs.get('agent')} ({theirs.get('best')}) on the branch"
                )
            console.print("  settled with strategy 'ours': main's claim stands, the agent's findings merge")
            agent.merge("main", strategy="ours")
        merged += 1
    return merged, conflicted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--steps", type=int, default=12, help="searches (and writes) per agent")
    parser.add_argument("--repo", default=None, help="repository URL (default: a fresh temporary folder)")
    args = parser.parse_args(argv)
    console = Console()
    demo_started = time.perf_counter()
    repo = args.repo or tempfile.mkdtemp(prefix="agentlake-demo-") + "/repo"
    corpus = load_corpus()
    topics = pick_topics(corpus, (args.agents + 1) // 2)
    seeds = [topics[i // 2] for i in range(args.agents)]  # two agents per topic: their claims collide
    main_db = setup(repo, corpus, [topic for topic, _ in topics])
    console.rule(
        f"[bold]{args.agents} agents, one branch each[/] · {corpus.num_rows} glosses with "
        f"{corpus.schema.field('embedding').type.list_size}-d embeddings · {repo}"
    )

    runs = [AgentRun(f"agent-{i:02d}", topic) for i, (topic, _) in enumerate(seeds)]
    threads = [
        threading.Thread(target=explore, args=(repo, run, pos, args.steps, index % 2))
        for index, (run, (_, pos)) in enumerate(zip(runs, seeds))
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    console.print(timings_table(runs, time.perf_counter() - started))
    console.print("each step: [cyan]" + SEARCH.replace("%s", "?") + "[/], then one INSERT of the hit with its vector")

    console.rule("[bold]isolation[/]: main has seen none of it yet")
    first = runs[0].name
    count = "SELECT count(*) FROM findings"
    console.print(
        f"findings on main: {main_db.execute(count).fetchone()[0]}, "
        f"on {first}: {agentlake.connect(repo, branch=first, create=False).execute(count).fetchone()[0]}"
    )
    for name, change in sorted(main_db.diff("main", first).items()):
        console.print(f"diff main..{first} · {name}: {change.counts}")

    console.rule("[bold]merging[/] every agent into main, in order")
    merged, conflicted = merge_all(console, repo, runs)

    unexplored = pick_topics(corpus, len(topics) + 1)[len(topics) :]
    anchor = unexplored[0][0] if unexplored else runs[-1].topic
    point = main_db.execute("SELECT embedding FROM glosses WHERE lemma = %s ORDER BY id LIMIT 1", [anchor]).fetchone()[
        0
    ]
    table = Table(
        title=f"main after {merged} merges ({conflicted} conflicts settled): each agent's finding nearest to '{anchor}'"
    )
    for column in ("agent", "topic", "lemma", "distance", "gloss"):
        table.add_column(column)
    for run in runs:
        nearest = main_db.execute(
            "SELECT lemma, embedding <-> %s AS d, gloss FROM findings WHERE agent = %s "
            "ORDER BY embedding <-> %s LIMIT 1",
            [point, run.name, point],
        ).fetchone()
        if nearest:
            table.add_row(run.name, run.topic, nearest[0], f"{nearest[1]:.3f}", nearest[2][:50])
    console.print(table)
    console.print("claims on main:", main_db.execute("SELECT topic, agent, best FROM claims ORDER BY topic").fetchall())
    console.print(
        f"findings on main: {main_db.execute(count).fetchone()[0]} · "
        f"commits on main: {main_db.log().num_rows} · demo took {time.perf_counter() - demo_started:.1f} s"
    )


if __name__ == "__main__":
    main()
