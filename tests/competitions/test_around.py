"""Around the workflow: figures, the health-check reminder, the member timeline, the work queues."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from competitions import services
from competitions.figures import FIGURES
from competitions.services.reminders import health_check_reminders_send
from competitions.timeline import member_events
from union_portal.core.figures import Period
from union_portal.core.queues import queues_for
from union_portal.notifications.models import Notification

from .factories import make_title


def test_figures_count_entries_and_honours(scene, tree, people):
    staff = people.district_staff
    services.entry_register(contest=scene.contest, member=scene.member, by=staff)
    services.entry_register(contest=scene.contest, member=scene.member_b, by=staff)
    title = make_title(tree.district, staff)
    services.honour_record(title=title, by=staff, organisation=tree.union_a, member=scene.member,
                           conferred_on=timezone.localdate())  # fmt: skip
    figures = {f.key: f for f in FIGURES}
    period = Period.year(timezone.localdate().year)
    assert figures["contests.participants"].value(scope=tree.district, period=period) == 2
    assert figures["contests.participants"].value(scope=tree.town_a, period=period) == 1
    by_child = figures["contests.participants"].value_by_child(scope=tree.district, period=period)
    assert by_child == {tree.town_a.path: 1, tree.town_b.path: 1}
    assert figures["contests.by_level"].value(scope=tree.district, period=period)["district"] == 1
    assert figures["honours.by_level"].value(scope=tree.district, period=period)["district"] == 1
    assert figures["honours.by_holder"].value(scope=tree.town_b, period=period)["person"] == 0


def test_the_health_check_reminder_is_sent_once_a_day(
    scene, tree, people, django_capture_on_commit_callbacks
):
    staff = people.district_staff
    title = make_title(tree.district, staff)
    honour = services.honour_record(title=title, by=staff, organisation=tree.union_a, member=scene.member,
                                    conferred_on=dt.date(2020, 4, 28))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert health_check_reminders_send() >= 2  # district staff and town A staff
        health_check_reminders_send()
    assert Notification.objects.filter(recipient=staff, kind="honours.health_check_due").count() == 1
    assert not Notification.objects.filter(
        recipient=people.town_b_staff, kind="honours.health_check_due"
    ).exists()
    services.care_record(honour=honour, by=staff, kind="health_check", on=timezone.localdate())
    assert health_check_reminders_send(today=timezone.localdate() + dt.timedelta(days=1)) == 0


def test_timeline_and_queues(scene, tree, people):
    staff = people.district_staff
    services.entry_register(contest=scene.contest, member=scene.member, by=staff)
    events = member_events(member=scene.member, viewer=people.town_a_staff)
    assert [e.kind for e in events] == ["contest.entry"]
    assert member_events(member=scene.member, viewer=people.town_b_staff) == []
    keys = {queue.key for queue, _count in queues_for(staff)}
    assert {"honours.nominations_to_review", "honours.objections_open"} <= keys


def test_a_mentor_pair_past_its_term_waits_for_its_outcome(tree, people, django_capture_on_commit_callbacks):
    from competitions.models import MentorPair

    from ..accounts.factories import make_user
    from ..members.factories import make_member

    staff = people.district_staff
    mentor = make_member(tree.union_a, name="王师傅", user=make_user("member", None, username="mentor1"))
    apprentice = make_member(tree.union_a, name="李徒弟")
    today = timezone.localdate()
    pair = services.mentor_pair_save(
        pair=MentorPair(
            organisation=tree.union_a, mentor=mentor, apprentice=apprentice, occupation="焊工",
            goals="一年内取得高级工证书", starts_on=today - dt.timedelta(days=400), ends_on=today - dt.timedelta(days=1),
        ),
        by=staff,
    )  # fmt: skip

    def waiting(user):
        return {queue.key: n for queue, n in queues_for(user)}["honours.mentor_pairs_past_term"]

    assert (waiting(staff), waiting(people.town_b_staff)) == (1, 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.mentor_pair_conclude(pair=pair, by=staff, outcome="取得高级焊工证书")
    pair.refresh_from_db()
    assert (pair.status, pair.outcome) == ("ended", "取得高级焊工证书")
    assert pair.history.filter(history_change_reason="取得高级焊工证书").count() == 1
    assert (
        Notification.objects.filter(recipient=mentor.user, kind="honours.mentor_pair_concluded").count() == 1
    )
    assert waiting(staff) == 0
