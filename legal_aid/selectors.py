"""Reads of legal aid shared by the admin, the portal, the API and the reports: each list holds
its query shape and its scope here, so a page costs the same number of queries whatever its length."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Max, QuerySet
from django.utils import timezone

from union_portal.core.masking import mask_name

from .models import (
    BEFORE_ARBITRATION,
    AdviserAssignment,
    ClaimType,
    Consultation,
    DisputeCase,
    Lawyer,
    Shift,
    Station,
    SwapRequest,
    SwapStatus,
)

CLAIM_CHOICES = ClaimType.choices

__all__ = ["BEFORE_ARBITRATION", "CLAIM_CHOICES", "mask_name"]


def lawyer_of(user) -> Lawyer | None:
    """The panel lawyer behind a portal account, or None."""
    if user is None or not user.is_authenticated:
        return None
    return Lawyer.objects.filter(user=user).first()


def may_read_details(user, case: DisputeCase) -> bool:
    """The dispute details: staff with ``legal_aid.view_case_details``, the lawyer on the case, the applicant."""
    if user is None or not user.is_authenticated:
        return False
    if case.lawyer_id and case.lawyer.user_id == user.pk:
        return True
    if case.applicant_id and case.applicant.user_id == user.pk:
        return True
    return user.has_perm("legal_aid.view_case_details")


def station_list() -> QuerySet[Station]:
    """Open stations with their opening hours: public."""
    return Station.objects.open().select_related("organisation")


def shift_list(*, viewer) -> QuerySet[Shift]:
    return Shift.objects.visible_to(viewer).select_related("station", "lawyer")


def lawyer_shifts(*, lawyer: Lawyer, since: dt.datetime | None = None) -> QuerySet[Shift]:
    """A lawyer's own shifts from ``since`` (default: the start of today), soonest first."""
    since = since or timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    return (
        Shift.objects.filter(lawyer=lawyer, end__gt=since).select_related("station").order_by("start", "pk")
    )


def swaps_for(*, lawyer: Lawyer) -> QuerySet[SwapRequest]:
    return (
        SwapRequest.objects.filter(to_lawyer=lawyer, status=SwapStatus.REQUESTED)
        .select_related("shift__station", "from_lawyer")
        .order_by("shift__start")
    )


def advised_unions(*, lawyer: Lawyer) -> QuerySet[AdviserAssignment]:
    """The lawyer's active adviser assignments, each with the day of its latest check-up or education
    event (``last_event_on``): one query whatever their number."""
    return (
        AdviserAssignment.objects.active()
        .filter(lawyer=lawyer)
        .select_related("union")
        .annotate(last_event_on=Max("events__held_on"))
        .order_by("union__name", "pk")
    )


def consultation_list(*, viewer) -> QuerySet[Consultation]:
    return Consultation.objects.visible_to(viewer).select_related("member", "lawyer", "station")


def case_order(queryset: QuerySet[DisputeCase]) -> QuerySet[DisputeCase]:
    """Open cases before arbitration first, the nearest limitation date first; the others after."""
    from django.db.models import Case, IntegerField, Value, When

    return queryset.annotate(
        _running=Case(
            When(stage__in=list(BEFORE_ARBITRATION), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("_running", F("limitation_on").asc(), "pk")


@dataclass
class StageCount:
    stage: str
    label: str
    total: int = 0
    near: int = 0  # open before arbitration, the limitation date within 60 days
    past: int = 0  # open before arbitration, the limitation date passed


def case_board(queryset: QuerySet[DisputeCase], today: dt.date | None = None) -> list[StageCount]:
    """Cases by stage, with how many are near or past their limitation date: one query."""
    from django.db.models import Count, Q

    from .models import Stage

    today = today or timezone.localdate()
    running = Q(stage__in=list(BEFORE_ARBITRATION))
    rows = {
        row["stage"]: row
        for row in queryset.order_by()
        .values("stage")
        .annotate(
            total=Count("pk"),
            near=Count(
                "pk",
                filter=running
                & Q(limitation_on__gte=today, limitation_on__lte=today + dt.timedelta(days=60)),
            ),
            past=Count("pk", filter=running & Q(limitation_on__lt=today)),
        )
    }
    return [
        StageCount(stage, str(label), *(rows[stage][k] for k in ("total", "near", "past")))
        if stage in rows
        else StageCount(stage, str(label))
        for stage, label in Stage.choices
    ]


def case_list(*, viewer) -> QuerySet[DisputeCase]:
    return case_order(
        DisputeCase.objects.visible_to(viewer).select_related("lawyer", "applicant", "organisation")
    )


def case_steps(case: DisputeCase):
    return case.steps.select_related("by").order_by("at", "pk")


# --- the roster week grid --------------------------------------------------------------------------------


@dataclass
class RosterRow:
    station: Station
    days: list[list[Shift]] = field(default_factory=list)


@dataclass
class RosterWeek:
    monday: dt.date
    dates: list[dt.date]
    rows: list[RosterRow]


def roster_week(*, viewer, monday: dt.date, station_id=None) -> RosterWeek:
    """Stations down, the seven days across: two queries whatever the number of stations and shifts."""
    stations = Station.objects.visible_to(viewer).filter(is_active=True).select_related("organisation")
    if station_id and str(station_id).isdigit():
        stations = stations.filter(pk=station_id)
    stations = list(stations)
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = start + dt.timedelta(days=7)
    rows = {s.pk: RosterRow(station=s, days=[[] for _ in range(7)]) for s in stations}
    shifts = (
        Shift.objects.filter(station__in=[s.pk for s in stations], start__gte=start, start__lt=end)
        .select_related("lawyer")
        .order_by("start", "pk")
    )
    for shift in shifts:
        index = (timezone.localtime(shift.start).date() - monday).days
        rows[shift.station_id].days[index].append(shift)
    return RosterWeek(
        monday=monday, dates=[monday + dt.timedelta(days=i) for i in range(7)], rows=list(rows.values())
    )
