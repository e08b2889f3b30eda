"""``agentlake serve`` and ``agentlake user ...``; the lead mounts both on the main click group."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys

import click

from . import ondemand
from .processes import reserve_port, supervise
from .users import UserStore, repo_folder


def _database_name(repo: str) -> str:
    return os.path.basename(os.path.normpath(repo_folder(repo)))


@click.command("serve")
@click.argument("repo", default="default")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5432, show_default=True, type=int)
@click.option("--database", default=None, help="database name clients use (default: the repository's name)")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--require-tls", is_flag=True, help="refuse connections that do not use TLS")
@click.option("--trust", is_flag=True, help="no passwords (loopback only)")
@click.option("--idle-exit", type=float, default=None, help="exit after SECONDS without sessions")
@click.option("--on-demand", is_flag=True, help="keep only a tiny listener; start the engine at first connection")
@click.option("--max-message", type=int, default=64 * 1024 * 1024, show_default=True, help="largest message, bytes")
@click.option(
    "--processes",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="engine processes accepting on the port (use the cores: one process runs Python on one)",
)
@click.option(
    "--shutdown-grace",
    type=float,
    default=30.0,
    show_default=True,
    help="seconds open transactions may go on after SIGTERM",
)
@click.option("--handover-fd", type=int, default=None, hidden=True)
@click.option("--reuse-port", is_flag=True, hidden=True)
@click.option("--relay-fd", type=int, default=None, hidden=True)
def serve(
    repo: str,
    host: str,
    port: int,
    database: str | None,
    tls_cert: str | None,
    tls_key: str | None,
    require_tls: bool,
    trust: bool,
    idle_exit: float | None,
    on_demand: bool,
    max_message: int,
    processes: int,
    shutdown_grace: float,
    handover_fd: int | None,
    reuse_port: bool,
    relay_fd: int | None,
) -> None:
    """Serve REPO to PostgreSQL clients (psql, psycopg, SQLAlchemy, pgvector).

    Connect with database name REPO, or REPO@BRANCH for another branch (also
    options='-c agentlake.branch=BRANCH'); SET agentlake.branch switches later.
    """
    engine = _engine_command(repo, host, port, database, tls_cert, tls_key, require_tls, trust, max_message)
    engine += ["--shutdown-grace", str(shutdown_grace)]
    if processes > 1:
        if on_demand or idle_exit is not None:
            raise click.UsageError(
                "--processes serves all the time: it cannot be combined with --on-demand or --idle-exit"
            )
        _supervise(engine, host, port, database or _database_name(repo), processes, shutdown_grace)
        return
    if on_demand:
        engine += ["--idle-exit", str(idle_exit if idle_exit is not None else 60)]
        os.execv(
            sys.executable, [sys.executable, ondemand.__file__, "--host", host, "--port", str(port), "--", *engine]
        )
    from .app import ServerConfig, run_server

    handover = socket.socket(fileno=handover_fd) if handover_fd is not None else None
    listen = None if handover is None else False
    relay = socket.socket(fileno=relay_fd) if relay_fd is not None else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from ..api.connection import open_repository

    open_repository(repo, create=True)  # serving a new name creates the repository, as connect() does
    config = ServerConfig(
        repo=repo,
        database=database or _database_name(repo),
        users=UserStore(repo_folder(repo)),
        trust=trust,
        host=host,
        port=port,
        tls_cert=tls_cert,
        tls_key=tls_key,
        require_tls=require_tls,
        idle_exit_s=idle_exit,
        max_message=max_message,
        shutdown_grace_s=shutdown_grace,
        reuse_port=reuse_port,
    )

    def ready(server) -> None:
        if handover is None and relay is None:
            click.echo(f"agentlake serving {config.database} on {host}:{server.port}")

    asyncio.run(run_server(config, ready=ready, handover=handover, listen=listen, relay=relay))


def _engine_command(repo, host, port, database, tls_cert, tls_key, require_tls, trust, max_message) -> list[str]:
    """The ``serve`` command line of an engine process that the on-demand listener or the
    ``--processes`` supervisor starts (no engine libraries are loaded in those)."""
    command = [
        sys.executable,
        "-m",
        "agentlake.server.cli",
        "serve",
        repo,
        "--host",
        host,
        "--port",
        str(port),
        "--max-message",
        str(max_message),
    ]
    for flag, value in (("--database", database), ("--tls-cert", tls_cert), ("--tls-key", tls_key)):
        if value:
            command += [flag, value]
    command += ["--require-tls"] if require_tls else []
    command += ["--trust"] if trust else []
    return command


def _supervise(engine: list[str], host: str, port: int, database: str, processes: int, grace_s: float) -> None:
    """Hold the port here and run ``processes`` engines on it (``processes``); exits with their status."""
    from .app import is_loopback

    if "--trust" in engine and not is_loopback(host):
        raise click.UsageError("trust mode (no passwords) is allowed on loopback addresses only")
    with reserve_port(host, port) as port:
        engine[engine.index("--port") + 1] = str(port)

        def ready() -> None:
            click.echo(f"agentlake serving {database} on {host}:{port} ({processes} processes)")

        sys.exit(supervise([*engine, "--reuse-port"], processes, grace_s, ready))


@click.group("user")
def user() -> None:
    """Manage the users and branch rights of a repository's server."""


@user.command("add")
@click.argument("name")
@click.option("--repo", "-r", default="default", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--read", "read", multiple=True, help="branch glob the user may read (repeatable)")
@click.option("--write", "write", multiple=True, help="branch glob the user may read and write (repeatable)")
def user_add(name: str, repo: str, password: str, read: tuple[str, ...], write: tuple[str, ...]) -> None:
    """Add or replace user NAME (e.g. --read main --write 'agent-*')."""
    UserStore(repo_folder(repo)).add(name, password, list(read), list(write))
    click.echo(f"user {name} saved")


@user.command("remove")
@click.argument("name")
@click.option("--repo", "-r", default="default", show_default=True)
def user_remove(name: str, repo: str) -> None:
    if not UserStore(repo_folder(repo)).remove(name):
        raise click.ClickException(f"no user {name}")
    click.echo(f"user {name} removed")


@user.command("list")
@click.option("--repo", "-r", default="default", show_default=True)
def user_list(repo: str) -> None:
    for entry in UserStore(repo_folder(repo)).list():
        rights = ", ".join(f"{level}:{pattern}" for pattern, level in entry.rights) or "(no rights)"
        click.echo(f"{entry.name}\t{rights}")


if __name__ == "__main__":  # python -m agentlake.server.cli serve|user ... (the on-demand listener uses it)
    click.Group(commands=[serve, user])()
