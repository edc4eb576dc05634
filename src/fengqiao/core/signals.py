"""Signals that let lower apps announce things without knowing who listens.

``notify`` asks for a message in people's inboxes (the notifications centre in ``dispatch`` receives it).
Send it after commit, with keyword arguments:
    recipients: iterable of users; kind: a short code ("assignment", "deadline_orange", "deadline_red",
    "supervision", "instruction" ...); title: str; body: str = ""; url: str = ""; target: model instance or None.

``created_in_bulk`` says rows were inserted with ``bulk_create``, past the per-row save signals (core.groupcommit);
sent inside the writing transaction with ``sender`` (the model) and ``instances`` (the rows, with their keys).
"""

from django.dispatch import Signal

notify = Signal()
created_in_bulk = Signal()
