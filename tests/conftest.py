from __future__ import annotations

import pytest

from fengqiao.accounts.models import Role
from tests.factories import build_tree, make_user


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def worker_a(tree):
    """A grid worker of 甲一网格 (street A)."""
    return make_user("worker_a", role=Role.GRID_WORKER, node=tree["410105001001001"], full_name="张伟")


@pytest.fixture
def worker_b(tree):
    """A grid worker of 乙一网格 (street B)."""
    return make_user("worker_b", role=Role.GRID_WORKER, node=tree["410105002001001"], full_name="李娜")


@pytest.fixture
def dispatcher(tree):
    """A dispatcher of the district centre: sees both streets."""
    return make_user("dispatcher", role=Role.DISPATCHER, node=tree["410105"], full_name="王芳", is_staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def catalogue(db):
    """The default event catalogue (a data migration loads it, but transactional tests flush it away)."""
    from fengqiao.events.catalogue import load_catalogue
    from fengqiao.events.models import Category

    if not Category.objects.exists():
        load_catalogue()


@pytest.fixture(autouse=True)
def _fresh_locator():
    """Each test rolls its grids back, so a locator cached by an earlier test must not answer for this one."""
    from fengqiao.events.models import forget_api_keys
    from fengqiao.events.selectors import forget_categories
    from fengqiao.grids import locator

    locator.invalidate()
    forget_categories()
    forget_api_keys()
    yield
    locator.invalidate()
    forget_categories()


def pytest_collection_modifyitems(items):
    """Browser tests run last: Playwright's sync API keeps an event loop in the main thread until the session ends."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.fspath))
