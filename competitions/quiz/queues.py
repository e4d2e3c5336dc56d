"""Work of the quiz waiting for staff: months over whose prize list is not drawn up yet."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from union_portal.core.queues import WorkQueue

from .models import MonthState, QuizMonth


def _months_to_close(viewer):
    this_month = timezone.localdate().replace(day=1)
    return QuizMonth.objects.visible_to(viewer).filter(state=MonthState.OPEN, month__lt=this_month)


QUEUES = [
    WorkQueue(
        key="quiz.months_to_close",
        label=_("Quiz months whose prize list is not drawn up"),
        permission="quiz.export_prize",
        count=lambda viewer: _months_to_close(viewer).count(),
        url=lambda: reverse("admin:quiz_quizmonth_changelist") + "?state__exact=open",
    ),
]
