"""chr(code) as PostgreSQL 16 answers it in UTF-8: the character of a code point, NULL for NULL, and
54000 or 22023 for a code no text can hold (0, a surrogate, past U+10FFFF, negative)."""

from __future__ import annotations

import pytest

SETUP = ["CREATE TABLE codes (id int PRIMARY KEY, code int)", "INSERT INTO codes VALUES (1, 72), (2, 105), (3, NULL)"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT chr(65), chr(233), chr(1114111), chr(NULL)",
        "SELECT id, chr(code) FROM codes ORDER BY id",
        "SELECT string_agg(chr(code), '' ORDER BY id) FROM codes",
    ],
)
def test_characters_as_postgres(both, sql):
    lake, postgres = both.answers(sql)
    assert (lake.names, lake.type_oids, lake.rows) == (postgres.names, postgres.type_oids, postgres.rows)


@pytest.mark.parametrize("code, sqlstate", [(0, "54000"), (-1, "22023"), (55296, "54000"), (1114112, "54000")])
def test_codes_no_text_holds_as_postgres(both, code, sqlstate):
    assert both.sqlstates(f"SELECT chr({code})") == (sqlstate, sqlstate)
