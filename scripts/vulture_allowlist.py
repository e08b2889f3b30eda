"""Names that vulture (run by scripts/check) cannot see used, each with the reason it is not dead.

vulture reads this file; nothing imports it. Anything not listed here and unused fails the check.
"""
# ruff: noqa: F821 - the names below are vulture's allowlist entries, not code to run

# module-level __getattr__: lazy imports (Dask, DataFusion and storage backends load on first use)
__getattr__
# the context-manager protocol's signature
tb
# the public Python API: PEP 249 cursors, dask-sql's Context, psycopg-style helpers
_.transaction
_.current_branch
_.register_function
_.explain
_.description
_.rownumber
_.fetchmany
_.fetch_polars
_.setinputsizes
_.setoutputsize
dataloader
_.set_epoch
vector_field
# click commands, called by the CLI framework
init
branch_create
branch_list
branch_delete
tag_create
tag_list
tag_delete
run_command
report_command
user_add
user_remove
user_list
# Jupyter's rich display hook
_._repr_html_
# plan-node handlers, registered by their decorators in the Dask and Polars compilers
filter_node
table_scan
empty_relation
window
# SQL functions' signatures: PostgreSQL passes the argument, the answer does not depend on it
pretty
# sqlglot's extension points, read by sqlglot itself
arg_types
LAMBDAS
SET_TRIE
STAR_EXCEPT
_._parse_vector_expressions
_._parse_comment
# FAISS and cuVS objects: attributes set for the C++ side; device objects kept alive on purpose
_.efConstruction
_.min_points_per_centroid
_.base_level_only
_.entry_point
_.max_level
_._keep_alive
# atexit hooks
_release_device_objects
_stop_all
# the catalog's public API (a library of its own), used by its tests and benchmarks
_.is_ancestor
_.wait_idle
_.compaction_threshold
_.update_where
_.upsert
# GCReport fields, printed by `agentlake gc`
commits
manifests
data_files
index_files
referenced_objects
temp_files
ref_versions
kept_in_grace
# the wire protocol's version constant, used by raw-protocol tests
PROTOCOL_3
# a model's call counter, which the tests read to prove embeddings are batched
calls
# lark's Transformer calls a method per grammar rule, by the rule's name (executors/local/jsonb_path.py)
_.add
_.subtract
_.multiply
_.divide
_.modulo
_.minus
_.plus
