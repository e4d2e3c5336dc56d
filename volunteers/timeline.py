"""Volunteer service on a member's timeline: registration, verified service, star levels."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.timeline import TimelineEvent

from .models import RecordStatus, ServiceRecord, StarLevelEvent, Volunteer


def member_events(*, member, viewer) -> list[TimelineEvent]:
    """Three queries at most: the volunteer, their verified records and their star level events."""
    volunteer = Volunteer.objects.visible_to(viewer).filter(member_id=member.pk).first()
    if volunteer is None:
        return []
    staff = viewer.is_staff
    link = (
        reverse("admin:volunteers_volunteer_change", args=[volunteer.pk])
        if staff
        else reverse("volunteers:my_hours")
    )
    registered = timezone.make_aware(dt.datetime.combine(volunteer.registered_on, dt.time()))
    rows = [TimelineEvent(at=registered, app="volunteers", kind="volunteers.registered",
                          title=_("Registered as a volunteer"), detail="", link=link)]  # fmt: skip
    records = (
        ServiceRecord.objects.visible_to(viewer)
        .filter(volunteer=volunteer, status=RecordStatus.VERIFIED)
        .select_related("activity")
        .order_by("started_at", "pk")
    )
    for record in records:
        rows.append(TimelineEvent(at=record.started_at, app="volunteers", kind="volunteers.service",
                                  title=record.activity.title, detail=_("%(h)s verified hours") % {"h": record.hours},
                                  link=link))  # fmt: skip
    for event in StarLevelEvent.objects.filter(volunteer=volunteer).order_by("at", "pk"):
        title = (_("Reached %(n)d stars") if event.change == "reached" else _("Below %(n)d stars")) % {
            "n": event.level
        }
        rows.append(TimelineEvent(at=event.at, app="volunteers", kind=f"volunteers.star_{event.change}",
                                  title=title, detail=_("%(h)s verified hours") % {"h": event.hours}, link=link))  # fmt: skip
    return rows
