"""Webhook events of honours (``union_portal/webhooks``): a title conferred or entered in the register."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from union_portal.webhooks.events import WebhookEvent


def conferred(honour):
    return [honour.organisation], {
        "honour": {
            "id": honour.pk,
            "title": {"id": honour.title_id, "name": honour.title.name},
            "holder_kind": honour.holder_kind,
            "member": honour.member_id,
            "organisation": {"id": honour.organisation_id, "name": honour.organisation.name},
            "conferred_on": honour.conferred_on.isoformat(),
        }
    }


EVENTS = [
    WebhookEvent(
        "honour.conferred", _("Honour conferred"), "competitions", "competitions.view_honour", conferred
    ),
]
