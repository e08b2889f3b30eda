"""Tensors and media over the wire, read by psycopg: tensors as PostgreSQL (multidimensional)
arrays of their element type, media as bytea, in text and binary formats."""

from __future__ import annotations

import psycopg

from .conftest import jpeg_bytes


def test_tensors_arrive_as_multidimensional_arrays(make_server):
    server = make_server()
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int, a tensor(float32, 2, 2), b tensor(uint8))")
        conn.execute("INSERT INTO t VALUES (1, '{{1.5,2},{3,4}}', '[7,8,9]')")
        for binary in (False, True):
            a, b = conn.execute("SELECT a, b FROM t", binary=binary).fetchone()
            assert a == [[1.5, 2.0], [3.0, 4.0]] and b == [7, 8, 9]
        types = [d.type_code for d in conn.execute("SELECT a, b FROM t").description]
        assert types == [1021, 1005]  # float4[] and int2[] (uint8 widened: PostgreSQL has no unsigned bytes)
        (total,) = conn.execute("SELECT tensor_sum(a) FROM t").fetchone()
        assert total == 10.5


def test_images_arrive_as_bytea(make_server):
    server = make_server()
    image = jpeg_bytes(64, 48)
    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE TABLE pics (id int, img image)")
        conn.execute("INSERT INTO pics VALUES (%s, %s)", (1, image))
        for binary in (False, True):
            assert conn.execute("SELECT img FROM pics", binary=binary).fetchone() == (image,)
        assert conn.execute("SELECT width(img), height(img) FROM pics WHERE width(img) > 32").fetchone() == (64, 48)
