"""Reminders of contests and honours: model workers due for their yearly health check."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from union_portal.notifications.services import notify

from ..models import CareKind, Honour


def health_checks_due(*, today: dt.date):
    """Held honours of model-worker titles whose last health check is over a year old (or never was)."""
    year_ago = today - dt.timedelta(days=365)
    return (
        Honour.objects.held()
        .filter(title__is_model_worker=True)
        .annotate(last_check=Max("care__on", filter=Q(care__kind=CareKind.HEALTH_CHECK)))
        .filter(Q(last_check__isnull=True) | Q(last_check__lte=year_ago))
    )


def health_check_reminders_send(*, today: dt.date | None = None) -> int:
    """Tell the staff who record care how many model workers of their area are due a health check.
    One message per person per day (safe to run twice); returns how many were queued."""
    today = today or timezone.localdate()
    due = list(health_checks_due(today=today).values_list("organisation__path", flat=True))
    if not due:
        return 0
    users = list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, organisation__isnull=False)
        .filter(
            Q(
                groups__permissions__codename="add_carerecord",
                groups__permissions__content_type__app_label="competitions",
            )
            | Q(
                user_permissions__codename="add_carerecord",
                user_permissions__content_type__app_label="competitions",
            )
        )
        .select_related("organisation")
        .distinct()
    )
    counts: Counter = Counter()
    for user in users:
        counts[user.pk] = sum(1 for path in due if path.startswith(user.organisation.path))
    try:
        link = reverse("admin:competitions_honour_changelist") + "?title__is_model_worker__exact=1"
    except NoReverseMatch:
        link = ""
    by_pk = {u.pk: u for u in users}
    sent = 0
    for pk, count in counts.items():
        if count:
            notify(
                user=by_pk[pk],
                event="honours.health_check_due",
                key=f"honours.health_check_due:{pk}:{today.isoformat()}",
                context={"count": count},
                link=link,
            )
            sent += 1
    return sent
