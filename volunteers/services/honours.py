"""Recommending outstanding volunteers for honours, on the ranking of their verified hours of a year.

Only verified hours count: the hours and the rank written on a recommendation are those of the
verified records of the year when it is made (a district-wide rank, whatever the recommender's scope).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from union_portal.core.permissions import require_perm, require_visible
from union_portal.notifications.services import notify

from ..models import (
    ZERO,
    HonourRecommendation,
    RecommendationStatus,
    RecordStatus,
    ServiceRecord,
    Volunteer,
)
from . import _invalid, _lock, _portal_link, _text


def year_hours(volunteer: Volunteer, year: int) -> Decimal:
    """The volunteer's verified hours of activities that started in ``year``."""
    return (
        ServiceRecord.objects.filter(
            volunteer=volunteer, status=RecordStatus.VERIFIED, started_at__year=year
        ).aggregate(s=Sum("hours"))["s"]
        or ZERO
    )


def _district_rank(hours: Decimal, year: int) -> int:
    """1 + the number of volunteers with more verified hours in ``year`` (one grouped query)."""
    period = Q(records__status=RecordStatus.VERIFIED, records__started_at__year=year)
    ahead = (
        Volunteer.objects.annotate(
            y=Coalesce(Sum("records__hours", filter=period), Value(ZERO), output_field=DecimalField())
        )
        .filter(y__gt=hours)
        .count()
    )
    return ahead + 1


@transaction.atomic
def honour_recommend(*, volunteer: Volunteer, year: int, by, reason: str) -> HonourRecommendation:
    """Recommend a volunteer as outstanding for ``year``; the volunteer is told. Safe to call twice
    (the live recommendation is returned)."""
    require_perm(by, "volunteers.recommend_volunteer")
    require_visible(by, volunteer)
    reason = _text(reason, "reason", required=True, limit=2000, multiline=True)
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise _invalid(_("Choose a year that has begun."), "year")
    volunteer = _lock(Volunteer, volunteer.pk)
    existing = HonourRecommendation.objects.filter(
        volunteer=volunteer, year=year, status=RecommendationStatus.RECOMMENDED
    ).first()
    if existing is not None:
        return existing
    hours = year_hours(volunteer, year)
    if hours <= 0:
        raise _invalid(
            _("This volunteer has no verified hours in %(year)s.") % {"year": year}, "volunteer", "no_hours"
        )
    try:
        with transaction.atomic():
            recommendation = HonourRecommendation.objects.create(
                volunteer=volunteer,
                year=year,
                hours=hours,
                rank=_district_rank(hours, year),
                reason=reason,
                recommended_by=by,
            )
    except IntegrityError:
        return HonourRecommendation.objects.get(
            volunteer=volunteer, year=year, status=RecommendationStatus.RECOMMENDED
        )
    notify(
        user=volunteer.user,
        event="volunteers.recommended",
        key=f"volunteers.recommended:{recommendation.pk}",
        context={"year": year, "hours": hours},
        link=_portal_link("volunteers:my_hours", None),
    )
    return recommendation


@transaction.atomic
def honour_withdraw(*, recommendation: HonourRecommendation, by, reason: str) -> HonourRecommendation:
    require_perm(by, "volunteers.recommend_volunteer")
    require_visible(by, recommendation)
    reason = _text(reason, "reason", required=True)
    recommendation = _lock(HonourRecommendation, recommendation.pk)
    if recommendation.status == RecommendationStatus.WITHDRAWN:
        return recommendation
    recommendation.status, recommendation.withdraw_reason = RecommendationStatus.WITHDRAWN, reason
    recommendation.save(update_fields=["status", "withdraw_reason"])
    return recommendation
