"""Webhook events of memberships (``union_portal/webhooks``): approved, transferred, ended.

The data names the member by id with the union and status, nothing personal: a partner reads the
member through the API, which applies its scopes. A transfer belongs to both unions, so a partner of
the old union learns that the member left.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.webhooks.events import WebhookEvent


def _ref(org) -> dict | None:
    return {"id": org.pk, "name": org.name} if org is not None else None


def _member(member) -> dict:
    return {
        "id": member.pk,
        "status": member.status,
        "union": _ref(member.union),
        "card_number": member.card_number,
        "join_date": member.join_date.isoformat() if member.join_date else None,
        "ended_on": member.ended_on.isoformat() if member.ended_on else None,
    }


def approved(member):
    return [member.union], {"member": _member(member)}


def transferred(event):
    member = event.member
    return [event.from_union, event.to_union], {
        "member": _member(member),
        "from_union": _ref(event.from_union),
        "to_union": _ref(event.to_union),
        "reason": event.note,
        "at": timezone.localtime(event.at).isoformat(),
    }


def ended(event):
    member = event.member
    return [member.union], {"member": _member(member), "reason": event.note}


EVENTS = [
    WebhookEvent("membership.approved", _("Membership approved"), "members", "members.view_member", approved),
    WebhookEvent(
        "membership.transferred", _("Membership transferred"), "members", "members.view_member", transferred
    ),
    WebhookEvent("membership.ended", _("Membership ended"), "members", "members.view_member", ended),
]
