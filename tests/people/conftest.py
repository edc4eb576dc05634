"""Fixtures shared by the base-data tests (each area may add its own here or keep them in its kit)."""

from tests.people.base_kit import base  # noqa: F401  (the base-data world: a tree, its users, two buildings)
from tests.people.key_kit import key_category, key_listed, key_person, key_posts  # noqa: F401  (key persons)
