"""The field metadata key that names a column's SQL type where Arrow's type does not (jsonb, uuid,
vector, an enum type's name): one key for :mod:`.types` and :mod:`.enum_types`, which both read it."""

TYPE_KEY = b"agentlake.type"
