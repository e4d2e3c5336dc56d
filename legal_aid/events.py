"""The kinds of messages of legal aid (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``). Duty shifts and limitation dates are urgent: they cannot
be switched off entirely."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="legal.shifts",
        label=_("Legal aid: duty shifts, swaps and tomorrow's shift"),
        events=[
            "legal.shift_assigned", "legal.shift_reminder", "legal.swap_requested", "legal.swap_accepted",
            "legal.swap_declined", "legal.absence_reported",
        ],
        urgent=True,
    ),
    EventKind(
        key="legal.deadlines",
        label=_("Legal aid: a limitation date about to pass"),
        events=["legal.limitation_warning", "legal.limitation_interrupted"],
        urgent=True,
    ),
    EventKind(
        key="legal.cases",
        label=_("Legal aid: consultations and cases"),
        events=[
            "legal.consultation_requested", "legal.consultation_answered", "legal.case_opened",
            "legal.case_stage", "legal.adviser_assigned", "legal.lawyer_added",
            "legal.enterprise_event",
        ],
    ),
]  # fmt: skip
