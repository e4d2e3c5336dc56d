"""The kinds of messages of volunteering (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``). The reminder of tomorrow's activity is urgent."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="volunteers.activities",
        label=_("Volunteering: sign-ups, tomorrow's activity, cancellations"),
        events=[
            "volunteers.signup_confirmed", "volunteers.signup_waiting", "volunteers.promoted",
            "volunteers.reminder", "volunteers.activity_changed", "volunteers.activity_cancelled",
        ],
        urgent=True,
    ),
    EventKind(
        key="volunteers.registration",
        label=_("Volunteering: my registration and recommendations"),
        events=["volunteers.registered", "volunteers.recommended"],
    ),
    EventKind(
        key="volunteers.hours",
        label=_("Volunteering: hours verified or rejected, star levels"),
        events=[
            "volunteers.hours_verified", "volunteers.hours_rejected", "volunteers.to_verify",
            "volunteers.star_reached", "volunteers.star_lost",
        ],
    ),
]  # fmt: skip
