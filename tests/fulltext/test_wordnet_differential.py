"""agentlake's full-text search against PostgreSQL 16 over the WordNet glosses: the same SQL on both,
for to_tsvector (english and simple), to_tsquery, plainto_tsquery, phraseto_tsquery and
websearch_to_tsquery texts, which documents @@ each query, and ts_rank / ts_rank_cd (with weights
and normalizations) to 1e-6."""

from __future__ import annotations

import random

import pytest

QUERY_FUNCTIONS = ("to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery")


def _words(glosses) -> list[str]:
    words = sorted({w.strip("\";,().`'!?:").lower() for g in glosses.column("gloss").to_pylist() for w in g.split()})
    return [w for w in words if w.isalpha() and len(w) > 2]


def _queries(glosses) -> list[tuple[str, str]]:
    """(function, text): operators, prefixes, weights, phrases, stop words and websearch syntax."""
    rng = random.Random(16)
    words = _words(glosses)
    common = ["organism", "plant", "person", "water", "small", "family", "genus", "used", "the", "of"]
    out = []
    for _ in range(12):
        a, b, c = rng.choice(common), rng.choice(words), rng.choice(common)
        out += [
            ("to_tsquery", f"{a} & {c}"),
            ("to_tsquery", f"{a} | {b}"),
            ("to_tsquery", f"{a} <-> {c}"),
            ("to_tsquery", f"!{a} & {c}:*"),
            ("to_tsquery", f"({a} | {b}) <2> {c}"),
            ("plainto_tsquery", f"{a} {b} {c}"),
            ("phraseto_tsquery", f"{a} of the {c}"),
            ("websearch_to_tsquery", f'"{a} {c}" or {b} -{c}'),
        ]
    for gloss in rng.sample(glosses.column("gloss").to_pylist(), 12):
        phrase = " ".join(gloss.split()[:4])
        out += [("plainto_tsquery", phrase), ("phraseto_tsquery", phrase), ("websearch_to_tsquery", phrase)]
    return out


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, glosses, postgres):
    import agentlake

    lake = agentlake.connect(str(tmp_path_factory.mktemp("ft") / "repo"), create=True)
    rows = list(zip(glosses.column("id").to_pylist(), glosses.column("gloss").to_pylist()))
    for conn in (lake, postgres):
        conn.execute("DROP TABLE IF EXISTS g")
        conn.execute("CREATE TABLE g (id int primary key, gloss text)")
        conn.cursor().executemany("INSERT INTO g VALUES (%s, %s)", rows)
    lake.commit()
    postgres.execute("DROP TABLE IF EXISTS q")
    postgres.execute("CREATE TABLE q (qid int, fn text, body text)")
    yield lake
    lake.close()


def _both(lake, postgres, sql: str, params=None) -> tuple[list, list]:
    return lake.execute(sql, params).fetchall(), postgres.execute(sql, params).fetchall()


@pytest.mark.parametrize("config", ["english", "simple"])
def test_to_tsvector_of_every_gloss(loaded, postgres, config):
    mine, theirs = _both(loaded, postgres, "SELECT id, to_tsvector(%s, gloss)::text FROM g ORDER BY id", (config,))
    assert len(mine) == 2000
    assert [r for r in mine if r not in theirs] == []


def test_query_texts(loaded, postgres, glosses):
    for fn, text in _queries(glosses):
        sql = f"SELECT {fn}('english', %s)::text, {fn}('simple', %s)::text, {fn}(%s)::text"
        assert _both(loaded, postgres, sql, (text, text, text)) == _both(postgres, postgres, sql, (text,) * 3), (
            fn,
            text,
        )


def test_matches_and_ranks(loaded, postgres, glosses):
    for fn, text in _queries(glosses)[::3]:
        sql = (
            f"SELECT id, ts_rank(to_tsvector(gloss), q), ts_rank_cd(to_tsvector(gloss), q), "
            f"ts_rank(to_tsvector(gloss), q, 1|32), ts_rank_cd('{{0.2,0.3,0.5,0.9}}', to_tsvector(gloss), q, 2|4), "
            f"ts_rank('{{0.2,0.3,0.5,0.9}}', setweight(to_tsvector(gloss), 'B'), q, 8|16) "
            f"FROM g, {fn}('english', %s) q WHERE to_tsvector('english', gloss) @@ q ORDER BY id"
        )
        mine, theirs = _both(loaded, postgres, sql, (text,))
        assert [r[0] for r in mine] == [r[0] for r in theirs], (fn, text)
        for a, b in zip(mine, theirs):
            assert a[1:] == pytest.approx(b[1:], abs=1e-6), (fn, text, a[0])


def test_phrase_weight_and_prefix_matches(loaded, postgres):
    queries = [
        "'organ':* <-> 'plant':B",
        "!'plant' <-> 'famili'",
        "'genus' <3> 'famili' | 'water':A",
        "'small' & !('water' | 'plant')",
        "'use':*CD <-> !'the'",
    ]
    for query in queries:
        sql = (
            "SELECT id FROM g WHERE setweight(to_tsvector(gloss), CASE WHEN id < 1000 THEN 'B' ELSE 'D' END::\"char\") "
            "@@ %s::tsquery ORDER BY id"
        )
        mine, theirs = _both(loaded, postgres, sql, (query,))
        assert mine == theirs, query
