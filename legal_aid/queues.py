"""Work waiting in legal aid: shifts without a lawyer or with an absent one, cases at intake, cases
near their limitation date, questions waiting for a lawyer."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import (
    BEFORE_ARBITRATION,
    Consultation,
    ConsultationStatus,
    DisputeCase,
    Shift,
    ShiftStatus,
    Stage,
)


def _uncovered(viewer) -> int:
    now = timezone.now()
    return (
        Shift.objects.visible_to(viewer)
        .filter(end__gte=now, replaces__isnull=True)
        .filter(lawyer__isnull=True)
        .count()
        + Shift.objects.visible_to(viewer)
        .filter(end__gte=now, status=ShiftStatus.ABSENT, covers__isnull=True)
        .count()
    )


def _near_limitation(viewer) -> int:
    horizon = timezone.localdate() + dt.timedelta(days=60)
    return (
        DisputeCase.objects.visible_to(viewer)
        .filter(stage__in=BEFORE_ARBITRATION, limitation_on__lte=horizon)
        .count()
    )


QUEUES = [
    WorkQueue(
        key="legal.uncovered_shifts",
        label=_("Duty shifts without a lawyer"),
        permission="legal_aid.change_shift",
        count=_uncovered,
        url=lambda: reverse("admin:legal_aid_shift_changelist") + "?status__exact=absent",
    ),
    WorkQueue(
        key="legal.cases_at_intake",
        label=_("Labour-dispute cases waiting for a lawyer"),
        permission="legal_aid.advance_disputecase",
        count=lambda viewer: DisputeCase.objects.visible_to(viewer).filter(stage=Stage.INTAKE).count(),
        url=lambda: reverse("admin:legal_aid_disputecase_changelist") + "?stage__exact=intake",
    ),
    WorkQueue(
        key="legal.cases_near_limitation",
        label=_("Cases within 60 days of their limitation date"),
        permission="legal_aid.advance_disputecase",
        count=_near_limitation,
        url=lambda: reverse("admin:legal_aid_disputecase_changelist") + "?limitation=near",
    ),
    WorkQueue(
        key="legal.questions_waiting",
        label=_("Questions waiting for a lawyer"),
        permission="legal_aid.change_consultation",
        count=lambda viewer: (
            Consultation.objects.visible_to(viewer).filter(status=ConsultationStatus.REQUESTED).count()
        ),
        url=lambda: reverse("admin:legal_aid_consultation_changelist") + "?status__exact=requested",
    ),
]
