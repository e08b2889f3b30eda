"""Decoding media to arrays, with well-kept libraries: Pillow for images, soundfile (libsndfile)
for audio, PyAV (FFmpeg) for video. Every failure is 22P02, raised when a value is decoded (not
when it was stored: a good header over a corrupt body is found only here)."""

from __future__ import annotations

import io

import numpy as np

from ..errors import DataError
from .metadata import invalid


def decode_image(data: bytes, size: tuple[int, int] | None = None) -> np.ndarray:
    """``(height, width, channels)`` uint8; resized (bilinear) to ``size`` = (width, height) when given.
    Grey images keep one channel and RGBA four; palette and CMYK images become RGB."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if size is not None and img.format == "JPEG":
                img.draft("RGB", size)  # let libjpeg scale down while decoding: far less work
            if img.mode not in ("L", "RGB", "RGBA"):
                img = img.convert("RGB")
            if size is not None and img.size != tuple(size):
                img = img.resize(tuple(size), Image.Resampling.BILINEAR)
            array = np.asarray(img)
    except DataError:
        raise
    except Exception as err:
        raise invalid("image", f"cannot decode ({type(err).__name__}: {err})") from None
    return array[:, :, None] if array.ndim == 2 else array


def decode_audio(data: bytes) -> np.ndarray:
    """``(frames, channels)`` float32 samples in [-1, 1]."""
    import soundfile

    try:
        samples, _ = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except Exception as err:
        raise invalid("audio", f"cannot decode ({type(err).__name__}: {err})") from None
    return samples


def decode_video(data: bytes, fps: float | None = None) -> np.ndarray:
    """``(frames, height, width, 3)`` uint8 RGB frames, one every ``1/fps`` seconds (all when None)."""
    import av

    frames, next_time = [], 0.0
    try:
        with av.open(io.BytesIO(data)) as container:
            for frame in container.decode(video=0):
                when = float(frame.time) if frame.time is not None else next_time
                if fps and when + 1e-9 < next_time:
                    continue
                frames.append(frame.to_ndarray(format="rgb24"))
                next_time = when + 1.0 / fps if fps else 0.0
    except Exception as err:
        raise invalid("video", f"cannot decode ({type(err).__name__}: {err})") from None
    if not frames:
        raise invalid("video", "no frames")
    return np.stack(frames)
