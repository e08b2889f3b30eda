"""Executors: what runs a planned query. ``local`` is DataFusion in-process, ``dask`` compiles
DataFusion's plan to Dask over pandas or cuDF partitions, ``polars`` compiles it to Polars lazy
frames (its GPU engine on one GPU). The engine's router picks one per query."""
