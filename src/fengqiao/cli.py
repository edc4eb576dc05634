"""The ``fengqiao`` command: Django's management commands under one name, plus a few verbs of our own.

``fengqiao serve`` runs the ASGI server, ``fengqiao worker`` the background tasks, ``fengqiao demo`` loads the
demo city; anything else is handed to Django (``fengqiao migrate``, ``fengqiao grids import FILE`` ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fengqiao.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fengqiao", *args])


if __name__ == "__main__":
    main()
