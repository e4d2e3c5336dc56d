"""The entrants of a contest are told when it is cancelled and when their entry is disqualified."""

from __future__ import annotations

from competitions import services
from union_portal.notifications import backends
from union_portal.notifications.models import Notification


def test_entrants_are_told_when_the_contest_is_cancelled(scene, people, django_capture_on_commit_callbacks):
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=people.district_staff)
    services.entry_register(
        contest=scene.contest, member=scene.others[0], by=people.district_staff
    )  # no login
    with django_capture_on_commit_callbacks(execute=True):
        services.contest_cancel(contest=scene.contest, by=people.district_staff, reason="场地维修")
    [message] = Notification.objects.filter(kind="contests.cancelled")
    assert (message.recipient, message.key) == (people.member_user, f"contests.cancelled:{entry.pk}")
    assert message.title == f"{scene.contest.name} is cancelled"
    assert message.body == f"The contest you entered, {scene.contest.name}, is cancelled. Reason: 场地维修"
    assert backends.outbox[-1][1].endswith("the reason given is: 场地维修。")


def test_an_entrant_is_told_that_their_entry_was_disqualified(
    scene, people, django_capture_on_commit_callbacks
):
    entry = services.entry_register(contest=scene.contest, member=scene.member, by=people.district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_disqualify(entry=entry, by=people.district_staff, reason="违规使用工具")
        services.entry_disqualify(
            entry=entry, by=people.district_staff, reason="违规使用工具"
        )  # again: no-op
    [message] = Notification.objects.filter(kind="contests.entry_disqualified")
    assert message.recipient == people.member_user
    assert message.body == f"Entry no. {entry.number} was disqualified. Reason: 违规使用工具"
