"""SQLAlchemy's reflection reads constraints from pg_constraint as PostgreSQL lays them out: foreign
keys with their referenced columns and actions, CHECK and UNIQUE constraints."""

from __future__ import annotations

import sqlalchemy as sa


def test_inspector_reads_foreign_keys_checks_and_uniques(make_server):
    server = make_server()
    engine = sa.create_engine(server.url())
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE authors (id int PRIMARY KEY, email text UNIQUE)"))
        conn.execute(
            sa.text(
                "CREATE TABLE books (id int PRIMARY KEY, author_id int, pages int CHECK (pages > 0), "
                "CONSTRAINT books_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE CASCADE)"
            )
        )
    inspector = sa.inspect(engine)
    [fk] = inspector.get_foreign_keys("books")
    assert fk["name"] == "books_author_fk"
    assert fk["constrained_columns"] == ["author_id"]
    assert fk["referred_table"] == "authors" and fk["referred_columns"] == ["id"]
    assert fk["options"].get("ondelete") == "CASCADE"
    [check] = inspector.get_check_constraints("books")
    assert check["name"] == "books_pages_check" and "pages > 0" in check["sqltext"]
    assert [u["column_names"] for u in inspector.get_unique_constraints("authors")] == [["email"]]
    assert inspector.get_pk_constraint("books")["constrained_columns"] == ["id"]
    engine.dispose()
