"""The kinds of messages of contests and honours (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``)."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="contests.entries",
        label=_("Contests: registration, marking and results"),
        events=[
            "contests.entry_registered", "contests.sheet_assigned", "contests.sheet_reopened",
            "contests.results_published", "contests.cancelled", "contests.entry_disqualified",
        ],
    ),
    EventKind(
        key="honours.nominations",
        label=_("Honours: nominations, conferrals and health checks"),
        events=[
            "honours.nomination_moved", "honours.conferred", "honours.health_check_due",
            "honours.publicity_started", "honours.objection_raised", "honours.objection_received",
            "honours.objection_resolved", "honours.mentor_pair_concluded",
        ],
    ),
]  # fmt: skip
