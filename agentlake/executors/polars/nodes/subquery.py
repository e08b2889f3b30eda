"""SubqueryAlias and Subquery: a new qualifier over the same rows (the compiler renames)."""

from __future__ import annotations

from typing import Any

import polars as pl

from ..registry import Compiler, handles


@handles("SubqueryAlias", "Subquery")
def alias(compiler: Compiler, plan, variant: Any) -> pl.LazyFrame:
    return compiler.compile(plan.inputs()[0])
