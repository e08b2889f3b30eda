"""The SQL front end: PostgreSQL dialect, parameter binding, rewrites for DataFusion, SQLSTATEs."""

from .params import bind, parse_statements
from .rewrite import to_datafusion_sql

__all__ = ["bind", "parse_statements", "to_datafusion_sql"]
