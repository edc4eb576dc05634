"""Each index on the large base-data tables is there because a query uses it, and none has a twin: every import
row pays for every index (bench/people.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from fengqiao.accounts.models import Role
from fengqiao.people import selectors
from fengqiao.people.models import Person, Residence, Room
from tests import plans
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Table -> the indexes it may have (primary keys and unique constraints aside), each with the query that needs it.
EXPECTED = {
    "people_person": {
        "people_person_path",  # scoping: grid_path LIKE 'prefix%' (selectors.readable, grid profiles, exports)
        "people_person_phone",  # find by phone (keyed hash equality)
        "people_person_grid_id_9efab4f6",  # the grid foreign key (a grid cannot be deleted while persons live in it)
    },
    "people_room": {"people_room_path", "people_room_grid_id_9a8ecc69"},
    "people_building": {"people_building_path", "people_building_grid_id_f5a03b3e"},
    "people_residence": {
        "people_resi_room_id_565543_idx",  # who lives in a room now: (room, until)
        "people_resi_person__ed307f_idx",  # where a person lives now: (person, until)
        "people_residence_household_id_a79bd58b",
    },
}


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"] and not c["unique"] and not name.startswith("sqlite_")
    }


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_no_index_without_a_query_and_no_twins(table):
    assert _indexes(table) == EXPECTED[table]


def test_the_scoped_person_query_and_the_residence_lookups_use_their_indexes(tree):
    """On PostgreSQL the planner is shown it can answer each query from its index (sequential scans forbidden, as
    they would be ruinous at a district's 1.5 million persons; the table's other indexes hidden, tests/plans.py);
    SQLite's plans name the same indexes."""
    leader = make_user("gl", role=Role.GRID_LEADER, node=tree["410105001001001"], password=None)
    queries = {
        "people_person_path": selectors.readable(Person.objects.all(), leader),
        "people_resi_person__ed307f_idx": Residence.objects.filter(person_id=1, until__isnull=True),
        "people_resi_room_id_565543_idx": Residence.objects.filter(room_id=1, until__isnull=True),
        "people_room_unique_in_building": Room.objects.filter(building_id=1).order_by(),
    }
    for index, queryset in queries.items():
        plan = plans.plan(queryset, keep={index})
        # SQLite names a unique constraint's index sqlite_autoindex_<table>_<n>.
        named = index in plan or ("sqlite_autoindex_people_room" in plan and "building_id=?" in plan)
        assert named and "Seq Scan" not in plan, (index, plan)
        if connection.vendor == "postgresql":
            assert "Index Cond" in plan, (index, plan)
