"""The engine: sessions and transactions, statement handlers (DDL, DML, branches, indexes),
and the router that sends each query to an executor. The API and the server drive it through
``Session``; it drives the executors, the vector layer, the SQL front end and the catalog."""
