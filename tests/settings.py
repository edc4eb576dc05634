"""Test settings: the real settings plus a tiny app whose model exercises the workflow engine."""

from fengqiao.settings import *  # noqa: F403
from fengqiao.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.workflow_app"]
# Keys of their own: tests run with DEBUG off and import the WSGI/ASGI entry points, which refuse the built-in ones.
SECRET_KEY = "tests-only-secret-key-" + "vR7qL2xN9mK4pZ8w" * 3
FENGQIAO_DATA_KEY = "tests-only-data-key-" + "T3hW8nQ5rY1cB6uJ"
# Read the grid version on every lookup so tests see changes at once.
FENGQIAO_LOCATOR_CHECK_SECONDS = 0.0
# Figures must equal what the test just wrote.
FENGQIAO_OPEN_FIGURES_SECONDS = 0.0

# One test database per run, so parallel runs on one machine never share a SQLite file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    import os

    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405


# Argon2 as in production, with the smallest cost argon2 allows: a production hash costs about 0.2 s of CPU, and
# fixtures create users by the thousand. The production parameters are checked in tests/accounts/test_login.py.
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]
