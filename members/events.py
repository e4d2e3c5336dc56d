"""The kinds of messages of membership (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``)."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="members.membership",
        label=_("Membership: application, decision, transfer, end"),
        events=[
            "members.applied", "members.approved", "members.rejected", "members.transferred",
            "members.ended", "members.filed", "members.filed_for_you", "members.filed_approved",
            "members.filed_rejected", "members.transfer_requested", "members.transfer_accepted",
            "members.transfer_declined", "members.transfer_declined_member",
        ],
    ),
]  # fmt: skip
