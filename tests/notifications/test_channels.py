"""Email beside inbox and SMS, channel preferences per kind, quiet hours, retries and the admin."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from union_portal.core.errors import ApplicationError, PermissionDeniedError
from union_portal.notifications import backends, selectors, services
from union_portal.notifications.backends import SMSDeliveryError
from union_portal.notifications.models import Notification, NotificationPreference
from union_portal.notifications.services import (
    language_save,
    notification_send,
    notify,
    preference_save,
    quiet_until,
)

from ..accounts.factories import PASSWORD, make_user
from ..members.factories import make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _outbox(settings):
    from pathlib import Path

    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"],
        }
    ]
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def person(db):
    return make_user(None, None, username="li", mobile="13700000011", email="li@example.cn")


def shanghai(hour: int, minute: int = 0, day: int = 1) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


def tell(user, key="t:1", event="legal.case_stage", urgent=False, link="/portal/legal/"):
    notify(
        user=user,
        event=event,
        key=key,
        context={"pk": 123, "stage": "开庭", "note": "请按时到庭"},
        link=link,
        urgent=urgent,
    )


# --- email ------------------------------------------------------------------------------------------


def test_email_carries_the_event_text_and_html_in_the_recipients_language(
    person, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://portal.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user=person,
            event="test.shift",
            context={"station": "西南站 & <法援>", "start": "09:00"},
            key="test.shift:mail",
            link="/portal/legal/",
        )
    [message] = mail.outbox
    assert message.subject == "Shift at 西南站 & <法援> tomorrow"
    assert message.to == ["li@example.cn"]
    assert "From 09:00 at 西南站 & <法援>." in message.body
    assert "https://portal.example.cn/portal/legal/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "西南站 &amp; &lt;法援&gt;" in html and "<法援>" not in html  # escaped in HTML
    assert 'href="https://portal.example.cn/portal/legal/"' in html
    assert Notification.objects.get().email_status == "sent"


def test_a_recipient_who_chose_chinese_gets_chinese_words(person, django_capture_on_commit_callbacks):
    language_save(user=person, language="zh-hans", by=person)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)
    notification = Notification.objects.get()
    assert notification.title == "案件123号：开庭"
    assert mail.outbox[0].subject == notification.title
    assert "在工会门户中查看" in mail.outbox[0].body
    language_save(user=person, language="en", by=person)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person, key="t:2")
    assert Notification.objects.get(key="t:2").title == "Case no. 123: 开庭"


def test_no_email_address_means_no_email(db, django_capture_on_commit_callbacks):
    user = make_user(None, None, username="noemail", mobile="13700000012", email="")
    with django_capture_on_commit_callbacks(execute=True):
        tell(user)
    assert Notification.objects.get().email_status == "skipped" and mail.outbox == []
    assert len(backends.outbox) == 1


# --- preferences ------------------------------------------------------------------------------------


def test_channels_follow_the_preference_of_the_events_kind(person, django_capture_on_commit_callbacks):
    preference_save(user=person, kind="legal.cases", channels={"email"}, by=person)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)  # legal.case_stage is of the kind legal.cases
        tell(person, key="t:shift", event="test.shift")  # another kind: the defaults
    switched = Notification.objects.get(key="t:1")
    assert (switched.in_inbox, switched.sms_status, switched.email_status) == (False, "off", "sent")
    assert [m.to for m in mail.outbox] == [["li@example.cn"], ["li@example.cn"]]
    assert len(backends.outbox) == 1  # only the other kind's SMS
    assert list(selectors.inbox(user=person)) == [Notification.objects.get(key="t:shift")]


def test_an_urgent_kind_cannot_be_switched_off_entirely(person):
    with pytest.raises(ApplicationError) as error:
        preference_save(user=person, kind="legal.shifts", channels=set(), by=person)
    assert error.value.code == "urgent_kind"
    assert not NotificationPreference.objects.exists()
    # one channel is enough; an ordinary kind may be switched off entirely
    preference_save(user=person, kind="legal.shifts", channels={"sms"}, by=person)
    preference_save(user=person, kind="legal.cases", channels=set(), by=person)
    assert dict(NotificationPreference.objects.values_list("kind", "sms")) == {
        "legal.shifts": True,
        "legal.cases": False,
    }


def test_an_urgent_message_of_a_kind_switched_off_still_reaches_the_inbox(
    person, django_capture_on_commit_callbacks
):
    preference_save(user=person, kind="legal.cases", channels=set(), by=person)
    with django_capture_on_commit_callbacks(execute=True):
        tell(person, key="t:quiet")
        tell(person, key="t:urgent", urgent=True)
    assert dict(Notification.objects.values_list("key", "in_inbox")) == {"t:quiet": False, "t:urgent": True}
    assert backends.outbox == [] and mail.outbox == []


def test_only_staff_of_the_subtree_change_another_persons_preferences(tree, people):
    member_b = make_member(tree.union_b, user=make_user(None, None, username="member_b"))
    with pytest.raises(PermissionDeniedError):
        preference_save(user=member_b.user, kind="legal.cases", channels={"inbox"}, by=people.member_user)
    with pytest.raises(ApplicationError):
        preference_save(user=member_b.user, kind="legal.cases", channels={"inbox"}, by=people.town_a_staff)
    preference_save(user=member_b.user, kind="legal.cases", channels={"inbox"}, by=people.town_b_staff)
    assert NotificationPreference.objects.get(user=member_b.user).channels() == {"inbox"}


def test_the_settings_page_saves_channels_and_refuses_an_urgent_kind_left_empty(client, person):
    client.login(username="li", password=PASSWORD)
    url = reverse("notifications:settings")
    page = client.get(url).content.decode()
    assert "Legal aid: duty shifts, swaps and tomorrow&#x27;s shift" in page
    import re

    boxes = re.findall(r'<input type="checkbox" name="legal\.shifts__(\w+)"([^>]*)>', page)
    assert [(name, " checked" in rest) for name, rest in boxes] == [("inbox", 1), ("sms", 1), ("email", 1)]
    staff = re.findall(r'<input type="checkbox" name="aid\.staff_reminders__(\w+)"([^>]*)>', page)
    assert [(name, " checked" in rest) for name, rest in staff] == [("inbox", 1), ("sms", 0), ("email", 1)]
    keep = {"language": "zh-hans", "legal.cases__email": "on", "legal.shifts__inbox": "on"}
    response = client.post(url, keep | dict.fromkeys(_all_other_kinds("legal.cases", "legal.shifts"), "on"))
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=person, kind="legal.cases").channels() == {"email"}
    assert NotificationPreference.objects.get(user=person, kind="legal.shifts").channels() == {"inbox"}
    assert services.recipient_language(person.pk) == "zh-hans"
    # every channel of the shifts off: refused, nothing changed
    response = client.post(url, {"language": "en", "legal.cases__sms": "on"})
    assert response.status_code == 200
    assert "cannot be switched off entirely" in response.content.decode()
    assert NotificationPreference.objects.get(user=person, kind="legal.cases").channels() == {"email"}
    assert services.recipient_language(person.pk) == "zh-hans"


def _all_other_kinds(*but):
    from union_portal.notifications.kinds import CHANNELS, kinds

    return [f"{key}__{c}" for key in kinds() if key not in but for c in CHANNELS]


# --- quiet hours ------------------------------------------------------------------------------------


@pytest.fixture
def quiet(settings):
    settings.NOTIFICATION_QUIET_START = dt.time(22, 0)
    settings.NOTIFICATION_QUIET_END = dt.time(8, 0)


@pytest.mark.parametrize(
    ("at", "until"),
    [
        (shanghai(21, 59), None),
        (shanghai(22, 0), shanghai(8, day=2)),
        (shanghai(23, 59), shanghai(8, day=2)),
        (shanghai(0, 0, day=2), shanghai(8, day=2)),
        (shanghai(7, 59, day=2), shanghai(8, day=2)),
        (shanghai(8, 0, day=2), None),
    ],
)
def test_quiet_hours_are_22_to_8_shanghai_time(quiet, at, until):
    assert quiet_until(at.astimezone(dt.UTC)) == until


def test_a_night_sms_waits_for_the_morning_and_an_urgent_one_does_not(
    person, quiet, monkeypatch, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from union_portal.notifications.tasks import send_waiting_sms

    monkeypatch.setattr(timezone, "now", lambda: shanghai(23, 30).astimezone(dt.UTC))
    with django_capture_on_commit_callbacks(execute=True):
        tell(person, key="t:night")
        tell(person, key="t:urgent", urgent=True)
    night = Notification.objects.get(key="t:night")
    assert (night.sms_status, night.sms_not_before, night.email_status) == (
        "pending",
        shanghai(8, day=2),
        "sent",
    )
    assert [text for _mobile, text in backends.outbox] == [
        "【三水区总工会】Your labour-dispute case no. 123 is now at the stage: 开庭."
    ]  # the urgent one, at once
    # the sweep before 08:00 sends nothing; at 08:00 the waiting SMS goes, once
    monkeypatch.setattr(timezone, "now", lambda: shanghai(7, 59, day=2).astimezone(dt.UTC))
    assert send_waiting_sms() == 0
    monkeypatch.setattr(timezone, "now", lambda: shanghai(8, 0, day=2).astimezone(dt.UTC))
    assert send_waiting_sms() == 1
    assert send_waiting_sms() == 0
    night.refresh_from_db()
    assert night.sms_status == "sent" and len(backends.outbox) == 2


# --- retries and the admin ----------------------------------------------------------------------------


class DownSMS(backends.BaseSMSBackend):
    calls = 0

    def send(self, mobile, text):
        DownSMS.calls += 1
        raise SMSDeliveryError("gateway 503")


@pytest.fixture
def eager_retries():
    """Celery's eager mode runs a retry at once (instead of raising it) when it does not propagate."""
    from union_portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_failing_channel_is_retried_then_marked_failed_with_its_error(
    person, settings, eager_retries, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.notifications.test_channels.DownSMS"
    settings.NOTIFICATION_MAX_RETRIES = 3
    DownSMS.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        tell(person)
    notification = Notification.objects.get()
    assert (notification.sms_status, notification.sms_error) == ("failed", "gateway 503")
    assert notification.email_status == "sent"  # one channel's failure does not hold the other
    assert DownSMS.calls == 4  # the first try and three retries


def test_backoff_doubles(settings):
    from union_portal.notifications.tasks import backoff

    settings.NOTIFICATION_RETRY_BACKOFF = 30
    assert [backoff(n) for n in range(5)] == [30, 60, 120, 240, 480]


def test_staff_see_failed_deliveries_of_their_subtree_and_retry_them(
    client, tree, people, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.notifications.test_channels.DownSMS"
    settings.NOTIFICATION_MAX_RETRIES = 0
    member_a = make_member(tree.union_a, user=make_user(None, None, username="ma", mobile="13700000021"))
    member_b = make_member(tree.union_b, user=make_user(None, None, username="mb", mobile="13700000022"))
    with django_capture_on_commit_callbacks(execute=True):
        tell(member_a.user, key="t:a")
        tell(member_b.user, key="t:b")
    assert set(Notification.objects.values_list("sms_status", flat=True)) == {"failed"}
    client.login(username="town_a", password=PASSWORD)
    url = reverse("admin:notifications_notification_changelist") + "?delivery=failed"
    page = client.get(url).content.decode()
    assert "gateway 503" in page and "t:a" not in page  # the key is not listed; the error is
    mine = Notification.objects.get(key="t:a")
    theirs = Notification.objects.get(key="t:b")
    assert f"/{mine.pk}/change/" in page and f"/{theirs.pk}/change/" not in page
    settings.SMS_BACKEND = "locmem"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "retry_failed", "_selected_action": [mine.pk, theirs.pk]}, follow=True
        )
    assert response.status_code == 200
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.sms_status, theirs.sms_status) == ("sent", "failed")  # town B's is not town A's to retry
    assert backends.outbox == [
        ("13700000021", "【三水区总工会】Your labour-dispute case no. 123 is now at the stage: 开庭.")
    ]


