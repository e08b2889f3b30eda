"""Runs the server on the real engine in its own process, announcing its port (for the SIGTERM and
on-demand tests)."""

from __future__ import annotations

import argparse
import asyncio
import os
import socket

from agentlake.server.app import ServerConfig, run_server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--idle-exit", type=float, default=None)
    parser.add_argument("--handover-fd", type=int, default=None)
    parser.add_argument("--shutdown-grace", type=float, default=30.0)
    args = parser.parse_args()
    config = ServerConfig(
        repo=args.repo,
        database=os.path.basename(args.repo),
        trust=True,
        port=args.port,
        idle_exit_s=args.idle_exit,
        shutdown_grace_s=args.shutdown_grace,
    )
    handover = socket.socket(fileno=args.handover_fd) if args.handover_fd is not None else None
    asyncio.run(run_server(config, ready=lambda s: print(f"port {s.port}", flush=True), handover=handover))


if __name__ == "__main__":
    main()
