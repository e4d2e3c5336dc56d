"""Membership's work queue on the staff dashboard: applications waiting for approval."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import Member, MemberStatus, TransferRequest

QUEUES = [
    WorkQueue(
        key="members.applications",
        label=_("Membership applications to decide"),
        permission="members.approve_member",
        count=lambda viewer: Member.objects.visible_to(viewer).filter(status=MemberStatus.PENDING).count(),
        url=lambda: reverse("admin:members_member_changelist") + f"?status__exact={MemberStatus.PENDING}",
    ),
    WorkQueue(
        key="members.transfers",
        label=_("Transfers into your area to accept or decline"),
        permission="members.transfer_member",
        count=lambda viewer: TransferRequest.objects.to_decide_by(viewer).count(),
        url=lambda: (
            reverse("admin:members_transferrequest_changelist")
            + f"?state__exact={TransferRequest.State.PENDING}&direction=in"
        ),
    ),
]
