"""Rewrite rules, one per module; ``agentlake.sql.rewrite`` lists them in order."""
