"""Reminders to staff: annual re-checks falling due, and applications waiting more than 5 working
days, counted with China's holidays and make-up working days (Spring Festival 2026: 15-23 February
off, Saturday 14 and 28 February worked)."""

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assistance import services
from assistance.models import AidApplication, HardshipFile
from union_portal.core.workdays import add_working_days, working_days_between
from union_portal.notifications.models import Notification

from .factories import submit_festival

D = dt.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 2, 12), D(2026, 2, 13), 1),  # Thursday to Friday
        (D(2026, 2, 13), D(2026, 2, 14), 1),  # the make-up Saturday is a working day
        (D(2026, 2, 14), D(2026, 2, 23), 0),  # the whole Spring Festival holiday
        (D(2026, 2, 12), D(2026, 2, 25), 4),  # 13 calendar days, 4 working days
        (D(2026, 2, 12), D(2026, 2, 27), 6),
        (D(2026, 11, 20), D(2026, 11, 23), 1),  # an ordinary weekend
        (D(2026, 2, 25), D(2026, 2, 12), 0),  # backwards is nothing
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_add_working_days_skips_the_holiday():
    assert add_working_days(D(2026, 2, 12), 5) == D(2026, 2, 26)


def _at(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_waiting_reminder_counts_working_days_around_the_spring_festival(
    tree, people, aid, django_capture_on_commit_callbacks
):
    # given an application submitted on Thursday 12 February 2026, before the holiday
    application = submit_festival(aid)
    AidApplication.objects.filter(pk=application.pk).update(state_changed_at=_at(D(2026, 2, 12)))
    Notification.objects.all().delete()
    # on Wednesday 25 February it has waited 13 days but only 4 working days: nobody is reminded
    assert services.waiting_applications(today=D(2026, 2, 25)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.waiting_reminders_send(today=D(2026, 2, 25)) == 0
    # on Friday 27 February it has waited 6 working days: the checkers of its union are reminded
    assert [a.pk for a in services.waiting_applications(today=D(2026, 2, 27))] == [application.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.waiting_reminders_send(today=D(2026, 2, 27))
        services.waiting_reminders_send(today=D(2026, 2, 27))  # beat ran twice: still one message each
    reminded = set(
        Notification.objects.filter(kind="aid.waiting").values_list("recipient__username", flat=True)
    )
    # those who may check it, in its scope; not the other town or the other union
    assert reminded == {"officer_a", "town_a", "district"}
    assert Notification.objects.filter(kind="aid.waiting").count() == 3


def test_a_checked_application_reminds_the_district_only(
    tree, people, aid, django_capture_on_commit_callbacks
):
    application = services.application_check(application=submit_festival(aid), by=people.officer_a)
    AidApplication.objects.filter(pk=application.pk).update(state_changed_at=_at(D(2026, 2, 12)))
    with django_capture_on_commit_callbacks(execute=True):
        services.waiting_reminders_send(today=D(2026, 2, 27))
    assert set(
        Notification.objects.filter(kind="aid.waiting").values_list("recipient__username", flat=True)
    ) == {"district"}


def test_recheck_reminders_go_to_staff_of_the_file(tree, people, aid, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    HardshipFile.objects.filter(pk=aid.file.pk).update(next_recheck_on=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.recheck_reminders_send(today=today)
    notes = {n.recipient.username: n for n in Notification.objects.filter(kind="aid.recheck_due")}
    # the file of union A is due; the file of union B is a year away
    assert set(notes) == {"town_a", "district"}
    assert "1" in notes["town_a"].title and notes["town_a"].body  # one file, overdue
    # after the re-check it is not due any more
    services.hardship_file_recheck(file=aid.file, by=people.town_a_staff)
    assert HardshipFile.objects.get(pk=aid.file.pk).next_recheck_on > today + dt.timedelta(days=300)


def test_beat_schedules_are_installed_in_shanghai_time(db):
    tasks = {t.task: t for t in PeriodicTask.objects.select_related("crontab")}
    for name in ("assistance.tasks.remind_rechecks", "assistance.tasks.remind_waiting"):
        assert str(tasks[name].crontab.timezone) == "Asia/Shanghai"
        assert tasks[name].crontab.hour == "8"


def test_the_waiting_filter_is_the_working_day_rule_in_one_query(tree, people, aid):
    """The queue filter asks the database one date condition; it must pick exactly the applications
    the working-day rule picks, every day through the Spring Festival, at the edges of the day too
    (a change at 00:05 and at 23:55 Shanghai time)."""
    from ..members.factories import make_member
    from .factories import make_file

    applications = []
    for offset in range(24):
        member = make_member(tree.union_a)
        make_file(member, people.district_staff)
        application = submit_festival(aid, member=member, by=people.officer_a)
        day = D(2026, 2, 1) + dt.timedelta(days=offset)
        hour, minute = (0, 5) if offset % 2 else (23, 55)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        AidApplication.objects.filter(pk=application.pk).update(state_changed_at=at)
        applications.append((application.pk, day))
    for today in [D(2026, 2, 1) + dt.timedelta(days=n) for n in range(8, 32)]:
        expected = {pk for pk, day in applications if working_days_between(day, today) > 5}
        assert set(services.waiting_filter(today=today).values_list("pk", flat=True)) == expected, today
    assert expected  # the last day has some, or the comparison proved nothing
