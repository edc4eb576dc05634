"""After the database drops its connections (a restart, a failover), the next requests get fresh ones from the pool
instead of an error each: the pool checks a connection before handing it out."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the connection pool is PostgreSQL's"),
]


def test_connections_dropped_by_the_server_are_replaced_before_use():
    pool = connection.pool
    pool.open(wait=True)
    held = [pool.getconn() for _ in range(2)]
    pids = [c.info.backend_pid for c in held]
    for c in held:
        pool.putconn(c)
    params = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "user", "host", "port")}
    with psycopg.connect(**params, autocommit=True) as killer:
        for pid in pids:
            killer.execute("SELECT pg_terminate_backend(%s)", [pid])
    for _ in range(len(pids) + 1):  # every pooled connection was dropped: each checkout must still work
        with pool.connection() as c:
            assert c.execute("SELECT 1").fetchone() == (1,)
