"""WSGI entry point, for servers that do not speak ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
application = get_wsgi_application()

from fengqiao.core.checks import refuse_unsafe_keys  # noqa: E402 - needs the apps loaded above

refuse_unsafe_keys()  # production (DEBUG off) never serves on development keys
