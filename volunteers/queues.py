"""Volunteer service's work queue on the staff dashboard: hours waiting for verification."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import RecordStatus, ServiceRecord

QUEUES = [
    WorkQueue(
        key="volunteers.to_verify",
        label=_("Volunteer hours to verify"),
        permission="volunteers.verify_servicerecord",
        count=lambda viewer: (
            ServiceRecord.objects.visible_to(viewer).filter(status=RecordStatus.PENDING).count()
        ),
        url=lambda: reverse("admin:volunteers_servicerecord_changelist") + "?state=pending",
    ),
]
