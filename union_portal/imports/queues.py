"""The import pipeline's work queue on the staff dashboard: checked files waiting for a confirmation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import ImportJob

QUEUES = [
    WorkQueue(
        key="imports.to_confirm",
        label=_("Imports awaiting confirmation"),
        permission="imports.view_importjob",
        count=lambda viewer: (
            ImportJob.objects.visible_to(viewer).filter(status=ImportJob.Status.VALID).count()
        ),
        url=lambda: (
            reverse("admin:imports_importjob_changelist") + f"?status__exact={ImportJob.Status.VALID}"
        ),
    ),
]
