"""Signals that let lower apps announce things without knowing who listens.

``notify`` asks for a message in people's inboxes (the notifications centre in ``dispatch`` receives it).
Send it after commit, with keyword arguments:
    recipients: iterable of users; kind: a short code ("assignment", "deadline_orange", "deadline_red",
    "supervision", "instruction" ...); title: str; body: str = ""; url: str = ""; target: model instance or None.
"""

from django.dispatch import Signal

notify = Signal()
