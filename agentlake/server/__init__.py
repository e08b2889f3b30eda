"""The PostgreSQL wire server: psycopg, SQLAlchemy, psql and pgvector talk to agentlake unchanged.

Connecting: the database name is the repository's name; ``repo@branch`` picks
another branch (``psql "host=... dbname=lake@agent-7"``), as does the startup
option ``options='-c agentlake.branch=agent-7'``; ``SET agentlake.branch = 'x'``
switches later. A user may only read (or write) branches matching their
patterns (``agentlake user add NAME --read main --write 'agent-*'``); anything
else fails with SQLSTATE 42501.

Layers, each importable alone: ``protocol`` (bytes <-> messages, no I/O),
``codec`` (values <-> wire formats), ``auth``/``users`` (SCRAM, rights),
``session`` (one client), ``app`` (the asyncio listener), ``ondemand`` (a
stdlib-only listener that starts the engine process on the first connection).
"""
