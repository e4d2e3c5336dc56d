"""Hardship aid's events on a member's timeline: hardship files opened and ended, every step of every
aid application (submitted, checked, approved, paid...)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.timeline import TimelineEvent

from .models import AidApplication, AidStep, HardshipFile


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def member_events(*, member, viewer) -> list[TimelineEvent]:
    """Two queries: the steps of the applications ``viewer`` sees, and the hardship files."""
    staff = viewer.is_staff
    visible = AidApplication.objects.visible_to(viewer).filter(member_id=member.pk)
    steps = AidStep.objects.filter(application__in=visible).select_related("application").order_by("at", "pk")
    rows = []
    for step in steps:
        application = step.application
        link = (
            reverse("admin:assistance_aidapplication_change", args=[application.pk])
            if staff
            else reverse("aid:detail", args=[application.pk])
        )
        title = f"{application.get_kind_display()} · {step.get_to_state_display()}"
        detail = f"¥{step.amount}" if step.amount is not None else ""
        if step.note:
            detail = f"{detail} · {step.note}" if detail else step.note
        rows.append(TimelineEvent(at=step.at, app="assistance", kind=f"aid.{step.to_state}", title=title,
                                  detail=detail, link=link))  # fmt: skip
    if staff:
        for file in HardshipFile.objects.visible_to(viewer).filter(member_id=member.pk).order_by("pk"):
            link = reverse("admin:assistance_hardshipfile_change", args=[file.pk])
            rows.append(TimelineEvent(at=_start_of(file.opened_on), app="assistance", kind="aid.file_opened",
                                      title=_("Hardship file opened"), detail=file.get_level_display(), link=link))  # fmt: skip
            if file.exited_on:
                rows.append(TimelineEvent(at=_start_of(file.exited_on), app="assistance", kind="aid.file_exited",
                                          title=_("Out of hardship"), detail=file.exit_reason, link=link))  # fmt: skip
    return rows
