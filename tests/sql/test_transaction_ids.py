"""``txid_current()`` and ``txid_current_if_assigned()`` as PostgreSQL 16 answers them (they did not
exist: 42883): a bigint that grows from transaction to transaction, one per transaction block,
assigned by the first ``txid_current()`` of a transaction and NULL from the other before that."""

from __future__ import annotations

SETUP: list[str] = []


def _flow(conn) -> list:
    first = conn.execute("SELECT txid_current()").fetchone()[0]
    out = [conn.execute("SELECT txid_current() > %s", [first]).fetchone()[0]]
    out.append(conn.execute("SELECT txid_current_if_assigned()").fetchone()[0])
    conn.execute("BEGIN")
    out.append(conn.execute("SELECT txid_current_if_assigned()").fetchone()[0])
    assigned = conn.execute("SELECT txid_current()").fetchone()[0]
    out.append(conn.execute("SELECT txid_current(), txid_current_if_assigned()").fetchone() == (assigned, assigned))
    conn.execute("COMMIT")
    out.append(conn.execute("SELECT txid_current() > %s", [assigned]).fetchone()[0])
    out.append(conn.execute("SELECT txid_current()").description[0].type_code)
    return out


def test_transaction_ids_as_postgres(both):
    assert _flow(both.lake) == _flow(both.postgres) == [True, None, None, True, True, 20]
