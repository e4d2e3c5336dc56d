"""The kinds of messages of the knowledge quiz (channel preferences are chosen per kind; see
``union_portal/notifications/kinds.py``)."""

from django.utils.translation import gettext_lazy as _

from union_portal.notifications.kinds import EventKind

KINDS = [
    EventKind(
        key="quiz.prizes",
        label=_("Knowledge quiz: prizes and bonuses"),
        events=["quiz.prize", "quiz.prize_paid", "quiz.share_bonus"],
    ),
]
