"""Notifications: sent once, after the commit, never for a rollback, and once only on a retry."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from union_portal.notifications import backends
from union_portal.notifications.backends import SMSDeliveryError
from union_portal.notifications.models import Notification
from union_portal.notifications.services import DeliveryError, notification_deliver, notify

from ..accounts.factories import PASSWORD, make_user


@pytest.fixture(autouse=True)
def _outbox():
    # The cache (Redis in CI) outlives each test's rolled-back database: counters and claims that earlier
    # tests left for the same mobile must not decide what these tests send.
    cache.clear()
    backends.outbox.clear()
    yield
    backends.outbox.clear()
    cache.clear()


@pytest.fixture
def person(db):
    return make_user(None, None, username="wang", mobile="13700000001")


def test_sent_once_after_commit(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify(
            user=person,
            event="test.message",
            context={"title": "您的申请已受理", "body": "编号 7"},
            link="/portal/",
            key="test:7",
        )
        # nothing is written or sent before the transaction commits
        assert Notification.objects.count() == 0 and backends.outbox == []
    assert len(callbacks) == 1
    notification = Notification.objects.get()
    assert (notification.recipient, notification.title, notification.sms_status) == (
        person,
        "您的申请已受理",
        "sent",
    )
    assert backends.outbox == [("13700000001", "【三水区总工会】您的申请已受理。")]


def _change_that_fails(person):
    with transaction.atomic():
        notify(user=person, event="test.message", context={"title": "不会发送"}, key="test:rollback")
        raise RuntimeError("the change failed")


def test_nothing_is_sent_when_the_transaction_rolls_back(transactional_db, person):
    with pytest.raises(RuntimeError):
        _change_that_fails(person)
    assert Notification.objects.count() == 0 and backends.outbox == []


def test_sent_in_autocommit_when_no_transaction_is_open(transactional_db, person):
    notify(user=person, event="test.message", context={"title": "立即发送"}, key="test:autocommit")
    assert Notification.objects.get().title == "立即发送"
    assert len(backends.outbox) == 1


def test_the_same_key_sends_once(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event="test.message", context={"title": "一次"}, key="test:once")
        notify(user=person, event="test.message", context={"title": "一次"}, key="test:once")
    notification_deliver(user_id=person.pk, kind="test", title="一次", body="", link="", key="test:once")
    assert Notification.objects.filter(key="test:once").count() == 1
    assert len(backends.outbox) == 1


class FlakySMS(backends.BaseSMSBackend):
    """Fails the first time, like a gateway that timed out."""

    calls = 0

    def send(self, mobile, text):
        FlakySMS.calls += 1
        if FlakySMS.calls == 1:
            raise SMSDeliveryError("timeout")
        backends.outbox.append((mobile, text))
        return "1"
        return "ok"


def test_a_retry_after_a_failed_sms_sends_once(person, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notify.FlakySMS"
    FlakySMS.calls = 0
    payload = {
        "user_id": person.pk,
        "kind": "test",
        "title": "重试",
        "body": "",
        "link": "",
        "key": "test:retry",
    }
    with pytest.raises(DeliveryError):
        notification_deliver(**payload)
    notification = Notification.objects.get(key="test:retry")
    assert (notification.sms_status, notification.sms_error) == ("pending", "timeout")
    # the task runs again (Celery's retry), and then once more (a redelivery): one row, one SMS
    notification_deliver(**payload)
    notification_deliver(**payload)
    assert Notification.objects.filter(key="test:retry").count() == 1
    assert backends.outbox == [("13700000001", "【三水区总工会】重试")]
    assert FlakySMS.calls == 2


def test_no_mobile_means_inbox_only(db, django_capture_on_commit_callbacks):
    user = make_user(None, None, username="nomobile")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, event="test.message", context={"title": "只在站内"}, key="test:nomobile")
    assert Notification.objects.get().sms_status == "skipped" and backends.outbox == []


def test_inbox_shows_own_messages_and_marks_them_read(client, person, django_capture_on_commit_callbacks):
    other = make_user(None, None, username="other", mobile="13700000002")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=person, event="test.message", context={"title": "我的消息"}, link="/portal/", key="test:mine"
        )
        notify(user=other, event="test.message", context={"title": "别人的消息"}, key="test:theirs")
    client.login(username="wang", password=PASSWORD)
    body = client.get(reverse("notifications:inbox")).content.decode()
    assert "我的消息" in body and "别人的消息" not in body
    mine, theirs = Notification.objects.get(key="test:mine"), Notification.objects.get(key="test:theirs")
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/portal/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_open_never_redirects_off_site(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=person,
            event="test.message",
            context={"title": "钓鱼"},
            link="https://evil.example/",
            key="test:evil",
        )
    client.login(username="wang", password=PASSWORD)
    response = client.get(reverse("notifications:open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_http_sms_backend_posts_json(settings):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the standard library's name
            received.append(
                (
                    self.headers["Authorization"],
                    json.loads(self.rfile.read(int(self.headers["Content-Length"]))),
                )
            )
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"id": "msg-1"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    settings.SMS_BACKEND = "http"
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_API_KEY = "k-123"
    try:
        assert backends.get_sms_backend().send("13700000001", "你好") == "msg-1"
    finally:
        thread.join(timeout=5)
        server.server_close()
    assert received == [("Bearer k-123", {"mobile": "13700000001", "text": "你好", "sign": "三水区总工会"})]
    settings.SMS_API_URL = "http://127.0.0.1:9/nothing-listens"
    with pytest.raises(SMSDeliveryError):
        backends.get_sms_backend().send("13700000001", "你好")


def test_header_shows_the_unread_count(client, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            notify(user=person, event="test.message", context={"title": f"消息{n}"}, key=f"test:count:{n}")
    client.login(username="wang", password=PASSWORD)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'class="badge badge-unread"' in page and ">2</span>" in page
    client.post(reverse("notifications:read_all"))
    assert 'class="badge badge-unread"' not in client.get(reverse("notifications:inbox")).content.decode()


@pytest.fixture(autouse=True)
def event_templates(settings):
    from pathlib import Path

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"],
        }
    ]


def test_an_event_is_told_in_the_words_of_its_templates(
    person, event_templates, django_capture_on_commit_callbacks
):
    # given an event with a title, a body and an SMS sentence of its own
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=person,
            event="test.shift",
            context={"station": "西南站 & <法援>", "start": "09:00"},
            key="test.shift:1",
            link="/portal/legal/",
            urgent=True,
        )
    # then the inbox shows the title and body, and the SMS is its own sentence
    notification = Notification.objects.get()
    assert (notification.kind, notification.title, notification.body, notification.urgent) == (
        "test.shift",
        "Shift at 西南站 & <法援> tomorrow",
        "From 09:00 at 西南站 & <法援>.",
        True,
    )
    assert backends.outbox == [
        ("13700000001", "【三水区总工会】You are on duty at 西南站 & <法援> from 09:00.")
    ]


def test_an_event_without_templates_fails_loudly(person, django_capture_on_commit_callbacks):
    from django.template import TemplateDoesNotExist

    with pytest.raises(TemplateDoesNotExist), django_capture_on_commit_callbacks(execute=True):
        notify(user=person, event="no.such.event", key="x:1")
    assert Notification.objects.count() == 0


class WatchfulSMS(backends.BaseSMSBackend):
    """Records whether a transaction (and so a row lock) was open while the gateway was called."""

    in_transaction: list[bool] = []

    def send(self, mobile, text):
        from django.db import connection

        WatchfulSMS.in_transaction.append(connection.in_atomic_block)
        backends.outbox.append((mobile, text))


def test_the_sms_gateway_is_called_with_no_row_locked(transactional_db, person, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notify.WatchfulSMS"
    WatchfulSMS.in_transaction = []
    notification_deliver(user_id=person.pk, kind="test", title="无锁", body="", link="", key="test:nolock")
    assert WatchfulSMS.in_transaction == [False]
    assert Notification.objects.get(key="test:nolock").sms_status == "sent"


def test_a_claim_in_progress_is_not_sent_twice_and_a_stale_one_is_taken_over(person, settings):
    from datetime import timedelta

    from django.utils import timezone

    payload = {
        "user_id": person.pk,
        "kind": "test",
        "title": "认领",
        "body": "",
        "link": "",
        "key": "test:claim",
    }
    notification = Notification.objects.create(
        recipient=person,
        kind="test",
        title="认领",
        key="test:claim",
        sms_status="sending",
        sms_claimed_at=timezone.now(),
    )
    notification_deliver(**payload)  # another run is sending it right now
    assert backends.outbox == [] and Notification.objects.get(pk=notification.pk).sms_status == "sending"
    Notification.objects.filter(pk=notification.pk).update(
        sms_claimed_at=timezone.now() - timedelta(seconds=settings.NOTIFICATION_SMS_CLAIM_SECONDS + 1)
    )
    notification_deliver(**payload)  # that run died: this one sends it
    notification.refresh_from_db()
    assert (notification.sms_status, notification.sms_claimed_at) == ("sent", None)
    assert backends.outbox == [("13700000001", "【三水区总工会】认领")]
