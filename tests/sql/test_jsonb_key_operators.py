"""jsonb's key operators (``?``, ``?|``, ``?&``) and ``-``/``#-`` with their text[] operand written
as a cast (``'{a,b}'::text[]``, ``ARRAY['a']::text[]``), as PostgreSQL 16 answers them. Also as
the whole filter of a vector top-k, which LlamaIndex's ANY and ALL metadata filters send
(``metadata_::jsonb->'tags' ?| array['a', 'c']``): the top-k's filter was planned without its
jsonb rewrite when the operator was the filter's root (42601)."""

from __future__ import annotations

import pytest

SETUP = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE notes (id int PRIMARY KEY, meta json, embedding vector(2))",
    """INSERT INTO notes VALUES (1, '{"tags": ["a", "b"], "x": 1}', '[1,0]'), (2, '{"tags": ["b", "c"]}', '[0,1]'),"""
    """ (3, '{"y": 2}', '[1,1]'), (4, '{"tags": ["c"]}', '[0.5,0.5]')""",
]

NEAREST = "SELECT id, embedding <=> '[1,0.5]' AS distance FROM notes WHERE {} ORDER BY distance LIMIT 10"


@pytest.mark.parametrize(
    "where",
    [
        "meta::jsonb->'tags' ?| array['a', 'c']",
        "meta::jsonb->'tags' ?& array['b', 'c']",
        "meta::jsonb ? 'x'",
        "meta::jsonb ?| '{x,y}'::text[]",
        "meta::jsonb->'tags' @> '[\"b\"]'",
        "id > 1 AND meta::jsonb->'tags' ?| ARRAY['c']::text[]",
    ],
)
def test_key_operators_filter_a_nearest_neighbour_search(both, where):
    lake, postgres = both.answers(NEAREST.format(where))
    assert (lake.names, lake.rows) == (postgres.names, postgres.rows)


@pytest.mark.parametrize(
    "sql",
    [
        """SELECT '["a", "b"]'::jsonb ?| '{c}'::text[]""",
        """SELECT '{"a": 1, "b": 2}'::jsonb ?& '{a,b}'::text[]""",
        """SELECT '["a", "b"]'::jsonb ?| ARRAY['a']::text[]""",
        """SELECT '{"a": 1, "b": 2}'::jsonb - '{a}'::text[]""",
        """SELECT '{"a": {"b": 1, "c": 2}}'::jsonb #- '{a,b}'::text[]""",
        """SELECT jsonb_set('{"a": 1}', '{a}'::text[], '2')""",
        "SELECT id FROM notes WHERE meta::jsonb->'tags' ?| '{a,c}'::text[] ORDER BY id",
    ],
)
def test_text_array_operands_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)
