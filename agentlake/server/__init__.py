"""The PostgreSQL wire server: psycopg, SQLAlchemy, psql and pgvector talk to agentlake unchanged.

Layers, each importable alone: ``protocol`` (bytes <-> messages, no I/O),
``codec`` (values <-> wire formats), ``auth``/``users`` (SCRAM, rights),
``session`` (one client), ``app`` (the asyncio listener), ``ondemand`` (a
tiny listener that starts the engine process on the first connection).
"""
