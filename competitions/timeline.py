"""Contest entries and honours on a member's timeline (what ``viewer`` may see, two queries)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.timeline import TimelineEvent

from .models import Entry, Honour


def member_events(*, member, viewer) -> list[TimelineEvent]:
    events = []
    entries = (
        Entry.objects.visible_to(viewer).filter(people__member=member).select_related("contest").distinct()
    )
    for entry in entries:
        detail = entry.get_prize_display() if entry.prize and entry.contest.status == "published" else ""
        events.append(
            TimelineEvent(
                at=entry.registered_at, app="competitions", kind="contest.entry",
                title=_("Entered %(contest)s") % {"contest": entry.contest.name}, detail=detail,
            )
        )  # fmt: skip
    for honour in Honour.objects.visible_to(viewer).filter(member=member).select_related("title"):
        at = timezone.make_aware(dt.datetime.combine(honour.conferred_on, dt.time(9)))
        events.append(
            TimelineEvent(
                at=at, app="competitions", kind="honour.conferred",
                title=_("Conferred %(title)s") % {"title": honour.title.name}, detail=honour.get_status_display(),
            )
        )  # fmt: skip
    return events
