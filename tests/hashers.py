"""A test-only argon2 hasher: the same algorithm and hash format as production, at the smallest cost argon2 allows."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8
    parallelism = 1