def test_a_member_cannot_open_the_deliveries(client, people):
    client.login(username="member1", password=PASSWORD)
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 302


def test_send_is_idempotent_per_channel(person):
    notification = services.notification_deliver(
        user_id=person.pk, kind="test.message", title="一", body="", link="", key="t:idem", send=False
    )
    assert notification_send(notification=notification, channel="email") == "sent"
    assert notification_send(notification=notification, channel="email") == "sent"
    assert len(mail.outbox) == 1


def test_the_deliveries_list_costs_the_same_queries_at_3_and_30_messages(client, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = make_member(tree.union_a, user=make_user(None, None, username="many", mobile="13700000031"))
    client.login(username="town_a", password=PASSWORD)
    url = reverse("admin:notifications_notification_changelist") + "?delivery=failed"

    def queries_with(n: int) -> int:
        for i in range(Notification.objects.count(), n):
            Notification.objects.create(
                recipient=member.user, kind="legal.case_stage", title=f"第{i}条", key=f"q:{i}",
                sms_status="failed", sms_error="gateway 503",
            )  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        assert page.count("gateway 503") == n
        return len(captured)

    assert queries_with(3) == queries_with(30)


def test_staff_set_a_members_channels_in_the_admin_and_an_urgent_kind_keeps_one(client, tree, people):
    member = make_member(tree.union_a, user=make_user(None, None, username="counter", mobile="13700000041"))
    client.login(username="town_a", password=PASSWORD)
    add = reverse("admin:notifications_notificationpreference_add")
    response = client.post(add, {"user": member.user.pk, "kind": "legal.shifts"})  # every channel off
    assert response.status_code == 200 and "cannot be switched off entirely" in response.content.decode()
    assert not NotificationPreference.objects.exists()
    response = client.post(add, {"user": member.user.pk, "kind": "legal.shifts", "sms": "on"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get()
    assert (preference.user, preference.kind, preference.channels()) == (member.user, "legal.shifts", {"sms"})
    change = reverse("admin:notifications_notificationpreference_change", args=[preference.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"inbox": "on", "email": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get().channels() == {"inbox", "email"}
