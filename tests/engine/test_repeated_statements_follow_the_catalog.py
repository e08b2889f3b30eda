"""A statement run again is rewritten for the tables as they are now, not as they were.

Some SQL means different things for different column types (integer overflow, vectors, JSON), so
the rewrites that the catalog's types decide are skipped for a repeated statement only where the
tables it reads kept their schemas. These run one text over tables whose types change in between:
dropped and created again, altered, or different on two branches read alternately.
"""

from __future__ import annotations

import agentlake
from agentlake.errors import Error

SUM = "SELECT a + b FROM t"


def _sqlstate(db, sql: str) -> str | None:
    try:
        db.execute(sql).fetchall()
    except Error as err:
        return err.sqlstate
    return None


def test_the_same_text_overflows_once_the_columns_are_integers(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE t (a double precision, b double precision)")
    db.execute("INSERT INTO t VALUES (2147483647, 1)")
    for _ in range(3):
        assert db.execute(SUM).fetchall() == [(2147483648.0,)]
    db.execute("DROP TABLE t")
    db.execute("CREATE TABLE t (a int, b int)")
    db.execute("INSERT INTO t VALUES (2147483647, 1)")
    assert _sqlstate(db, SUM) == "22003"  # integer out of range, as PostgreSQL
    db.execute("UPDATE t SET a = 5")
    assert db.execute(SUM).fetchall() == [(6,)]


def test_an_altered_column_type_is_seen_by_the_next_run(tmp_path):
    db = agentlake.connect(str(tmp_path / "repo"))
    db.execute("CREATE TABLE t (a bigint, b bigint)")
    db.execute("INSERT INTO t VALUES (2147483647, 1)")
    assert db.execute(SUM).fetchall() == [(2147483648,)]
    db.execute("ALTER TABLE t ALTER COLUMN b TYPE double precision")
    assert db.execute(SUM).fetchall() == [(2147483648.0,)]
    db.execute("UPDATE t SET a = 9223372036854775807, b = 1")
    assert _sqlstate(db, "SELECT a + 1 FROM t") == "22003"  # bigint out of range


def test_two_branches_with_different_types_answer_alternately(tmp_path):
    main = agentlake.connect(str(tmp_path / "repo"))
    main.execute("CREATE TABLE t (a int, b int)")
    main.execute("INSERT INTO t VALUES (2147483647, 1)")
    other = agentlake.connect(main.repository, branch="floats", create=True)
    other.execute("DROP TABLE t")
    other.execute("CREATE TABLE t (a real, b real)")
    other.execute("INSERT INTO t VALUES (1.5, 2.25)")
    for _ in range(4):
        assert _sqlstate(main, SUM) == "22003"
        assert other.execute(SUM).fetchall() == [(3.75,)]
