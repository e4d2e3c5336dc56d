"""Reads of volunteer service shared by the admin, the portal and the API: query shape and scope here."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    ZERO,
    Activity,
    RecordStatus,
    ServiceRecord,
    Signup,
    Team,
    Volunteer,
)


def open_activities(*, town=None, category: str | None = None):
    """The public list: activities open for sign-up (or full, with a waiting list) that have not ended."""
    activities = (
        Activity.objects.public()
        .filter(ends_at__gt=timezone.now())
        .select_related("team", "town")
        .order_by("starts_at", "pk")
    )
    if town is not None:
        activities = activities.filter(town=town)
    if category:
        activities = activities.filter(category=category)
    return activities


def activity_list(*, viewer):
    return Activity.objects.visible_to(viewer).select_related("team", "town")


def led_activities(*, viewer):
    """The activities of the teams ``viewer`` leads, newest first, with their waiting counts."""
    return (
        Activity.objects.filter(team__leaders=viewer)
        .select_related("team")
        .annotate(
            pending=Count("records", filter=Q(records__status=RecordStatus.PENDING), distinct=True),
        )
        .order_by("-starts_at", "-pk")
    )


def my_signups(*, volunteer: Volunteer):
    return (
        Signup.objects.filter(volunteer=volunteer)
        .select_related("activity__team")
        .order_by("-activity__starts_at")
    )


def my_records(*, volunteer: Volunteer):
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("activity__team")
        .order_by("-started_at")
    )


def record_list(*, viewer):
    return ServiceRecord.objects.visible_to(viewer).select_related(
        "volunteer__organisation", "activity__team", "reviewed_by"
    )


def verification_queue(*, viewer, team: Team | None = None):
    records = (
        record_list(viewer=viewer).filter(status=RecordStatus.PENDING).order_by("activity__starts_at", "pk")
    )
    return records.filter(activity__team=team) if team is not None else records


def signup_list(*, viewer):
    return Signup.objects.visible_to(viewer).select_related("volunteer", "activity__team")


def volunteer_list(*, viewer):
    return Volunteer.objects.visible_to(viewer).select_related("organisation")


def hours_per_volunteer(*, viewer, start: dt.date, end: dt.date, team: Team | None = None):
    """Each visible volunteer with their verified hours and activities in [start, end] (one query)."""
    period = Q(
        records__status=RecordStatus.VERIFIED,
        records__started_at__date__gte=start,
        records__started_at__date__lte=end,
    )
    if team is not None:
        period &= Q(records__activity__team=team)
    return (
        volunteer_list(viewer=viewer)
        .annotate(
            period_hours=Coalesce(
                Sum("records__hours", filter=period), Value(ZERO), output_field=DecimalField()
            ),
            period_activities=Count("records", filter=period),
        )
        .filter(period_activities__gt=0)
        .order_by("organisation__path", "name", "pk")
    )


def hours_per_team(*, viewer, start: dt.date, end: dt.date):
    """Each visible team with the verified hours, records and volunteers of its activities in [start, end]."""
    period = Q(
        activities__records__status=RecordStatus.VERIFIED,
        activities__records__started_at__date__gte=start,
        activities__records__started_at__date__lte=end,
    )
    return (
        Team.objects.visible_to(viewer)
        .select_related("organisation")
        .annotate(
            period_hours=Coalesce(
                Sum("activities__records__hours", filter=period), Value(ZERO), output_field=DecimalField()
            ),
            period_records=Count("activities__records", filter=period),
            period_volunteers=Count("activities__records__volunteer", filter=period, distinct=True),
        )
        .order_by("organisation__path", "name")
    )


def ranking(*, viewer, start: dt.date, end: dt.date, team: Team | None = None):
    """The visible volunteers by verified hours in [start, end], most first, each with its ``rank``
    (equal hours share a rank) and its live honour recommendation of the period's year, if any; one
    query however many rows."""
    from django.db.models import F, OuterRef, Subquery, Window
    from django.db.models.functions import Rank

    from .models import HonourRecommendation, RecommendationStatus

    recommended = HonourRecommendation.objects.filter(
        volunteer=OuterRef("pk"), year=end.year, status=RecommendationStatus.RECOMMENDED
    ).values("pk")[:1]
    return (
        hours_per_volunteer(viewer=viewer, start=start, end=end, team=team)
        .annotate(
            rank=Window(expression=Rank(), order_by=F("period_hours").desc()),
            recommendation_id=Subquery(recommended),
        )
        .order_by("-period_hours", "pk")
    )


def public_ranking(*, year: int, limit: int = 50):
    """The district's volunteers with the most verified hours of ``year`` (the portal's honour roll,
    names masked by the page); one query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    period = Q(
        records__status=RecordStatus.VERIFIED,
        records__started_at__date__gte=start,
        records__started_at__date__lte=end,
    )
    return (
        Volunteer.objects.active()
        .select_related("organisation")
        .annotate(
            period_hours=Coalesce(
                Sum("records__hours", filter=period), Value(ZERO), output_field=DecimalField()
            ),
        )
        .filter(period_hours__gt=0)
        .order_by("-period_hours", "pk")[:limit]
    )


def hours_per_partner(*, viewer, start: dt.date, end: dt.date):
    """Verified hours, records, volunteers and activities per partner organisation in [start, end]
    (funding follows verified hours); "" is the teams' own activities. One grouped query."""
    return (
        ServiceRecord.objects.visible_to(viewer)
        .filter(status=RecordStatus.VERIFIED, started_at__date__gte=start, started_at__date__lte=end)
        .values(partner=models.F("activity__partner"))
        .annotate(
            hours=Sum("hours"),
            records=Count("pk"),
            volunteers=Count("volunteer", distinct=True),
            activities=Count("activity", distinct=True),
        )
        .order_by("partner")
    )
