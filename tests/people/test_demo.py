"""Demo base data: buildings, rooms and residents for the first grids, places and organisations, and the demo
worker's own desk of key persons on their clocks and rentals with tenants."""

from __future__ import annotations

from fengqiao.accounts.models import Role
from fengqiao.core import pii
from fengqiao.people.demo import generate_people
from fengqiao.people.models import KeyPerson, Person, Place, Rental, Room, Tenancy
from tests.factories import make_user


def test_the_demo_fills_grids_and_gives_the_worker_key_persons_and_rentals(tree):
    worker = make_user("worker", role=Role.GRID_WORKER, node=tree["410105001001001"])
    make_user("gridleader", role=Role.GRID_LEADER, node=tree["410105001001"])
    written = generate_people(seed=5, grids=2)
    assert written > 100 and Person.objects.count() == written + 4  # and two landlords, two tenants
    assert Room.objects.filter(grid=tree["410105001001001"]).count() == 72
    assert Place.objects.filter(layer=Place.Layer.HAZARD).exists() or Place.objects.filter(layer="protection").exists()
    person = Person.objects.first()
    assert person is not None and person.id_index == pii.blind_index(person.id_number)  # found by ID like any other
    mine = KeyPerson.objects.filter(worker=worker)
    assert mine.count() == 6 and mine.filter(visit_due_at__isnull=False).count() == 6
    assert Rental.objects.filter(grid=tree["410105001001001"]).count() == 2
    assert set(Tenancy.objects.values_list("state", flat=True)) == {"submitted", "verified"}
    persons, keys = Person.objects.count(), KeyPerson.objects.count()
    assert generate_people(seed=6, grids=2) == 0  # a second run finds the grids filled and adds nothing
    assert (Person.objects.count(), KeyPerson.objects.count()) == (persons, keys)
