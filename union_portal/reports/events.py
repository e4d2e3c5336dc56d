"""The kinds of messages of reports (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``). The label is translated in the notifications catalogue."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="reports.ready",
        label=_("Reports: a report I asked for, or a scheduled one, is ready"),
        events=["reports.ready"],
        default=frozenset({"inbox", "email"}),
    ),
]
