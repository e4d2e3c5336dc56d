"""What the quiz's services share: the published constants, errors, the Shanghai day."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.errors import ApplicationError

from ..models import (
    Quiz,
    QuizStatus,
)

#: Seconds allowed after the deadline for the network (a submit sent in time that arrives late).
SUBMIT_GRACE_SECONDS = 5
SHARE_SALT = "quiz.share"
JOIN_CODE_PURPOSE = "quiz-join"
#: The default tiers of a new month (yuan of phone credit by rank).
DEFAULT_TIERS = (
    (1, 10, Decimal("100")),
    (11, 30, Decimal("80")),
    (31, 60, Decimal("50")),
    (61, 100, Decimal("30")),
)

_random = secrets.SystemRandom()


def _invalid(message, field: str | None = None, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def local_day(now: dt.datetime | None = None) -> dt.date:
    """The Asia/Shanghai calendar day of a moment (the day of the daily allowance)."""
    return timezone.localdate(_now(now))


def _open_quiz(quiz: Quiz) -> Quiz:
    if quiz.status != QuizStatus.OPEN:
        raise _invalid(_("This quiz is not open."), code="quiz_closed")
    return quiz


def _portal_link(quiz: Quiz) -> str:
    from django.urls import reverse

    return reverse("quiz:home", args=[quiz.pk])
