"""The kinds of messages of hardship aid (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``)."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="aid.steps",
        label=_("Hardship aid: each step of an application"),
        events=[
            "aid.submitted", "aid.checked", "aid.approved", "aid.paid", "aid.closed", "aid.rejected",
            "aid.withdrawn",
        ],
    ),
    EventKind(
        key="aid.staff_reminders",
        label=_("Hardship aid (staff): files due for re-check, applications waiting"),
        events=["aid.recheck_due", "aid.waiting"],
        default=frozenset({"inbox", "email"}),
    ),
]  # fmt: skip
