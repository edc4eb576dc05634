"""The query plan of a queryset, for the index tests.

On a test database the tables hold a handful of rows and no statistics, so PostgreSQL's choice among several usable
indexes follows whatever rows earlier tests left behind: a plan test that asks "which index did it pick" fails at
random. What these tests must show is that each query *can* be answered from the index it is meant for, without
reading the table. So on PostgreSQL, inside a savepoint that is rolled back, the table's other plain indexes are
dropped (primary keys and unique constraints stay: they are always there in production too) and sequential scans are
forbidden; the plan must then name one of the intended indexes with a condition on it. SQLite's plan is returned as
it is.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction


class _Rollback(Exception):
    pass


def _plain_indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name for name, c in constraints.items() if c["index"] and not c["primary_key"] and not c["unique"]}


def plan(queryset, keep: Iterable[str] = ()) -> str:
    """EXPLAIN `queryset`; on PostgreSQL with only the indexes in `keep` (plus keys and unique constraints)."""
    sql, params = queryset.query.sql_with_params()
    rows: list = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for name in sorted(_plain_indexes(queryset.model._meta.db_table) - set(keep)):
                    cursor.execute(f'DROP INDEX "{name}"')
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("EXPLAIN " + sql, params)
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
            raise _Rollback
    except _Rollback:
        pass
    return " ".join(str(row) for row in rows)
