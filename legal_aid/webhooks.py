"""Webhook events of labour-dispute cases (``union_portal/webhooks``): a case moved to another stage.

For the justice bureau and the arbitration court: the case by id, the move and when; no names, no
claims (the API gives those to a key that may read them).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.webhooks.events import WebhookEvent


def stage_changed(step):
    case = step.case
    return [case.organisation], {
        "case": {"id": case.pk, "stage": case.stage, "organisation": case.organisation_id},
        "from_stage": step.from_stage,
        "to_stage": step.to_stage,
        "at": timezone.localtime(step.at).isoformat(),
    }


EVENTS = [
    WebhookEvent(
        "legal.case_stage_changed",
        _("Legal case stage changed"),
        "legal_aid",
        "legal_aid.view_disputecase",
        stage_changed,
    ),
]
