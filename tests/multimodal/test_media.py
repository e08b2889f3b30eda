"""Image, audio and video columns: headers read at insert, bytes stored once (large ones as blob
objects), lazy decoding in SQL, corrupt media, branches that copy rows without copying bytes."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

import agentlake
from agentlake.media import INLINE_LIMIT

from .conftest import jpeg_bytes, png_bytes


def _blob_bytes(root) -> int:
    folder = os.path.join(root, "blobs")
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(folder) for f in files)


@pytest.fixture
def pics(db):
    db.execute("CREATE TABLE pics (id int PRIMARY KEY, img image, label int)")
    return db


def test_header_facts_and_exact_round_trip(pics):
    big, small = jpeg_bytes(600, 400, 1), png_bytes(np.zeros((8, 16), np.uint8))
    assert len(big) > INLINE_LIMIT >= len(small)
    pics.execute("INSERT INTO pics VALUES (1, %s, 0), (2, %s, 1)", (big, small))
    assert pics.execute(
        "SELECT id, width(img), height(img), channels(img), media_format(img) FROM pics ORDER BY id"
    ).fetchall() == [(1, 600, 400, 3, "jpeg"), (2, 16, 8, 1, "png")]
    assert pics.execute("SELECT id FROM pics WHERE width(img) > 512").fetchall() == [(1,)]
    assert pics.execute("SELECT img FROM pics ORDER BY id").fetchall() == [(big,), (small,)]


def test_decode_and_resize_give_tensors(pics):
    pixels = np.random.default_rng(3).integers(0, 255, (20, 30, 3), dtype=np.uint8)
    pics.execute("INSERT INTO pics VALUES (1, %s, 0)", (png_bytes(pixels),))
    decoded, resized = pics.execute("SELECT image_decode(img), image_resize(img, 15, 10) FROM pics").fetchone()
    assert np.array_equal(decoded, pixels)
    assert resized.shape == (10, 15, 3) and resized.dtype == np.uint8
    assert pics.execute("SELECT shape(image_resize(img, 224, 224)) FROM pics").fetchone() == ([224, 224, 3],)


def test_corrupt_media_fails_on_decode_not_insert(pics):
    with pytest.raises(agentlake.DataError) as err:
        pics.execute("INSERT INTO pics VALUES (1, %s, 0)", (b"not an image at all",))
    assert err.value.sqlstate == "22P02"
    truncated = jpeg_bytes(300, 300, 2)[:3000]  # a good header over a cut body
    pics.execute("INSERT INTO pics VALUES (2, %s, 0)", (truncated,))
    assert pics.execute("SELECT width(img) FROM pics").fetchone() == (300,)
    with pytest.raises(agentlake.DataError) as err:
        pics.execute("SELECT image_decode(img) FROM pics").fetchall()
    assert err.value.sqlstate == "22P02"


def test_branch_update_and_merge_copy_no_image_bytes(pics, tmp_path):
    images = [jpeg_bytes(128, 128, seed) for seed in range(5)]
    pics.execute(
        "INSERT INTO pics VALUES " + ", ".join(["(%s, %s, 0)"] * 5),
        [v for i, img in enumerate(images) for v in (i, img)],
    )
    root = str(tmp_path / "repo")
    before = _blob_bytes(root)
    assert before >= sum(len(i) for i in images)
    pics.execute("INSERT INTO pics VALUES (99, %s, 0)", (images[0],))  # same bytes again: stored once
    pics.branch("relabel")
    pics.checkout("relabel")
    pics.execute("UPDATE pics SET label = label + 1")
    pics.execute("INSERT INTO pics SELECT id + 100, img, label FROM pics WHERE id < 2")
    diff = pics.diff("main")
    assert diff is not None
    pics.checkout("main")
    pics.merge(into="main", source="relabel")
    assert _blob_bytes(root) == before
    assert pics.execute("SELECT count(*), sum(label) FROM pics").fetchone() == (8, 8)
    assert pics.execute("SELECT img FROM pics WHERE id = 101").fetchone() == (images[1],)


def test_audio_and_video_columns(db):
    soundfile = pytest.importorskip("soundfile")
    av = pytest.importorskip("av")
    samples = (np.sin(np.linspace(0, 440 * 2 * np.pi, 8000)) * 0.5).astype(np.float32)
    wav = io.BytesIO()
    soundfile.write(wav, samples, 8000, format="WAV", subtype="FLOAT")
    clip = io.BytesIO()
    with av.open(clip, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), i * 20, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    db.execute("CREATE TABLE clips (id int, sound audio, film video)")
    db.execute("INSERT INTO clips VALUES (1, %s, %s)", (wav.getvalue(), clip.getvalue()))
    assert db.execute(
        "SELECT sample_rate(sound), duration(sound), channels(sound), frame_count(film), width(film) FROM clips"
    ).fetchone() == (8000, 1.0, 1, 10, 32)
    decoded, frames = db.execute("SELECT audio_decode(sound), video_frames(film, 5) FROM clips").fetchone()
    assert np.allclose(decoded[:, 0], samples)
    assert frames.shape == (5, 24, 32, 3)
