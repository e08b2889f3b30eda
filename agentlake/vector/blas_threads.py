"""Small matrix products run on one BLAS thread while any session runs one.

OpenBLAS keeps one thread pool per process. When several sessions of one process (the demo's
agents, the wire server's workers) score small exact searches at once, every call wakes the
pool and its threads spin waiting for the next, so eight concurrent agents spent five times the
CPU of one doing the same searches (measured on two cores: 2.3 s against 0.45 s wall). A small
product gains nothing from a second thread anyway, so while any is running the pool is limited
to one thread; the limit is process-wide, hence counted, and lifted when the last one ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

SMALL_PRODUCT = 1 << 22
"""Multiply-adds under which one thread scores a product in well under a millisecond."""

_lock = threading.Lock()
_running = 0
_restore = None
_controller: ThreadpoolController | None = None


@contextmanager
def blas_threads_for(multiply_adds: int) -> Iterator[None]:
    """Run the enclosed products on one BLAS thread when they are small; big ones keep the pool."""
    if multiply_adds >= SMALL_PRODUCT:
        yield
        return
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _running, _restore, _controller
    with _lock:
        _running += 1
        if _running == 1:
            _controller = _controller or ThreadpoolController()
            _restore = _controller.limit(limits=1, user_api="blas")


def _leave() -> None:
    global _running, _restore
    with _lock:
        _running -= 1
        if _running == 0 and _restore is not None:
            _restore.restore_original_limits()
            _restore = None
