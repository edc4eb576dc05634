"""The notifications centre: rows from the notify signal, read state, unread counts."""

from __future__ import annotations

from fengqiao.core.signals import notify
from fengqiao.dispatch import selectors, services
from fengqiao.dispatch.models import Notification


def test_a_notify_signal_puts_one_message_in_each_recipients_inbox(tree, worker_a, worker_b):
    notify.send(sender=None, recipients=[worker_a, worker_b, worker_a], kind="assignment", title="新任务", url="/x/")
    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == [
        ("worker_a", "assignment"),
        ("worker_b", "assignment"),
    ]


def test_a_notify_signal_without_recipients_creates_nothing(tree):
    notify.send(sender=None, recipients=[], kind="assignment", title="新任务")
    assert not Notification.objects.exists()


def test_reading_a_notification_lowers_the_unread_count(tree, worker_a):
    notify.send(sender=None, recipients=[worker_a], kind="supervision", title="督办")
    note = Notification.objects.get()
    assert selectors.unread_count(actor=worker_a) == 1
    services.mark_notification_read(actor=worker_a, notification=note)
    assert selectors.unread_count(actor=worker_a) == 0


def test_nobody_else_can_mark_my_notification_read(tree, worker_a, worker_b):
    notify.send(sender=None, recipients=[worker_a], kind="supervision", title="督办")
    note = Notification.objects.get()
    try:
        services.mark_notification_read(actor=worker_b, notification=note)
    except Exception as error:
        assert getattr(error, "code", "") == "not_recipient"
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, tree, worker_a):
    notify.send(sender=None, recipients=[worker_a], kind="assignment", title="新任务", url="/events/")
    note = Notification.objects.get()
    client.force_login(worker_a)
    response = client.get(f"/dispatch/n/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/events/"
    note.refresh_from_db()
    assert note.read_at is not None
