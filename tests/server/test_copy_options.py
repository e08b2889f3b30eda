"""COPY's options in both of PostgreSQL's syntaxes over a real socket: the older ``DELIMITER AS
'c' NULL AS 'n'`` (what psycopg2's ``copy_from`` writes), ``CSV HEADER QUOTE AS``, the
parenthesized list with quoted commas and ESCAPE, in and out; an option PostgreSQL does not know
is 42601, one this server does not read 0A000, and neither loads anything."""

from __future__ import annotations

import io

import psycopg
import pytest
from psycopg import errors


def _copy_in(conn, sql: str, data: str) -> None:
    with conn.cursor().copy(sql) as copy:
        copy.write(data)


def test_both_syntaxes_load_and_export(server):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int, body text)")
        _copy_in(conn, "COPY notes (id, body) FROM stdin WITH DELIMITER AS '\t' NULL AS '\\N'", "1\tone\n2\t\\N\n")
        _copy_in(conn, "COPY notes FROM STDIN CSV HEADER DELIMITER AS ';' QUOTE AS '\"'", 'id;body\n3;"a;b"\n')
        _copy_in(conn, "COPY notes FROM STDIN WITH (FORMAT csv, DELIMITER ',', ESCAPE '\\')", '4,"say \\"hi\\""\n')
        assert conn.execute("SELECT * FROM notes ORDER BY id").fetchall() == [
            (1, "one"),
            (2, None),
            (3, "a;b"),
            (4, 'say "hi"'),
        ]
        with conn.cursor().copy("COPY notes TO STDOUT WITH (FORMAT csv, QUOTE '''', ESCAPE '\\')") as copy:
            assert b"".join(copy).decode().splitlines() == ["1,one", "2,", "3,a;b", '4,say "hi"']


@pytest.mark.parametrize(
    "options, error",
    [
        ("WITH (FORMAT csv, NOPE 1)", errors.SyntaxError),
        ("WITH (FORMAT csv, FORCE_NOT_NULL (body))", errors.FeatureNotSupported),
        ("WITH (FORMAT csv, ENCODING 'LATIN1')", errors.FeatureNotSupported),
    ],
)
def test_unknown_and_unread_options_are_refused(server, options, error):
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (id int, body text)")
        with pytest.raises(error):
            _copy_in(conn, f"COPY notes FROM STDIN {options}", "1,one\n")
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)


def test_psycopg2_copy_from_and_copy_expert(server):
    psycopg2 = pytest.importorskip("psycopg2")
    conn = psycopg2.connect(server.dsn())
    try:
        cur = conn.cursor()
        cur.execute("CREATE TABLE notes (id int, body text)")
        cur.copy_from(io.StringIO("1\tone\n2\t\\N\n"), "notes", columns=("id", "body"))
        out = io.StringIO()
        cur.copy_expert("COPY (SELECT * FROM notes ORDER BY id) TO STDOUT WITH CSV HEADER", out)
        conn.commit()
        assert out.getvalue() == "id,body\n1,one\n2,\n"
    finally:
        conn.close()


def test_arrays_of_uuids_and_numerics_copy_in_and_out(server):
    """A uuid[] column loads from COPY's text and exports as PostgreSQL prints it; an unconstrained
    numeric, alone or in an array, exports without its storage's trailing zeros (COPY TO wrote
    ``1.5000000000``)."""
    first = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE tagged (id int, n numeric, ns numeric[], ids uuid[])")
        _copy_in(conn, "COPY tagged FROM STDIN", f"1\t2.5\t{{1.5,2}}\t{{{first},NULL}}\n")
        assert conn.execute("SELECT ids[1]::text, pg_typeof(ids)::text FROM tagged").fetchone() == (first, "uuid[]")
        with conn.cursor().copy("COPY tagged TO STDOUT") as copy:
            assert b"".join(copy).decode() == f"1\t2.5\t{{1.5,2}}\t{{{first},NULL}}\n"
