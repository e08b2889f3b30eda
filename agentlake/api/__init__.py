"""The public API: ``connect`` and its PEP 249 ``Connection``/``Cursor``, and the dask-sql style
``Context``. Everything a user imports comes from here (re-exported by ``agentlake``); the server
and the batch evaluator are clients of it like any other program."""
