"""PostgreSQL 16 with pgvector as a benchmark peer, from the ``pgserver`` package.

Every benchmark that compares against PostgreSQL starts it the same way: in a
folder of the run, as an unprivileged user when we are root, and not at all
(with the reason on stderr) where that cannot work.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def postgres(workdir: Path, label: str = "PostgreSQL peer") -> Iterator[str | None]:
    """Yield the URI of a fresh PostgreSQL under ``workdir``, or None when none can run here."""
    try:
        import pgserver
    except ImportError as err:
        print(f"{label} skipped: {err} (pip install pgserver)", file=sys.stderr)
        yield None
        return
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o777)  # as root, pgserver runs postgres as an unprivileged user
    try:
        server = pgserver.get_server(workdir / "data", cleanup_mode="delete")
    except Exception as err:  # noqa: BLE001 - e.g. no way to run postgres as a non-root user: report without it
        print(f"{label} skipped: PostgreSQL did not start ({err})", file=sys.stderr)
        yield None
        return
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
