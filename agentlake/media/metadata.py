"""What a media value's header says, read at insert (without decoding the content).

Pillow reads an image's header lazily, soundfile (libsndfile) an audio file's, PyAV (FFmpeg) a
container's; all three are imported only when a value of their kind arrives, so a table of images
needs neither soundfile nor PyAV. A header none of them can read is 22P02 at insert; a body that
is corrupt behind a good header is found only when decoded (``agentlake.media.decode``).
"""

from __future__ import annotations

import io

from ..errors import DataError

FIELDS = ("format", "width", "height", "channels", "sample_rate", "duration", "frames")


def invalid(kind: str, detail: str) -> DataError:
    return DataError(f"[SQLSTATE 22P02] invalid input syntax for type {kind}: {detail}", sqlstate="22P02")


def read_metadata(kind: str, data: bytes) -> dict:
    """The header facts of ``data`` as ``FIELDS`` (missing ones None); 22P02 when unreadable."""
    try:
        facts = {"image": _image, "audio": _audio, "video": _video}[kind](data)
    except DataError:
        raise
    except Exception as err:  # each library raises its own classes for an unreadable header
        raise invalid(kind, f"unreadable header ({type(err).__name__}: {str(err).split(' <')[0]})") from None
    return {name: facts.get(name) for name in FIELDS}


def _image(data: bytes) -> dict:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return {
            "format": (img.format or "").lower(),
            "width": img.width,
            "height": img.height,
            "channels": len(img.getbands()),
            "frames": getattr(img, "n_frames", 1),
        }


def _audio(data: bytes) -> dict:
    import soundfile

    info = soundfile.info(io.BytesIO(data))
    return {
        "format": info.format.lower(),
        "sample_rate": info.samplerate,
        "channels": info.channels,
        "frames": info.frames,
        "duration": info.duration,
    }


def _video(data: bytes) -> dict:
    import av

    with av.open(io.BytesIO(data)) as container:
        if not container.streams.video:
            raise invalid("video", "no video stream")
        stream = container.streams.video[0]
        frames = stream.frames or sum(1 for _ in container.demux(stream) if _.size)
        duration = (
            float(stream.duration * stream.time_base)
            if stream.duration and stream.time_base
            else (container.duration / 1_000_000 if container.duration else None)
        )
        return {
            "format": container.format.name.split(",")[0],
            "width": stream.codec_context.width,
            "height": stream.codec_context.height,
            "channels": 3,
            "frames": frames,
            "duration": duration,
        }
