"""Rule 5: months, prize tiers, the monthly prize list, its export."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from union_portal.core.errors import ApplicationError
from union_portal.core.masking import mask_phone
from union_portal.core.permissions import require_perm, require_visible
from union_portal.core.validators import clean_text
from union_portal.notifications.services import (
    notify,
)

from .. import ranking
from ..models import (
    PRIZE_WINNERS,
    Attempt,
    MonthScore,
    MonthState,
    Prize,
    PrizeTier,
    Quiz,
    QuizMonth,
)
from .common import DEFAULT_TIERS, _invalid, _now, _portal_link, local_day

# --- months and prizes ------------------------------------------------------------------------------


@transaction.atomic
def quiz_month_ensure(*, quiz: Quiz, month: dt.date) -> QuizMonth:
    """The month's row with the default tiers (idempotent)."""
    month = ranking.month_start(month)
    QuizMonth.objects.bulk_create([QuizMonth(quiz=quiz, month=month)], ignore_conflicts=True)
    quiz_month = QuizMonth.objects.get(quiz=quiz, month=month)
    if not quiz_month.tiers.exists():
        for rank_from, rank_to, amount in DEFAULT_TIERS:
            PrizeTier.objects.create(
                quiz_month=quiz_month, rank_from=rank_from, rank_to=rank_to, amount=amount
            )
    return quiz_month


def _check_tiers(tiers: list[PrizeTier]) -> None:
    covered: set[int] = set()
    for tier in tiers:
        ranks = set(range(tier.rank_from, tier.rank_to + 1))
        if covered & ranks:
            raise _invalid(_("Two prize tiers cover the same rank."), code="tiers_overlap")
        covered |= ranks


def tiers_check(*, quiz_month: QuizMonth) -> None:
    """The tiers of a month may not overlap (after the admin saved them)."""
    _check_tiers(list(quiz_month.tiers.order_by("rank_from")))


@transaction.atomic
def month_close(*, quiz_month: QuizMonth, by, now: dt.datetime | None = None) -> QuizMonth:
    """Rule 5: after the month, fix the top 100 and their phone credit, and tell each winner.
    ``by`` None: the monthly task (:func:`months_close_due`)."""
    if by is not None:
        require_perm(by, "quiz.export_prize")
        require_visible(by, quiz_month)
    now = _now(now)
    quiz_month = (
        QuizMonth.objects.select_for_update(of=("self",)).select_related("quiz").get(pk=quiz_month.pk)
    )
    if quiz_month.state == MonthState.CLOSED:
        return quiz_month
    if local_day(now) < ranking.next_month(quiz_month.month):
        raise _invalid(_("The month is not over yet."), code="month_not_over")
    tiers = list(quiz_month.tiers.order_by("rank_from"))
    _check_tiers(tiers)
    top = [s for s in ranking.db_top(quiz_month.quiz_id, quiz_month.month, PRIZE_WINNERS) if s.points > 0]
    people = ranking.participants_of(top)
    # the union each winner played for in the month: their attempts' (a change of union applies from
    # a later month), whatever they play for now
    month_union = dict(
        Attempt.objects.filter(participant_id__in=people, month=quiz_month.month)
        .order_by("participant_id", "started_at")
        .values_list("participant_id", "union_id")
    )
    prizes = []
    for standing in top:
        tier = next((t for t in tiers if t.rank_from <= standing.rank <= t.rank_to), None)
        if tier is None:
            continue
        participant = people[standing.participant_id]
        prizes.append(
            Prize(
                quiz_month=quiz_month,
                rank=standing.rank,
                participant=participant,
                points=standing.points,
                amount=tier.amount,
                mobile=participant.mobile,
                union_id=month_union.get(participant.pk, participant.union_id),
            )
        )
    bulk_create_with_history(prizes, Prize)
    quiz_month.state = MonthState.CLOSED
    quiz_month.closed_at = now
    quiz_month.closed_by = by
    quiz_month.save(update_fields=["state", "closed_at", "closed_by"])
    for prize in prizes:
        notify(
            user=prize.participant.user,
            event="quiz.prize",
            key=f"quiz.prize:{quiz_month.pk}:{prize.participant_id}",
            context={
                "quiz": quiz_month.quiz.name,
                "month": f"{quiz_month.month:%Y-%m}",
                "rank": prize.rank,
                "amount": prize.amount,
                "points": prize.points,
            },
            link=_portal_link(quiz_month.quiz),
        )
    return quiz_month


def months_close_due(*, now: dt.datetime | None = None) -> int:
    """On and after the 1st: draw up last month's prize list of every quiz that had scores (safe twice)."""
    now = _now(now)
    last_month = ranking.month_start(ranking.month_start(local_day(now)) - dt.timedelta(days=1))
    closed = 0
    quiz_ids = MonthScore.objects.filter(month=last_month).values_list("quiz_id", flat=True).distinct()
    for quiz in Quiz.objects.filter(pk__in=list(quiz_ids)):
        quiz_month = quiz_month_ensure(quiz=quiz, month=last_month)
        if quiz_month.state != MonthState.CLOSED:
            month_close(quiz_month=quiz_month, by=None, now=now)
            closed += 1
    return closed


def prize_list_rows(*, quiz_month: QuizMonth, viewer) -> list[list]:
    """The month's prize list for payment (a header row, then one row per winner)."""
    require_perm(viewer, "quiz.export_prize")
    require_visible(viewer, quiz_month)
    header = [
        _("Rank"), _("Name"), _("Mobile number"), _("Union"), _("Points"), _("Phone credit (yuan)"),
        _("Paid at"), _("Payment reference"),
    ]  # fmt: skip
    rows = [header]
    prizes = (
        Prize.objects.filter(quiz_month=quiz_month)
        .select_related("participant__union", "union")
        .order_by("rank")
    )
    for prize in prizes:
        paid_at = timezone.localtime(prize.paid_at).strftime("%Y-%m-%d %H:%M") if prize.paid_at else ""
        rows.append(
            [
                prize.rank,
                prize.participant.name,
                prize.mobile,
                (prize.union or prize.participant.union).name,
                prize.points,
                prize.amount,
                paid_at,
                prize.payment_reference,
            ]
        )
    return rows


@transaction.atomic
def prize_pay(*, prize: Prize, by, reference: str = "", now: dt.datetime | None = None) -> Prize:
    """Rule 5's last step: the phone credit was topped up (or handed over). Recorded once, with who and
    the payment reference, in the prize's history; the winner is told. Safe to call twice."""
    require_perm(by, "quiz.pay_prize")
    require_visible(by, prize)
    try:
        reference = clean_text(reference or "", max_length=64)
    except ValidationError as exc:
        raise ApplicationError.from_validation_error(exc, field="reference") from None
    prize = (
        Prize.objects.select_for_update(of=("self",))
        .select_related("quiz_month__quiz", "participant__user")
        .get(pk=prize.pk)
    )
    if prize.paid_at is not None:
        return prize
    prize.paid_at = _now(now)
    prize.paid_by = by
    prize.payment_reference = reference
    prize._history_user = by
    prize.save(update_fields=["paid_at", "paid_by", "payment_reference"])
    quiz_month = prize.quiz_month
    notify(
        user=prize.participant.user,
        event="quiz.prize_paid",
        key=f"quiz.prize_paid:{prize.pk}",
        context={
            "quiz": quiz_month.quiz.name,
            "month": f"{quiz_month.month:%Y-%m}",
            "amount": prize.amount,
            "masked_mobile": mask_phone(prize.mobile),
        },
        link=_portal_link(quiz_month.quiz),
    )
    return prize
