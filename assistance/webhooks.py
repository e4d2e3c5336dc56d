"""Webhook events of aid applications (``union_portal/webhooks``): an application changed state.

The application by id with its kind, the move and the member's id: never the situation, the
household or the bank account.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.webhooks.events import WebhookEvent


def state_changed(step):
    application = step.application
    return [application.member.union], {
        "application": {
            "id": application.pk,
            "kind": application.kind,
            "state": application.state,
            "member": application.member_id,
        },
        "from_state": step.from_state,
        "to_state": step.to_state,
        "at": timezone.localtime(step.at).isoformat(),
    }


EVENTS = [
    WebhookEvent(
        "aid.application_state_changed",
        _("Aid application state changed"),
        "assistance",
        "assistance.view_aidapplication",
        state_changed,
    ),
]
