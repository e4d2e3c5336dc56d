"""Hardship aid's work queues on the staff dashboard: applications to check, to approve, to pay, and
hardship files whose annual re-check is due."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import AidApplication, FileStatus, HardshipFile, State


def _applications(viewer, state: str) -> int:
    return AidApplication.objects.visible_to(viewer).filter(state=state).count()


def _rechecks_due(viewer) -> int:
    soon = timezone.localdate() + dt.timedelta(days=30)
    return (
        HardshipFile.objects.visible_to(viewer)
        .filter(status=FileStatus.ACTIVE, next_recheck_on__lte=soon)
        .count()
    )


def _applications_url(state: str):
    return lambda: reverse("admin:assistance_aidapplication_changelist") + f"?state__exact={state}"


QUEUES = [
    WorkQueue(
        key="aid.to_check",
        label=_("Aid applications to check"),
        permission="assistance.check_aidapplication",
        count=lambda viewer: _applications(viewer, State.SUBMITTED),
        url=_applications_url(State.SUBMITTED),
    ),
    WorkQueue(
        key="aid.to_approve",
        label=_("Aid applications to approve"),
        permission="assistance.approve_aidapplication",
        count=lambda viewer: _applications(viewer, State.CHECKED),
        url=_applications_url(State.CHECKED),
    ),
    WorkQueue(
        key="aid.to_pay",
        label=_("Approved aid to pay"),
        permission="assistance.pay_aidapplication",
        count=lambda viewer: _applications(viewer, State.APPROVED),
        url=_applications_url(State.APPROVED),
    ),
    WorkQueue(
        key="aid.rechecks_due",
        label=_("Hardship files due for their annual re-check"),
        permission="assistance.change_hardshipfile",
        count=_rechecks_due,
        url=lambda: reverse("admin:assistance_hardshipfile_changelist") + "?recheck=due",
    ),
]
