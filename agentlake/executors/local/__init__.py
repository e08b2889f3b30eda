"""The local executor: DataFusion in-process, over a snapshot's Parquet files, plus the Arrow
compute paths that answer small filters without planning."""
