"""Key lookups answered from the statement cache's unbound tree equal the bound path's answers.

``Connection.execute_immediate`` (what the server tries on its event loop) reads a primary-key
lookup's key straight from the parameters instead of copying the cached tree to bind them. Random
statements (composite keys in either order, ``*``, aliases, LIMIT, %s, %(name)s and $n) with random
parameters (text, integers of every size and sign, floats, booleans, NULL, decimals, dates, the
wrong count) must give exactly what ``execute`` gives, rows, names and types; where ``execute``
fails, the immediate path must answer nothing and leave the error to it. A row this process has
just written is answered there too, from the decoded file it remembers.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest

import agentlake

SETUP = [
    "CREATE TABLE pairs (a int, b text, n bigint, note text, PRIMARY KEY (a, b))",
    "CREATE TABLE ids (id bigint PRIMARY KEY, label text, score double precision)",
    "CREATE TABLE names (name text PRIMARY KEY, n int)",
    "CREATE TABLE tags (owner text, tag text, n int, PRIMARY KEY (owner, tag))",
    "INSERT INTO pairs VALUES (1, 'x', 10, 'one x'), (1, 'y', 11, NULL), (-3, '7', 12, 'minus'), (0, '', 13, 'empty')",
    "INSERT INTO ids VALUES (1, 'first', 0.5), (-9, 'negative', NULL), (9007199254740993, 'big', 2.0)",
    "INSERT INTO names VALUES ('alice', 1), ('7', 2), ('-3', 3), ('', 4)",
    "INSERT INTO tags VALUES ('x', '1', 1), ('x', 'x', 2), ('1', '1', 3), ('alice', '7', 4)",
    "UPDATE names SET n = 40 WHERE name = ''",
    "DELETE FROM ids WHERE id = 1",
    "INSERT INTO ids VALUES (1, 'again', 1.5)",
]

STATEMENTS = [
    ("SELECT * FROM pairs WHERE a = %s AND b = %s", 2),
    ("SELECT note, n AS total FROM pairs WHERE b = %s AND a = %s", 2),
    ("SELECT p.note FROM pairs p WHERE p.a = %(a)s AND p.b = %(b)s", ("a", "b")),
    ("SELECT label, score FROM ids WHERE id = %s", 1),
    ("SELECT * FROM ids WHERE id = $1 LIMIT 1", 1),
    ("SELECT label FROM ids WHERE id = $1 LIMIT 0", 1),
    ("SELECT n FROM names WHERE name = %s", 1),
    ("SELECT name, n FROM names WHERE %s = name", 1),
    ("SELECT n FROM tags WHERE owner = %s AND tag = '1'", 1),  # a literal key whose text reads like $1
    ("SELECT n FROM tags WHERE tag = '7' AND owner = $1", 1),
    ("SELECT n FROM tags WHERE owner = 'x' AND tag = %s", 1),
]

VALUES = [
    1,
    0,
    -3,
    -9,
    9007199254740993,
    2**63,
    -(2**63) - 1,
    "x",
    "y",
    "7",
    "-3",
    "",
    "alice",
    "1",
    "nope",
    1.0,
    1.5,
    -3.0,
    True,
    False,
    None,
    Decimal("1"),
    Decimal("-3.0"),
    datetime.date(2024, 1, 1),
]


def _answer(cursor) -> tuple:
    table = cursor.fetch_arrow()
    return table.to_pylist(), table.schema.names, [str(f.type) for f in table.schema]


def _params(shape, rng: random.Random):
    if isinstance(shape, tuple):
        return {name: rng.choice(VALUES) for name in shape}
    count = shape + rng.choice([0, 0, 0, 0, -1, 1])  # sometimes the wrong number of them
    return [rng.choice(VALUES) for _ in range(max(count, 0))]


@pytest.mark.parametrize("seed", range(4))
def test_immediate_key_lookups_equal_the_bound_path(repo_url, seed):
    rng = random.Random(seed)
    with agentlake.connect(repo_url) as db:
        for sql in SETUP:
            db.execute(sql)
        for table in ("pairs", "ids", "names", "tags"):
            db.execute(f"SELECT * FROM {table}").fetchall()  # their files decoded: lookups stay in memory
        answered = 0
        for _ in range(300):
            sql, shape = rng.choice(STATEMENTS)
            params = _params(shape, rng)
            immediate = db.execute_immediate(sql, params)
            try:
                expected = _answer(db.execute(sql, params))
            except agentlake.Error:
                assert immediate is None, (sql, params)
                continue
            if immediate is not None:
                answered += 1
                assert _answer(immediate) == expected, (sql, params)
        assert answered > 50  # the immediate path did answer most well-formed lookups


def test_a_row_this_process_just_wrote_is_looked_up_without_leaving_the_event_loop(repo_url):
    with agentlake.connect(repo_url) as db:
        db.execute("CREATE TABLE notes (k text PRIMARY KEY, v text)")
        db.execute("INSERT INTO notes VALUES ('new', 'fresh')")
        found = db.execute_immediate("SELECT v FROM notes WHERE k = %s", ["new"])
        assert found is not None and found.fetchall() == [("fresh",)]
        db.execute("UPDATE notes SET v = 'changed' WHERE k = 'new'")
        found = db.execute_immediate("SELECT k, v FROM notes WHERE k = %s", ["new"])
        assert found is not None and found.fetchall() == [("new", "changed")]
