"""Full-text search through agentlake's SQL: types and casts as PostgreSQL prints them, columns of
type tsvector, the operators' spellings, GIN indexes as catalog entries, and errors with
PostgreSQL's SQLSTATEs."""

from __future__ import annotations

import pytest

from agentlake.errors import Error


def _one(lake, sql: str, params=None):
    return lake.execute(sql, params).fetchone()


def test_literals_and_casts_print_as_postgresql(lake):
    row = _one(
        lake,
        "SELECT 'a:1A,3 b c:2'::tsvector, 'fat & (rat | !cat) <-> d <2> e:*AB'::tsquery, "
        "$$a'b c\\\\d 'x y':3$$::tsvector",
    )
    assert row == ("'a':1A,3 'b' 'c':2", "'fat' & ( 'rat' | !'cat' ) <-> 'd' <2> 'e':*AB", "'a''b' 'c\\\\d' 'x y':3")
    cur = lake.execute("SELECT 'a b'::tsvector, to_tsquery('fat'), to_tsvector('fat rats')::text")
    assert [d[0] for d in cur.description] == ["tsvector", "to_tsquery", "to_tsvector"]


def test_functions(lake):
    row = _one(
        lake,
        "SELECT setweight(to_tsvector('fat rat'), 'b') || to_tsvector('rat cat'), strip('a:1A b:2'::tsvector), "
        "numnode('a & (b | !c)'::tsquery), querytree(to_tsquery('!a1 & b1')), querytree('!a'::tsquery), "
        "length(to_tsvector('the fat rats ate fat')), to_tsquery('english', 'the')",
    )
    assert row == ("'cat':4 'fat':1B 'rat':2B,3", "'a' 'b'", 6, "'b1'", "T", 3, "")


def test_tsvector_column_match_and_rank(lake):
    lake.execute("CREATE TABLE docs (id int primary key, body text, tsv tsvector)")
    lake.execute(
        "INSERT INTO docs (id, body) VALUES (1, 'the fat rat sat on a mat'), (2, 'cats chase rats'), (3, 'dogs')"
    )
    lake.execute("UPDATE docs SET tsv = to_tsvector('english', body)")
    lake.commit()
    assert lake.execute("SELECT id, tsv FROM docs ORDER BY id").fetchall() == [
        (1, "'fat':2 'mat':7 'rat':3 'sat':4"),
        (2, "'cat':1 'chase':2 'rat':3"),
        (3, "'dog':1"),
    ]
    for where in (
        "tsv @@ to_tsquery('rats')",
        "to_tsquery('rats') @@ tsv",
        "body @@ to_tsquery('rat')",
        "to_tsvector('english', body) @@ 'rat'",
        "body @@ 'rats'",
        "tsv @@ q",
    ):
        ids = lake.execute(f"SELECT id FROM docs, plainto_tsquery('rat') q WHERE {where} ORDER BY id").fetchall()
        assert ids == [(1,), (2,)], where
    ranked = lake.execute(
        "SELECT id, ts_rank_cd(tsv, q) AS r FROM docs, websearch_to_tsquery('fat rat or dog') q "
        "WHERE tsv @@ q ORDER BY r DESC, id"
    ).fetchall()
    assert [r[0] for r in ranked] == [1, 3]
    lake.execute("DELETE FROM docs WHERE tsv @@ 'chase'")
    assert lake.execute("SELECT count(*) FROM docs").fetchone() == (2,)


def test_gin_indexes_are_catalog_entries(lake):
    lake.execute("CREATE TABLE docs (id int, body text, tsv tsvector)")
    lake.execute("CREATE INDEX docs_body_fts ON docs USING gin (to_tsvector('english', body))")
    lake.execute("CREATE INDEX ON docs USING gin (tsv)")
    lake.commit()
    assert lake.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'docs' ORDER BY 1"
    ).fetchall() == [
        (
            "docs_body_fts",
            "CREATE INDEX docs_body_fts ON public.docs USING gin (to_tsvector('english'::regconfig, body))",
        ),
        ("docs_tsv_idx", "CREATE INDEX docs_tsv_idx ON public.docs USING gin (tsv)"),
    ]
    lake.execute("DROP INDEX docs_body_fts")
    lake.commit()
    assert lake.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'docs'").fetchone() == (1,)


@pytest.mark.parametrize(
    "sql, sqlstate",
    [
        ("CREATE INDEX ON docs USING gin (body)", "42704"),  # text has no GIN operator class
        ("CREATE INDEX ON docs USING gin (to_tsvector(body))", "42P17"),  # not IMMUTABLE without a configuration
        ("SELECT to_tsvector('klingon', 'x')", "42704"),
        ("SELECT 'a & '::tsquery", "42601"),
        ("SELECT setweight('a'::tsvector, 'E')", "22023"),
        ("SELECT ts_rank('{0.1,0.2}', 'a'::tsvector, 'a'::tsquery)", "2202E"),
        ("SELECT ts_rank('{0.1,0.2,0.4,2}', 'a'::tsvector, 'a'::tsquery)", "22023"),
    ],
)
def test_errors(lake, sql, sqlstate):
    lake.execute("CREATE TABLE docs (id int, body text)")
    with pytest.raises(Error) as raised:
        lake.execute(sql)
    assert raised.value.sqlstate == sqlstate
