"""Reminders to staff: hardship files due for the annual re-check and applications waiting too long."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from union_portal.core.workdays import working_days_between
from union_portal.notifications.services import notify

from ..models import (
    AidApplication,
    HardshipFile,
    State,
)

# --- reminders ---------------------------------------------------------------------------------------


def _staff_with(perm: str):
    """Active staff users with a permission through a role or directly, with their organisation."""
    app_label, codename = perm.split(".")
    user_model = get_user_model()
    by_group = Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label
    )
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    return list(
        user_model.objects.filter(is_active=True, is_staff=True, organisation__isnull=False)
        .filter(by_group | direct)
        .select_related("organisation")
        .distinct()
    )


def _in_scope(user, path: str) -> bool:
    return path.startswith(user.organisation.path)


def _admin_link(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def recheck_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell staff which hardship files of their area are due for the annual re-check. One message per
    person per day; returns how many were queued."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.AID_RECHECK_NOTICE_DAYS)
    due = list(
        HardshipFile.objects.active()
        .filter(next_recheck_on__lte=horizon)
        .values_list("member__union__path", "next_recheck_on")
    )
    if not due:
        return 0
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    staff = _staff_with("assistance.change_hardshipfile")
    for path, on in due:
        for user in staff:
            if _in_scope(user, path):
                counts[user.pk][0] += 1
                counts[user.pk][1] += on < today
    by_pk = {u.pk: u for u in staff}
    link = _admin_link("admin:assistance_hardshipfile_changelist", "?recheck=due")
    for pk, (count, overdue) in counts.items():
        notify(
            user=by_pk[pk],
            event="aid.recheck_due",
            context={"n": count, "late": overdue},
            link=link,
            key=f"aid.recheck_due:{pk}:{today.isoformat()}",
        )
    return len(counts)


def waiting_filter(queryset=None, *, today: dt.date | None = None, working_days: int | None = None):
    """Applications (of ``queryset``, all by default) waiting for staff for more than ``working_days``
    working days (holidays excluded), as a query: "more than N working days" is "changed before the
    day after the last date that is more than N working days before today", found in Python from the
    working-day calendar (a few dates back), then one condition for the database."""
    today = today or timezone.localdate()
    working_days = settings.AID_WAITING_WORKING_DAYS if working_days is None else working_days
    # More than N working days is always more than N calendar days; each day further back adds 0 or 1.
    day = today - dt.timedelta(days=working_days)
    while working_days_between(day, today) <= working_days:
        day -= dt.timedelta(days=1)
    cutoff = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    queryset = AidApplication.objects.all() if queryset is None else queryset
    return queryset.waiting().filter(state_changed_at__lt=cutoff)


def waiting_applications(
    *, today: dt.date | None = None, working_days: int | None = None
) -> list[AidApplication]:
    """Applications waiting for staff for more than ``working_days`` working days (holidays excluded)."""
    return list(waiting_filter(today=today, working_days=working_days).select_related("member__union"))


def waiting_reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the staff who must act of applications waiting more than 5 working days."""
    today = today or timezone.localdate()
    waiting = waiting_applications(today=today)
    if not waiting:
        return 0
    checkers = _staff_with("assistance.check_aidapplication")
    approvers = _staff_with("assistance.approve_aidapplication")
    counts: dict[int, int] = defaultdict(int)
    users = {}
    for application in waiting:
        who = checkers if application.state == State.SUBMITTED else approvers
        for user in who:
            if _in_scope(user, application.member.union.path):
                counts[user.pk] += 1
                users[user.pk] = user
    link = _admin_link("admin:assistance_aidapplication_changelist", "?waiting=late")
    for pk, count in counts.items():
        notify(
            user=users[pk],
            event="aid.waiting",
            context={"n": count, "days": settings.AID_WAITING_WORKING_DAYS},
            link=link,
            key=f"aid.waiting:{pk}:{today.isoformat()}",
        )
    return len(counts)
