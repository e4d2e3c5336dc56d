"""The quiz on a member's timeline: their monthly results (one event per month played)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from union_portal.core.timeline import TimelineEvent

from .models import MonthScore


def member_events(*, member, viewer) -> list[TimelineEvent]:
    scores = (
        MonthScore.objects.visible_to(viewer)
        .filter(participant__member=member)
        .select_related("quiz")
        .order_by("-month")[:24]
    )
    return [
        TimelineEvent(
            at=score.reached_at,
            app="quiz",
            kind="quiz.month",
            title=_("%(quiz)s, %(month)s: %(points)d points") % {
                "quiz": score.quiz.name, "month": f"{score.month:%Y-%m}", "points": score.points,
            },
            detail=_("%(n)d attempt(s)") % {"n": score.attempts},
        )
        for score in scores
    ]  # fmt: skip
